"""The pages room: the frame every HTML page of the package shares (one style sheet, header,
footer, ids linked to the data pages, the embedded CJK font), the data pages, and the three views
of the paper as a whole (the annotated paper with its notes, the replication report, the erratum).

Imports: ``techmarket.audit`` and ``techmarket.data``.
"""
