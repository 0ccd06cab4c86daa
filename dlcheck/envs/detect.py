"""The environment's probe for `dlcheck check`: was the running environment made from one of
our setups, and how does it compare with its lock (facts: dlcheck/envs/facts.py)? Only an
environment `dlcheck env create` made (its marker names the setup), or one the user names a
setup for, is compared with a lock: an environment made another way (the lesson's own pip
line) is judged by what it runs, never against a lock it was never made from. Even then most
of the setup's locked packages must be installed at the locked versions."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlcheck.envs.facts import environment_line  # noqa: F401 - render/summary.py imports it here
from dlcheck.errors import UserError
from dlcheck.probes.packages import canonical_name

if TYPE_CHECKING:
    from dlcheck.envs.installed import Environment
    from dlcheck.envs.locks import Lock

# Share of a lock's packages that must sit at the locked version to call it "made from it".
MADE_FROM_SHARE = 0.8
LIST_LIMIT = 10


def is_conda_prefix(prefix: str | None) -> bool:
    """Does the environment at ``prefix`` (default: the running one) have conda-meta records?"""
    return (Path(prefix or sys.prefix) / "conda-meta").is_dir()


def candidate_locks(envs_dir: Path, platform: str, conda_env: bool) -> list[Path]:
    """The pip lock of every setup (one universal lock each; ``platform`` is checked when it
    is read) and conda-lock.yml in a conda env."""
    from dlcheck.envs.setups import pip_lock_name

    out: list[Path] = []
    for setup_dir in sorted(p for p in envs_dir.iterdir() if p.is_dir()):
        pip_lock = setup_dir / pip_lock_name(platform)
        if pip_lock.is_file():
            out.append(pip_lock)
        if conda_env and (setup_dir / "conda-lock.yml").is_file():
            out.append(setup_dir / "conda-lock.yml")
    return out


def share_at_locked_version(lock: Lock, env: Environment, platform: str) -> float:
    """How many of the lock's packages for ``platform`` are installed at the locked version."""
    from dlcheck.envs.verify import applies, same_pip_version

    try:
        wanted = [p for p in lock.for_platform(platform) if applies(p, env.python_version)]
    except UserError:
        return 0.0
    hits = 0
    for p in wanted:
        if p.manager == "conda":
            rec = env.conda.get(p.name)
            hits += rec is not None and rec.version == p.version
        else:
            dist = env.dists.get(p.name)
            hits += dist is not None and same_pip_version(dist.version, p.version)
    return hits / len(wanted) if wanted else 0.0


_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def quick_pip_share(text: str, installed: dict[str, str]) -> float:
    """A cheap first look at a pip lock: the share of its pinned names installed at one of
    the versions pinned for them (markers ignored: a universal lock pins some names several
    times, once per platform or Python). Lets `dlcheck check` skip parsing locks that clearly
    do not describe this environment."""
    pins: dict[str, set[str]] = {}
    for n, v in _PIN.findall(text):
        pins.setdefault(canonical_name(n), set()).add(v)
    if not pins:
        return 0.0
    return sum(installed.get(n) in vs for n, vs in pins.items()) / len(pins)


MARKER_FILE = "dlcheck-env.json"  # dlcheck.envs.installed.MARKER, written by `env create`


def made_by(prefix: str | None = None) -> str | None:
    """The setup `dlcheck env create` made the environment at ``prefix`` (default: the running
    one) from, as its marker says; None when no marker names one."""
    if not (Path(prefix or sys.prefix) / MARKER_FILE).is_file():
        return None  # the usual case, without importing the reader
    from dlcheck.envs.installed import read_marker

    marker = read_marker(prefix or sys.prefix) or {}
    setup = marker.get("setup")
    return setup if isinstance(setup, str) and setup else None


