"""The Python interpreter running dlcheck and the environment it lives in."""

from __future__ import annotations

import os
import platform
import struct
import sys
from pathlib import Path

from dlcheck.probes.system import normalise_arch
from dlcheck.records import PythonFacts


def classify_environment(
    prefix: str, base_prefix: str, env: dict[str, str], has_conda_meta: bool
) -> tuple[str, str | None]:
    """Return (kind, name): kind is venv, conda or system."""
    if prefix != base_prefix:
        return "venv", Path(prefix).name
    if has_conda_meta:
        name = env.get("CONDA_DEFAULT_ENV") or Path(prefix).name
        return "conda", name
    return "system", None


def probe_python() -> PythonFacts:
    """Describe the running interpreter."""
    kind, name = classify_environment(
        sys.prefix, sys.base_prefix, dict(os.environ), (Path(sys.prefix) / "conda-meta").is_dir()
    )
    return PythonFacts(
        version=platform.python_version(),
        implementation=platform.python_implementation(),
        executable=sys.executable or None,
        bits=struct.calcsize("P") * 8,
        machine=normalise_arch(platform.machine()),
        env_kind=kind,
        env_name=name,
        prefix=sys.prefix,
    )
