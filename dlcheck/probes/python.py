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


def is_free_threaded(abiflags: str, gil_disabled: object) -> bool:
    """A free-threaded build (3.13t): ``t`` in the ABI flags (POSIX) or the build's
    ``Py_GIL_DISABLED`` (Windows has no ``sys.abiflags``)."""
    return "t" in abiflags or bool(gil_disabled)


def _gil_disabled() -> object:
    if hasattr(sys, "abiflags") or sys.version_info < (3, 13):
        return None  # the ABI flags say it; sysconfig costs an import
    import sysconfig

    return sysconfig.get_config_var("Py_GIL_DISABLED")


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
        free_threaded=is_free_threaded(getattr(sys, "abiflags", ""), _gil_disabled()),
    )