def environment_section(
    envs_dir: Path | None = None,
    platform: str | None = None,
    prefix: str | None = None,
    installed: dict[str, str] | None = None,
    setup: str | None = None,
) -> dict[str, Any] | None:
    """Plain data for ``Facts.sections["environment"]``; None when no setup made this environment
    (no `env create` marker and no ``setup`` named), or no lock files are found here. Never
    raises: a problem becomes an ``error`` entry."""
    from dlcheck.envs.setups import current_subdir, envs_dirs

    named = setup
    try:
        named = named or made_by(prefix)
        if named is None:
            return None
        platform = platform or current_subdir()
        if platform is None:
            return None
        if envs_dir is None:
            envs_dir = next((d for d in envs_dirs() if d.is_dir()), None)
            if envs_dir is None:
                return None
        candidates = [
            p
            for p in candidate_locks(envs_dir, platform, is_conda_prefix(prefix))
            if p.parent.name == named
        ]
        if installed is not None and setup is None:
            # Markers make a few pins inapplicable here, so the first look is lenient.
            candidates = [
                p
                for p in candidates
                if p.suffix != ".txt" or quick_pip_share(p.read_text(), installed) >= 0.5
            ]
        if not candidates:
            return None
        # Imported only once a candidate lock exists: `dlcheck check` must stay fast.
        from dlcheck.envs.installed import scan_environment
        from dlcheck.envs.locks import read_lock
        from dlcheck.envs.verify import verify

        env = scan_environment(prefix)
        best: tuple[float, Lock, str] | None = None
        for path in candidates:
            try:
                lock = read_lock(path)
            except UserError:
                continue
            share = share_at_locked_version(lock, env, platform)
            if best is None or share > best[0]:
                best = (share, lock, path.parent.name)
        if best is None or (setup is None and best[0] < MADE_FROM_SHARE):
            return None
        share, lock, setup = best
        result = verify(lock, env, platform, setup=setup)
    except Exception as exc:  # noqa: BLE001 - a report must still arrive
        return {"error": f"{type(exc).__name__}: {exc}"}
    # Facts only (what was found); the check kind environment_lock judges them.
    return {
        "setup": setup,
        "lock": str(lock.path),
        "lock_format": lock.format,
        "platform": platform,
        "share_at_locked_version": round(share, 3),
        "counts": {
            "checked": result.checked,
            "missing": len(result.missing),
            "different": len(result.different),
            "extra": len(result.extra),
        },
        "missing": [d.name for d in result.missing][:LIST_LIMIT],
        "different": [f"{d.name} {d.installed} (lock {d.locked})" for d in result.different][
            :LIST_LIMIT
        ],
        "extra": [f"{d.name} {d.installed}" for d in result.extra][:LIST_LIMIT],
        "incomplete": result.incomplete,
        **_defaults(prefix),
    }


def _defaults(prefix: str | None) -> dict[str, Any]:
    """The variables the environment sets itself (its startup hook), as facts."""
    from dlcheck.envs.defaults import read_hook

    hook = read_hook(Path(prefix or sys.prefix))
    return {"defaults": hook["defaults"], "defaults_from": hook["module"]} if hook else {}


def lock_of_environment(prefix: str | None = None) -> tuple[str, str | None, str]:
    """Which lock ``dlcheck env verify`` with no option checks the environment at ``prefix``
    (None: the running one) against: ``(setup, lock path or None, how it was chosen)``. The
    setup named by the marker ``dlcheck env create`` left (its lock for this platform: the
    caller picks it, lock None), else the lock this environment matches best (most of its
    packages at the locked versions). UserError when neither names one."""
    from dlcheck.envs.installed import MARKER, read_marker

    where = Path(prefix) if prefix else Path(sys.prefix)
    marker = read_marker(where)
    if marker and isinstance(marker.get("setup"), str) and marker["setup"]:
        setup = marker["setup"]
        return setup, None, f"setup {setup}, named by {where / MARKER} (dlcheck env create)"
    section = environment_section(prefix=prefix)
    if section and section.get("setup") and section.get("lock"):
        share = section.get("share_at_locked_version")
        at = f"{share:.0%} of its packages at the locked versions" if share else "its packages"
        return (
            section["setup"],
            section["lock"],
            f"setup {section['setup']}, the lock this environment matches ({at}; no "
            f"{MARKER} marker: not made by dlcheck env create)",
        )
    from dlcheck.envs.setups import load_catalog

    names = ", ".join(sorted(load_catalog().setups))
    raise UserError(
        None,
        f"{where} was not made from a course setup (no {MARKER} marker, and no setup's lock "
        f"matches it); give --setup NAME ({names}) or --lock FILE; `dlcheck env recommend` "
        "says which setup fits this machine",
    )
