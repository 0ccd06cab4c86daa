"""Installed Python distributions, read from their metadata folders without importing them
(importing TensorFlow takes seconds and may crash: that is the frameworks probe's job)."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterable

from dlcheck.formats import canonical_name  # noqa: F401 - the one home; imported from here too
from dlcheck.records import PackageFacts
from dlcheck.subprocesses import run_command

# Shown in reports even when absent; the profile decides which ones matter.
COURSE_PACKAGES = (
    "tensorflow",
    "tensorflow-cpu",
    "tensorflow-macos",
    "tensorflow-intel",
    "tensorflow-metal",
    "keras",
    "tf-keras",
    "numpy",
    "pandas",
    "scikit-learn",
    "seaborn",
    "matplotlib",
    "jupyterlab",
    "notebook",
    "pydot",
    "keras-tuner",
    "torch",
    "jax",
    "jaxlib",
)

_META_RE = re.compile(
    r"^(?P<name>.+?)-(?P<version>[^-]+?)(?:-py\d[\d.]*)?\.(?:dist-info|egg-info)$"
)


def parse_metadata_dirnames(names: Iterable[str]) -> dict[str, str]:
    """Map canonical project names to versions from ``*.dist-info``/``*.egg-info`` names;
    the first occurrence wins, as it does for ``import``."""
    found: dict[str, str] = {}
    for entry in names:
        m = _META_RE.match(entry)
        if not m:
            continue
        found.setdefault(canonical_name(m.group("name")), m.group("version"))
    return found


def installed_distributions(paths: Iterable[str] | None = None) -> dict[str, str]:
    """Every distribution visible on ``sys.path`` (or ``paths``), canonical name -> version."""
    found: dict[str, str] = {}
    for entry in paths if paths is not None else sys.path:
        try:
            names = sorted(os.listdir(entry or "."))
        except OSError:
            continue
        for name, version in parse_metadata_dirnames(names).items():
            found.setdefault(name, version)
    return found


def parse_dot_version(text: str) -> str | None:
    """``dot -V`` prints 'dot - graphviz version 2.43.0 (0)' on stderr."""
    m = re.search(r"version\s+([0-9][0-9.]*)", text)
    return m.group(1) if m else None


def graphviz(timeout: float = 3.0) -> PackageFacts:
    """Graphviz's ``dot`` on this machine's PATH (no distributions)."""
    dot = shutil.which("dot")
    dot_version = None
    if dot:
        res = run_command([dot, "-V"], timeout=timeout)
        dot_version = parse_dot_version(res.stderr + res.stdout)
    return PackageFacts(graphviz_dot=dot, graphviz_version=dot_version)


def probe_packages(timeout: float = 3.0) -> PackageFacts:
    """Installed distributions and Graphviz's ``dot``."""
    versions = installed_distributions()
    dot = graphviz(timeout)
    return PackageFacts(
        versions=dict(sorted(versions.items())),
        graphviz_dot=dot.graphviz_dot,
        graphviz_version=dot.graphviz_version,
    )
