"""The course's setups (locked environments) as data, where their lock files live, and the
conda platform name ("subdir") of a machine or an interpreter."""

from __future__ import annotations

import functools
import os
import platform as _platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.formats import conda_subdir  # the one home of the platform helpers

SETUPS_FILE = "setups.toml"
LOCK_HEADER = "# dlcheck-lock:"
# Where `--setup NAME` looks first: a folder holding <setup>/pylock.txt (and conda-lock.yml).
ENVS_DIR_VARIABLE = "DLCHECK_ENVS_DIR"


@dataclass(frozen=True)
class PlatformInfo:
    subdir: str  # conda's name: linux-64, linux-aarch64, osx-arm64, osx-64, win-64
    uv: str  # uv's --python-platform target
    title: str


@dataclass(frozen=True)
class Setup:
    name: str
    title: str
    pip_platforms: list[str]
    conda_platforms: list[str]
    conda_cuda: str  # "none" or the CUDA version conda-lock assumes (--with-cuda)
    disk_gib: float  # free space `env create` needs while it installs (downloads and all)
    macos_target: str | None = None
    notes: list[str] = field(default_factory=list)
    platform_notes: dict[str, list[str]] = field(default_factory=dict)
    # conda subdir -> why no lock of this setup can exist there (no wheels on PyPI, no CUDA).
    unavailable: dict[str, str] = field(default_factory=dict)
    # conda subdir -> the locked Pythons that platform has wheels for, where fewer than all.
    python_limits: dict[str, list[str]] = field(default_factory=dict)
    # variables the setup's Jupyter kernel spec sets (its "env"), e.g. KERAS_BACKEND=torch
    kernel_env: dict[str, str] = field(default_factory=dict)

    def notes_for(self, subdir: str) -> list[str]:
        return [*self.notes, *self.platform_notes.get(subdir, [])]

    def pythons_for(self, subdir: str, catalog: Catalog) -> list[str]:
        """The Python versions (3.X) this setup's pip lock installs on ``subdir``."""
        if subdir not in self.pip_platforms:
            return []
        return list(self.python_limits.get(subdir, catalog.pythons))


@dataclass(frozen=True)
class Catalog:
    python: str  # the preferred Python (README's manual route, env create's first choice)
    exclude_newer: str
    platforms: dict[str, PlatformInfo]
    setups: dict[str, Setup]
    pythons: list[str] = field(default_factory=list)  # every locked Python, e.g. 3.10..3.13


