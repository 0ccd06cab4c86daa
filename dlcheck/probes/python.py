"""The Python interpreter running dlcheck and the environment it lives in."""

from __future__ import annotations

import os
import platform
import shutil
import struct
import sys
from pathlib import Path
from typing import Callable

from dlcheck.probes.system import normalise_arch
from dlcheck.records import MadeEnvironment, OtherPython, PythonFacts


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


MINORS = range(8, 15)  # CPython 3.8 to 3.14: what a course environment could be made with


def find_other_pythons(
    env: dict[str, str], which: Callable[[str], str | None], pyenv_names: list[str]
) -> list[OtherPython]:
    """The CPython 3.X interpreters this machine has besides the running one, found without
    running any (pure: ``which`` looks a name up on PATH, ``pyenv_names`` are the folder names
    under pyenv's versions): what `dlcheck env create` finds by itself."""
    found: list[OtherPython] = []
    for minor in MINORS:
        exe = which(f"python3.{minor}")
        if exe and "shims" not in Path(exe).parts:  # a pyenv shim: its versions are listed below
            found.append(OtherPython(f"3.{minor}", f"python3.{minor} on PATH", exe))
    for name in sorted(pyenv_names):
        parts = name.split(".")
        if len(parts) == 3 and all(x.isdigit() for x in parts) and parts[0] == "3":
            found.append(OtherPython(name, f"pyenv {name}", None))
    return found


def _pyenv_names(env: dict[str, str]) -> list[str]:
    root = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    try:
        return [p.name for p in root.iterdir() if p.is_dir()]
    except OSError:
        return []


# The 32-bit relative of a 64-bit architecture: what a 32-bit interpreter on it was built for.
_ARCH_32 = {"arm64": "arm", "x86_64": "x86"}


def interpreter_machine(kernel_machine: str, bits: int, multiarch: str | None = None) -> str:
    """The architecture the interpreter was built for, beside the kernel's (``uname -m``,
    which ``platform.machine()`` repeats): a 32-bit Python on a 64-bit kernel (Raspberry Pi
    OS's 32-bit image: uname says aarch64) is ``arm`` or ``x86``. ``multiarch`` is the build's
    own triplet (``sys.implementation._multiarch``: ``arm-linux-gnueabihf``) where it has one."""
    machine = normalise_arch(kernel_machine)
    triplet = (multiarch or "").split("-")[0].lower()
    if triplet.startswith("arm") and not triplet.startswith("arm64"):
        return "arm"
    if triplet in ("i386", "i486", "i586", "i686"):
        return "x86"
    if bits < 64:
        return _ARCH_32.get(machine, machine)
    return machine


def made_environments(folder: Path, running_prefix: str, limit: int = 64) -> list[MadeEnvironment]:
    """The finished course environments `dlcheck env create` made in ``folder`` (its default
    place, ``.venv-<setup>``: their marker says which setup and "complete"), not the running
    one. Reads at most ``limit`` entries and never raises: a folder it cannot read is none."""
    from dlcheck.envs.installed import read_marker

    found: list[MadeEnvironment] = []
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for _, e in zip(range(limit * 8), it))
    except OSError:
        return found
    for name in names:
        if not name.startswith(".venv-") or len(found) >= limit:
            continue
        path = folder / name
        try:
            if os.path.realpath(path) == os.path.realpath(running_prefix):
                continue
            marker = read_marker(path) if path.is_dir() else None
        except OSError:
            continue
        if marker and marker.get("state") == "complete" and isinstance(marker.get("setup"), str):
            found.append(MadeEnvironment(name, marker["setup"]))
    return found


def _made_here() -> list[MadeEnvironment]:
    try:
        return made_environments(Path.cwd(), sys.prefix)
    except OSError:  # the current folder was removed under us
        return []


def probe_python() -> PythonFacts:
    """Describe the running interpreter."""
    env = dict(os.environ)
    kind, name = classify_environment(
        sys.prefix, sys.base_prefix, env, (Path(sys.prefix) / "conda-meta").is_dir()
    )
    return PythonFacts(
        version=platform.python_version(),
        implementation=platform.python_implementation(),
        executable=sys.executable or None,
        bits=struct.calcsize("P") * 8,
        machine=interpreter_machine(
            platform.machine(),
            struct.calcsize("P") * 8,
            getattr(sys.implementation, "_multiarch", None),
        ),
        env_kind=kind,
        env_name=name,
        prefix=sys.prefix,
        free_threaded=is_free_threaded(getattr(sys, "abiflags", ""), _gil_disabled()),
        others=find_other_pythons(env, lambda n: shutil.which(n), _pyenv_names(env)),
        made=_made_here(),
    )
