"""The site room: the batch build of ``reports/``: its plan, its cache, the kernels forked from a
warm server, the notebooks' export to HTML, the index and the environment files. It runs the
notebooks and writes every page.

Imports: every room below it (``notebook``, ``pages``, ``audit``, ``data``); only the command line
imports it.
"""
