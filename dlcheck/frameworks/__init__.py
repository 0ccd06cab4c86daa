"""Does TensorFlow (Keras, PyTorch, JAX) really work here? Each installed framework is
imported in its own Python process under a timeout (``probe``), the results are kept as plain
data in ``Facts.extra["frameworks"]`` (``records``), and ``diagnose`` turns them into findings.

Importing this package is cheap: nothing here imports a framework in dlcheck's own process.
"""

from __future__ import annotations

from dlcheck.frameworks.probe import DEFAULT_FRAMEWORK_TIMEOUT, FrameworkProbe, start_frameworks
from dlcheck.frameworks.records import FrameworkFacts, FrameworkResult

__all__ = [
    "DEFAULT_FRAMEWORK_TIMEOUT",
    "FrameworkFacts",
    "FrameworkProbe",
    "FrameworkResult",
    "start_frameworks",
]