def parse_catalog(data: dict[str, Any], where: str) -> Catalog:
    """Validate the parsed setups.toml."""
    try:
        platforms = {
            k: PlatformInfo(k, str(v["uv"]), str(v["title"])) for k, v in data["platform"].items()
        }
        setups = {}
        for name, s in data["setup"].items():
            setups[name] = Setup(
                name=name,
                title=str(s["title"]),
                pip_platforms=[str(p) for p in s["pip_platforms"]],
                conda_platforms=[str(p) for p in s["conda_platforms"]],
                conda_cuda=str(s.get("conda_cuda", "none")),
                disk_gib=float(s["disk_gib"]),
                macos_target=s.get("macos_target"),
                notes=[str(n) for n in s.get("notes", [])],
                platform_notes={
                    str(k): [str(n) for n in v] for k, v in s.get("platform_notes", {}).items()
                },
                unavailable={str(k): str(v) for k, v in s.get("unavailable", {}).items()},
                python_limits={
                    str(k): [str(x) for x in v] for k, v in s.get("python_limits", {}).items()
                },
                kernel_env={str(k): str(v) for k, v in s.get("kernel_env", {}).items()},
            )
        python = str(data["python"])
        pythons = [str(v) for v in data.get("pythons", [python])]
        catalog = Catalog(python, str(data["exclude_newer"]), platforms, setups, pythons)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(where, f"malformed setups file ({exc!r})") from None
    for s in catalog.setups.values():
        for p in (*s.pip_platforms, *s.conda_platforms):
            if p not in catalog.platforms:
                raise UserError(where, f"setup {s.name!r} names unknown platform {p!r}")
        both = sorted(set(s.unavailable) & set(s.pip_platforms))
        if both:
            raise UserError(where, f"setup {s.name!r}: {both[0]} is both locked and unavailable")
        for p, vs in s.python_limits.items():
            if p not in s.pip_platforms or not set(vs) <= set(catalog.pythons):
                raise UserError(where, f"setup {s.name!r}: bad python_limits for {p!r}")
    if catalog.python not in catalog.pythons:
        raise UserError(where, f"python {catalog.python!r} is not one of pythons")
    return catalog


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The packaged setups.toml (parsed once per process: check consults it several times),
    or ``path`` (through the safe reader)."""
    if path is None:
        return _packaged_catalog()
    from dlcheck.userfiles import load_toml

    return parse_catalog(*load_toml(path, SETUPS_FILE))


@functools.lru_cache(maxsize=1)
def _packaged_catalog() -> Catalog:
    from dlcheck.userfiles import packaged_toml

    return parse_catalog(*packaged_toml("envs", SETUPS_FILE))


def current_subdir() -> str | None:
    """The platform of the running interpreter (an x86-64 Python under Rosetta is osx-64)."""
    from dlcheck.probes.system import normalise_arch

    return conda_subdir(_platform.system(), normalise_arch(_platform.machine() or ""))


def checkout_envs_dir() -> Path | None:
    """envs/ of the dlcheck source checkout this package runs from (editable install or a
    clone on sys.path); None for an installed wheel."""
    candidate = Path(__file__).resolve().parents[2] / "envs"
    return candidate if (candidate / "lock.py").is_file() else None


def packaged_envs_dir() -> Path | None:
    """The locks packaged in an installed wheel (dlcheck/envs/locked/<setup>/pylock.txt, put
    there by the wheel build from envs/; a checkout has none and uses envs/ itself)."""
    candidate = Path(__file__).resolve().parent / "locked"
    return candidate if candidate.is_dir() else None


def envs_dirs() -> list[Path]:
    """Where setups are looked for, in order: $DLCHECK_ENVS_DIR, the checkout, the locks
    packaged with dlcheck, ./envs."""
    out: list[Path] = []
    if os.environ.get(ENVS_DIR_VARIABLE):
        out.append(Path(os.environ[ENVS_DIR_VARIABLE]))
    if (c := checkout_envs_dir()) is not None:
        out.append(c)
    if (pk := packaged_envs_dir()) is not None:
        out.append(pk)
    out.append(Path.cwd() / "envs")
    return out


def find_setup_dir(name: str, catalog: Catalog) -> Path:
    """The folder of setup ``name``; UserError when unknown or not found."""
    if name not in catalog.setups:
        raise UserError(None, f"unknown setup {name!r}; known: {', '.join(sorted(catalog.setups))}")
    for base in envs_dirs():
        if (base / name).is_dir():
            return base / name
    raise UserError(
        None,
        f"the lock files of setup {name!r} are not here (this dlcheck was installed without "
        f"them): reinstall dlcheck, run from a clone of the dlcheck repository, set "
        f"{ENVS_DIR_VARIABLE} to its envs/ folder, or pass --lock FILE",
    )


def conda_locks_present(catalog: Catalog) -> set[str] | None:
    """The setups whose conda-lock.yml exists; None when no envs/ folder is found here."""
    for base in envs_dirs():
        if base.is_dir():
            return {n for n in catalog.setups if (base / n / "conda-lock.yml").is_file()}
    return None


PIP_LOCK = "pylock.txt"


def pip_lock_name(subdir: str | None = None) -> str:
    """The file name of a setup's pip lock: one universal lock serves every platform, so
    ``subdir`` no longer changes it (kept for callers that pass it)."""
    return PIP_LOCK


def lock_unavailable_reason(
    catalog: Catalog, setup: Setup, subdir: str | None, python: str | None
) -> str | None:
    """Why ``setup``'s pip lock cannot install on ``subdir`` with Python ``python`` (3.X or
    3.X.Y); None when it can."""
    title = catalog.platforms[subdir].title if subdir in catalog.platforms else subdir
    if subdir is None:
        return "this platform has no conda name; no lock is made for it"
    if subdir in setup.unavailable:
        return f"setup {setup.name} cannot exist on {title}: {setup.unavailable[subdir]}"
    if subdir not in setup.pip_platforms:
        return f"setup {setup.name} has no pip lock for {title} ({subdir})"
    if python is not None:
        short = ".".join(python.split(".")[:2])
        allowed = setup.pythons_for(subdir, catalog)
        if short not in allowed:
            return (
                f"setup {setup.name} is locked for Python {', '.join(allowed)} on {subdir}, "
                f"not {short}"
            )
    return None


def pip_lock_for(catalog: Catalog, setup: Setup | str, subdir: str, python: str) -> str:
    """The path, relative to envs/, of the pip lock that installs ``setup`` on ``subdir``
    with Python ``python`` ("3.12" or "3.12.1"). UserError (one line) when no lock can."""
    s = catalog.setups[setup] if isinstance(setup, str) else setup
    why = lock_unavailable_reason(catalog, s, subdir, python)
    if why:
        raise UserError(None, why)
    return f"{s.name}/{PIP_LOCK}"
