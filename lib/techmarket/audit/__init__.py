"""The audit room: the claims audit of the paper, from the formula language and its references,
the catalogues of derivations and claim routes, and the one verdict rule, to judging, diagnosis,
the what-if of a final release, the checks against official releases and the audit's tables and
text. Its result is data (tables and dataclasses), computed once per content (``cache``).

Imports: ``techmarket.data`` only.
"""
