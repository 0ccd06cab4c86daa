"""The lock-making helpers: the inputs hash and the header of a setup's pip lock. envs/lock.py
writes them; the test suite recomputes them offline to prove a lock is current with its
sources. `dlcheck` itself never makes a lock (the catalogue is dlcheck/envs/setups.py)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from dlcheck.envs.setups import LOCK_HEADER, Catalog, Setup

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib


def inputs_sha256(
    requirements_in: str,
    core_dependencies: list[str],
    python: str,
    uv_target: str,
    exclude_newer: str,
    macos_target: str | None,
) -> str:
    """Hash of everything a pip lock is computed from; stored in the lock's header so a
    check can tell, offline, that a lock is current with its sources."""
    parts = [
        "requirements.in",
        requirements_in.replace("\r\n", "\n"),
        "core",
        *sorted(core_dependencies),
        f"python={python}",
        f"target={uv_target}",
        f"exclude-newer={exclude_newer}",
        f"macos-target={macos_target or ''}",
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def setup_inputs_hash(catalog: Catalog, setup: Setup, envs_dir: Path, pyproject: Path) -> str:
    """inputs_sha256 of a setup's universal pip lock: envs/lock.py writes it, the test suite
    recomputes it offline."""
    req = envs_dir / setup.name / "requirements.in"
    return inputs_sha256(
        req.read_text(encoding="utf-8"),
        core_dependencies(pyproject),
        ",".join(catalog.pythons),
        "universal:" + ",".join(setup.pip_platforms),
        catalog.exclude_newer,
        setup.macos_target,
    )


def core_dependencies(pyproject: str | Path) -> list[str]:
    """dlcheck's own run-time dependencies ([project].dependencies of pyproject.toml)."""
    data = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    return [str(d) for d in data["project"]["dependencies"]]


def header_lines(
    setup: str, subdirs: list[str], pythons: list[str], inputs_hash: str, exclude_newer: str
) -> list[str]:
    """The dlcheck header on top of every pip lock: what it is for, read by verify."""
    return [
        f"{LOCK_HEADER} setup={setup} platforms={','.join(subdirs)} pythons={','.join(pythons)}",
        f"# inputs-sha256: {inputs_hash}",
        f"# exclude-newer: {exclude_newer}",
        "# One lock for every platform and Python above: environment markers pick the packages.",
        "# Easiest: dlcheck env create --setup " + setup,
        "# By hand: python -m pip install --require-hashes -r THIS_FILE",
        "#   then dlcheck itself: python -m pip install --no-deps dlcheck (or -e . in a clone)",
    ]
