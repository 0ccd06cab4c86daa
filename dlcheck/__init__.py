"""dlcheck: is this machine ready for the 'Introduction to deep learning' course?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dlcheck.version import __version__

if TYPE_CHECKING:
    from dlcheck.report import Report


def check(
    profile: str | None = None,
    path: str | None = None,
    places: str | None = None,
    anonymize: bool = False,
    timeout: float = 5.0,
    frameworks: bool = True,
    python: str | None = None,
    kernel: str | None = None,
) -> Report:
    """Probe this machine and judge it against a profile (the course's by default).

    Framework probes (TensorFlow, Keras, PyTorch, JAX in their own processes) run unless
    ``frameworks=False``. ``python`` (a path) or ``kernel`` (a Jupyter kernel's name): check
    that interpreter instead of the one running (the hardware stays this machine's). Returns
    a :class:`dlcheck.report.Report`; in Jupyter it displays as a table.
    """
    from dlcheck.pipeline import build_report

    return build_report(
        profile_path=profile,
        disk_path=path,
        places_path=places,
        anonymize=anonymize,
        timeout=timeout,
        frameworks=frameworks,
        python=python,
        kernel=kernel,
    )


__all__ = ["__version__", "check"]
