"""What an environment holds: conda packages from <prefix>/conda-meta/*.json and Python
distributions from the metadata folders in its site-packages. Reads only; changes nothing."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.probes.packages import parse_metadata_dirnames


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


def read_installer(meta_dir: Path) -> str | None:
    try:
        return (meta_dir / "INSTALLER").read_text(encoding="utf-8").strip() or None
    except OSError:
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
    """conda's records of the packages installed in ``prefix``, and the unreadable ones."""
    out: dict[str, CondaRecord] = {}
    problems: list[str] = []
    folder = prefix / "conda-meta"
    try:
        files = sorted(folder.glob("*.json"))
    except OSError:
        return out, problems
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            name, version = str(data["name"]), str(data["version"])
        except (OSError, ValueError, KeyError, TypeError):
            problems.append(f"unreadable conda record {f.name}")
            continue
        out[name] = CondaRecord(
            name=name,
            version=version,
            build=data.get("build") or data.get("build_string"),
            channel=data.get("channel") or data.get("url"),
        )
    return out, problems


def python_version_of(prefix: Path, conda: dict[str, CondaRecord]) -> str | None:
    """The Python version of the environment at ``prefix``, without running it."""
    if Path(sys.prefix).resolve() == prefix.resolve():
        return ".".join(str(x) for x in sys.version_info[:3])
    if "python" in conda:
        return conda["python"].version
    try:
        for line in (prefix / "pyvenv.cfg").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info"):
                return value.strip()
    except OSError:
        pass
    return None


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
