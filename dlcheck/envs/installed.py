"""What an environment holds: conda packages from <prefix>/conda-meta/*.json and Python
distributions from the metadata folders in its site-packages. Reads only; changes nothing."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.probes.packages import parse_metadata_dirnames
from dlcheck.sanitize import clean


@dataclass(frozen=True)
class InstalledDist:
    name: str  # canonical
    version: str
    installer: str | None  # pip, uv, conda, ... (the INSTALLER file); None when absent


@dataclass(frozen=True)
class CondaRecord:
    name: str
    version: str
    build: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Environment:
    prefix: str
    conda: dict[str, CondaRecord]  # empty for a venv
    dists: dict[str, InstalledDist]
    python_version: str | None = None
    problems: list[str] = field(default_factory=list)  # unreadable records, named

    @property
    def is_conda(self) -> bool:
        return bool(self.conda)


def site_packages_dirs(prefix: Path) -> list[Path]:
    """The site-packages folders of the environment at ``prefix`` (POSIX and Windows layouts)."""
    found = [prefix / "Lib" / "site-packages"]
    for lib in ("lib", "lib64"):
        base = prefix / lib
        try:
            found += sorted(base.glob("python3*/site-packages"))
        except OSError:
            continue
    seen: list[Path] = []
    for p in found:
        if p.is_dir() and p.resolve() not in [s.resolve() for s in seen]:
            seen.append(p)
    return seen


SMALL = 64 * 1024  # INSTALLER and pyvenv.cfg are a few lines


def read_installer(meta_dir: Path) -> str | None:
    from dlcheck.errors import UserError
    from dlcheck.userfiles import read_text

    try:
        return read_text(meta_dir / "INSTALLER", SMALL).strip() or None
    except UserError:
        return None


def scan_dists(dirs: list[Path]) -> dict[str, InstalledDist]:
    """Every distribution in ``dirs``; the first folder wins, as it does for ``import``."""
    out: dict[str, InstalledDist] = {}
    for d in dirs:
        try:
            entries = sorted(os.listdir(d))
        except OSError:
            continue
        for entry in entries:
            parsed = parse_metadata_dirnames([entry])
            for name, version in parsed.items():
                if name not in out:
                    out[name] = InstalledDist(name, version, read_installer(d / entry))
    return out


def scan_conda_meta(prefix: Path) -> tuple[dict[str, CondaRecord], list[str]]:
    """conda's records of the packages installed in ``prefix``, and the unreadable ones,
    each read through the safe reader (dlcheck.userfiles)."""
    from dlcheck.errors import UserError
    from dlcheck.sanitize import clean
    from dlcheck.userfiles import read_json

    out: dict[str, CondaRecord] = {}
    problems: list[str] = []
    folder = prefix / "conda-meta"
    try:
        files = sorted(folder.glob("*.json"))
    except OSError:
        return out, problems
    for f in files:
        try:
            data = read_json(f)  # the safe reader: a FIFO or a link to /dev/zero is one line
            name, version = data["name"], data["version"]
            if not isinstance(name, str) or not isinstance(version, (str, int, float)):
                raise TypeError("name and version must be text")
            version = str(version)
        except UserError as exc:
            problems.append(f"unreadable conda record {clean(f.name, 120)}: {exc.problem}")
            continue
        except (KeyError, TypeError, AttributeError):
            problems.append(f"unreadable conda record {clean(f.name, 120)}: no name and version")
            continue
        out[name] = CondaRecord(
            name=name,
            version=version,
            build=_text(data.get("build") or data.get("build_string")),
            channel=_text(data.get("channel") or data.get("url")),
        )
    return out, problems


def _text(value: object) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


_VERSION_RE = re.compile(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?")


def normal_version(text: object) -> str | None:
    """``3.X.Y`` (or ``3.X``) from what a tool writes for a Python version: venv and conda
    ``3.12.1``, virtualenv, poetry and pipenv ``3.12.0.final.0``, uv ``3.12.4``, a build's
    ``3.13.0rc1``; None when it does not start with a version (never a malformed one)."""
    m = _VERSION_RE.match(str(text or ""))
    if not m:
        return None
    return ".".join(g for g in m.groups() if g is not None)


def parse_pyvenv_cfg(text: str) -> dict[str, str]:
    """The ``key = value`` lines of a pyvenv.cfg as venv, virtualenv, uv, poetry, pipenv and
    conda's venv write them (keys lower-cased, ``-`` and ``_`` alike: ``base-executable``)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.lstrip().startswith("#"):
            out.setdefault(key.strip().lower().replace("_", "-"), value.strip())
    return out


