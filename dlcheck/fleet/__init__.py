"""Fleets: one table of many machines, built from saved ``check``, ``env verify`` and
``bench`` JSON results (``dlcheck report``).

Flow: files -> parts (one small record per file, read one at a time) -> machine rows ->
summary -> render. Only the rows stay in memory, never the files.
"""
