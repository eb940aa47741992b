"""The notebook room: what the numbered notebooks import at run time: their context (parameters,
data, the audit), views of the audit, analyses, figures and charts in one plotting style, and the
deterministic outputs they show in either language.

Imports: ``techmarket.pages``, ``techmarket.audit`` and ``techmarket.data``; never the site build.
"""