def pyvenv_version(cfg: dict[str, str]) -> str | None:
    """The Python version a parsed pyvenv.cfg names (``version_info``, ``version``)."""
    for key in ("version-info", "version"):
        found = normal_version(cfg.get(key))
        if found:
            return found
    return None


ASK_TIMEOUT = 20.0


def ask_interpreter(prefix: Path, timeout: float = ASK_TIMEOUT) -> str | None:
    """The environment's own Python, asked for its version (under a timeout); None if none."""
    from dlcheck.subprocesses import run_command

    for rel in ("bin/python", "bin/python3", "Scripts/python.exe", "python.exe"):
        exe = prefix / rel
        if exe.is_file():
            code = "import sys; print('%d.%d.%d' % sys.version_info[:3])"
            got = run_command([str(exe), "-c", code], timeout=timeout)
            return normal_version(got.stdout.strip()) if got.ok else None
    return None


def python_version_of(prefix: Path, conda: dict[str, CondaRecord]) -> str | None:
    """The Python version of the environment at ``prefix``: the running one's, conda's
    record, pyvenv.cfg (any tool's format), else its interpreter asked; None when unknown."""
    if Path(sys.prefix).resolve() == prefix.resolve():
        return ".".join(str(x) for x in sys.version_info[:3])
    if "python" in conda:
        found = normal_version(conda["python"].version)
        if found:
            return found
    from dlcheck.errors import UserError
    from dlcheck.userfiles import read_text

    try:
        found = pyvenv_version(parse_pyvenv_cfg(read_text(prefix / "pyvenv.cfg", SMALL)))
        if found:
            return found
    except UserError:
        pass
    return ask_interpreter(prefix)


def scan_environment(prefix: str | Path | None = None) -> Environment:
    """Read the environment at ``prefix`` (default: the running one, ``sys.prefix``)."""
    root = Path(prefix) if prefix is not None else Path(sys.prefix)
    conda, problems = scan_conda_meta(root)
    dists = scan_dists(site_packages_dirs(root))
    return Environment(
        prefix=str(root),
        conda=conda,
        dists=dists,
        python_version=python_version_of(root, conda),
        problems=problems,
    )


# ----------------------------------------------- the marker of `dlcheck env create` ---

MARKER = "dlcheck-env.json"


def read_marker(prefix: str | Path) -> dict[str, Any] | None:
    """The create marker of the environment at ``prefix``; None when it has none. A marker
    that cannot be read counts as an incomplete environment."""
    from dlcheck.errors import UserError
    from dlcheck.userfiles import read_json

    path = Path(prefix) / MARKER
    if not os.path.lexists(path):
        return None
    try:
        data = read_json(path, limit=1 << 20)  # the safe reader: a FIFO or /dev/zero is refused
    except UserError:
        return {"state": "unreadable"}
    return data if isinstance(data, dict) else {"state": "unreadable"}


def incomplete_reason(prefix: str | Path) -> str | None:
    """Why the environment at ``prefix`` must not be trusted (an unfinished create); None
    when it has no marker or a finished one."""
    data = read_marker(prefix)
    if data is None or data.get("state") == "complete":
        return None
    return (
        f"`dlcheck env create` did not finish this environment (state "
        f"{clean(data.get('state'), 40)!r}): run it again, or with --force"
    )
