"""The Jupyter kernels feature: the kernels a learner's Jupyter offers, as facts (``specs``),
and whether one of them can run the course (``checks``)."""

from __future__ import annotations
