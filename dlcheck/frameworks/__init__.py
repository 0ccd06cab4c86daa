"""Does TensorFlow (Keras, PyTorch, JAX) really work here? Each installed framework is
imported in its own Python process under a timeout (``probe``), the results are kept as plain
data in ``Facts.sections["frameworks"]`` (``records``), and ``diagnose`` turns them into findings.

Nothing here imports a framework in dlcheck's own process; the process machinery (``probe``)
loads only when probing, not when a saved report is judged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dlcheck.frameworks.probe import FrameworkProbe


def start_frameworks(
    versions: Any, timeout: float = 60.0, env: Any = None, python: str | None = None
) -> FrameworkProbe:
    """Start probing every installed framework in the background; see ``probe.start_frameworks``."""
    from dlcheck.frameworks.probe import start_frameworks as start

    return start(versions, timeout=timeout, env=env, python=python)


__all__ = ["start_frameworks"]
