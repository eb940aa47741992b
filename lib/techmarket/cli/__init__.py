"""The command-line room: ``python -m techmarket <command>`` (build, verify, check-data, annotate,
fonts, environment, refresh-notebooks), turning every problem into one message and an exit code.

Imports: any room; nothing imports it but ``techmarket.__main__``.
"""
