"""`dlcheck bench`: time the course's own models, predict each episode's training time.

Modules: ``workloads`` (the course's training runs, as data), ``models`` (Keras builders and
analytic FLOP counts), ``synthetic`` (deterministic tensors), ``stats`` (all statistics),
``measure`` (the timing harness), ``predict`` (episode and course predictions, verdicts),
``results`` (records and their versioned JSON), ``compare`` (A against B), ``render`` and ``cli``.
Only ``models``, ``measure`` and ``compare.plot`` import the heavy frameworks, on use.
"""

from __future__ import annotations
