"""The data room: where the project's files are, how ``data/`` is read and validated against its
schema, and what a printed figure is (its unit, its rounding interval, its names in both
languages); also writing files safely and hashing their content.

Imports: nothing of techmarket outside this room (it is the bottom layer).
"""
