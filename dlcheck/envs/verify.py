"""Compare an installed environment with a lock: missing, different and extra packages.
A pure function of the lock and what was read from the environment."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.version import InvalidVersion, Version

from dlcheck.documents import ENV_VERIFY, with_header
from dlcheck.envs.installed import Environment
from dlcheck.envs.locks import Lock, LockedPackage
from dlcheck.records import to_dict
from dlcheck.version import __version__

# dlcheck is not on PyPI: it is installed from the checkout with --no-deps and is not in the
# locks. It is the tool doing the checking, so verify never counts it.
TOOL = "dlcheck"
# The installers a fresh venv brings; counted only when a lock pins them.
BOOTSTRAP = ("pip", "setuptools", "wheel")


@dataclass(frozen=True)
class PackageDiff:
    name: str
    manager: str  # conda or pip
    locked: str | None = None
    installed: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Repair:
    """The way back to the lock when an environment differs: why this route, and the
    commands (quoted for the user's shell), in the order to try them."""

    why: str
    commands: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VerifyResult:
    lock_path: str
    lock_format: str
    setup: str | None
    platform: str
    prefix: str
    python_version: str | None
    lock_python: str | None
    checked: int  # packages of the lock that apply here
    missing: list[PackageDiff] = field(default_factory=list)
    different: list[PackageDiff] = field(default_factory=list)
    extra: list[PackageDiff] = field(default_factory=list)
    ignored: list[PackageDiff] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    allow_extra: bool = False
    created: str | None = None
    hostname: str | None = None
    incomplete: str | None = None  # why: an unfinished `dlcheck env create`
    # The judgement of what to do when it differs; computed from the rest when not given.
    repair: Repair | None = None

    def __post_init__(self) -> None:
        if self.repair is None and not self.matches:
            object.__setattr__(self, "repair", repair_route(self))

    @property
    def matches(self) -> bool:
        if self.incomplete:
            return False
        return not (self.missing or self.different or (self.extra and not self.allow_extra))

    @property
    def verdict(self) -> str:
        if self.incomplete:
            return "INCOMPLETE"
        return "MATCH" if self.matches else "MISMATCH"

    @property
    def exit_code(self) -> int:
        return 0 if self.matches else 1

    def summary(self) -> str:
        """One line: the verdict and the counts."""
        return (
            f"{self.verdict}: {self.checked} locked packages; {len(self.missing)} missing, "
            f"{len(self.different)} different, {len(self.extra)} extra"
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The documented, versioned JSON form (``dlcheck env verify --json``)."""
        return with_header(
            ENV_VERIFY,
            {
                "dlcheck_version": __version__,
                "created": self.created,
                "hostname": self.hostname,
                "setup": self.setup,
                "platform": self.platform,
                "lock": {
                    "path": self.lock_path,
                    "format": self.lock_format,
                    "python": self.lock_python,
                },
                "prefix": self.prefix,
                "python_version": self.python_version,
                "verdict": self.verdict,
                "exit_code": self.exit_code,
                "counts": {
                    "checked": self.checked,
                    "missing": len(self.missing),
                    "different": len(self.different),
                    "extra": len(self.extra),
                    "ignored": len(self.ignored),
                },
                "allow_extra": self.allow_extra,
                "missing": to_dict(self.missing),
                "different": to_dict(self.different),
                "extra": to_dict(self.extra),
                "ignored": to_dict(self.ignored),
                "notes": list(self.notes),
                "repair": to_dict(self.repair) if self.repair else None,
            },
        )


def same_pip_version(a: str, b: str) -> bool:
    """PEP 440 equality (1.0 == 1.0.0); plain text equality for non-PEP 440 versions."""
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def marker_environment(python_version: str | None) -> dict[str, str] | None:
    """Marker variables for an environment of this machine with Python ``python_version``
    (3.X.Y): a universal lock's markers depend on it, and `verify --prefix` may look at an
    environment whose Python is not the running one. None: the running interpreter's."""
    from dlcheck.envs.installed import normal_version

    full = normal_version(python_version)  # never a malformed version ("3.12.0.final.0")
    if not full:
        return None
    parts = full.split(".")
    return {"python_version": ".".join(parts[:2]), "python_full_version": full}


def applies(pkg: LockedPackage, python_version: str | None = None) -> bool:
    """Does this locked package belong in an environment of this machine with that Python?"""
    if pkg.manager != "pip" or not pkg.marker:
        return True
    return Marker(pkg.marker).evaluate(marker_environment(python_version))


def verify(
    lock: Lock,
    env: Environment,
    platform: str,
    allow_extra: bool = False,
    setup: str | None = None,
    check_marker: bool = True,
) -> VerifyResult:
    """Compare ``env`` with the packages ``lock`` pins for ``platform``. Raises UserError
    (from ``Lock.for_platform``) when the lock is not for this platform."""
    wanted = [p for p in lock.for_platform(platform) if applies(p, env.python_version)]
    notes: list[str] = list(env.problems)
    conda_lock = lock.format == "conda-lock-v1"
    # In a conda environment conda's own Python packages also have metadata folders; pip's
    # view is only what conda did not install.
    pip_view = {
        n: d for n, d in env.dists.items() if not (conda_lock and (d.installer or "") == "conda")
    }
    want_conda = {p.name: p for p in wanted if p.manager == "conda"}
    want_pip = {p.name: p for p in wanted if p.manager == "pip"}
    missing, different = _compare_conda(want_conda, env)
    pip_missing, pip_different = _compare_pip(want_pip, pip_view, env)
    missing += pip_missing
    different += pip_different
    extra, ignored = _not_locked(want_conda, want_pip, pip_view, env, conda_lock)
    py = env.python_version
    made_for = lock.pythons or ([lock.python] if lock.python else [])
    if made_for and py and not any(py == v or py.startswith(v + ".") for v in made_for):
        notes.append(
            f"the lock was made for Python {', '.join(made_for)}; this environment has Python "
            f"{py} (the packages are compared all the same)"
        )
    incomplete = None
    if check_marker:
        from dlcheck.envs.installed import incomplete_reason

        incomplete = incomplete_reason(env.prefix)
        if incomplete:
            notes.insert(0, incomplete)
    return VerifyResult(
        incomplete=incomplete,
        lock_path=lock.path,
        lock_format=lock.format,
        setup=setup or lock.setup,
        platform=platform,
        prefix=env.prefix,
        python_version=py,
        lock_python=lock.python,
        checked=len(want_conda) + len(want_pip),
        missing=missing,
        different=different,
        extra=extra,
        ignored=ignored,
        notes=notes,
        allow_extra=allow_extra,
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        hostname=socket.gethostname() or None,
    )


def _compare_conda(
    want: dict[str, LockedPackage], env: Environment
) -> tuple[list[PackageDiff], list[PackageDiff]]:
    """The conda packages of the lock that are missing, and those of another version or build."""
    missing: list[PackageDiff] = []
    different: list[PackageDiff] = []
    for name, pkg in sorted(want.items()):
        rec = env.conda.get(name)
        if rec is None:
            if not pkg.optional:
                missing.append(PackageDiff(name, "conda", locked=_conda_label(pkg)))
            continue
        if rec.version != pkg.version or (pkg.build and rec.build and rec.build != pkg.build):
            detail = "build differs" if rec.version == pkg.version else None
            different.append(
                PackageDiff(
                    name,
                    "conda",
                    locked=_conda_label(pkg),
                    installed=f"{rec.version} {rec.build}" if rec.build else rec.version,
                    detail=detail,
                )
            )
    return missing, different


def _compare_pip(
    want: dict[str, LockedPackage], pip_view: dict[str, Any], env: Environment
) -> tuple[list[PackageDiff], list[PackageDiff]]:
    """The pip packages of the lock that are missing, and those of another version."""
    missing: list[PackageDiff] = []
    different: list[PackageDiff] = []
    for name, pkg in sorted(want.items()):
        dist = pip_view.get(name)
        if dist is None:
            if name in env.dists:  # installed by conda although the lock wants pip's
                dist = env.dists[name]
            elif not pkg.optional:
                missing.append(PackageDiff(name, "pip", locked=pkg.version))
                continue
            else:
                continue
        if not same_pip_version(dist.version, pkg.version):
            different.append(PackageDiff(name, "pip", locked=pkg.version, installed=dist.version))
    return missing, different


def _not_locked(
    want_conda: dict[str, LockedPackage],
    want_pip: dict[str, LockedPackage],
    pip_view: dict[str, Any],
    env: Environment,
    conda_lock: bool,
) -> tuple[list[PackageDiff], list[PackageDiff]]:
    """What is installed and not locked: extra packages, and those not compared (the tool
    itself, the installers a fresh venv brings)."""
    extra: list[PackageDiff] = []
    ignored: list[PackageDiff] = []
    if conda_lock:
        for name, rec in sorted(env.conda.items()):
            if name not in want_conda:
                extra.append(PackageDiff(name, "conda", installed=rec.version))
    for name, dist in sorted(pip_view.items()):
        if name in want_pip or name in want_conda:
            continue
        if name == TOOL:
            ignored.append(PackageDiff(name, "pip", installed=dist.version, detail="the tool"))
        elif name in BOOTSTRAP:
            ignored.append(PackageDiff(name, "pip", installed=dist.version, detail="installer"))
        else:
            extra.append(PackageDiff(name, "pip", installed=dist.version))
    return extra, ignored


def _conda_label(pkg: LockedPackage) -> str:
    return f"{pkg.version} {pkg.build}" if pkg.build else pkg.version


def _in_site_packages(path: str) -> bool:
    parts = Path(path).parts
    return "site-packages" in parts or "dist-packages" in parts


def _shown_path(path: str) -> str:
    """A lock path as the user can type it: relative to the current folder when inside it."""
    try:
        rel = Path(path).resolve().relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return path
    return str(rel)


def repair_route(r: VerifyResult) -> Repair | None:
    """What to do when the environment does not match, and the commands: a fresh
    environment from the setup's lock (``dlcheck env create --setup X``, which finds the
    lock packaged with dlcheck), or, for a lock file the user named (or one in a checkout,
    never one inside site-packages), installing it into this environment."""
    if r.matches:
        return None
    conda = r.lock_format == "conda"
    create = None
    if r.setup:
        create = f"dlcheck env create --setup {r.setup}" + (" --conda" if conda else "")
        if r.incomplete:
            create += " --force"
    in_place = None
    if not _in_site_packages(r.lock_path):
        from dlcheck.shellquote import quote  # pasted into the user's shell: quoted for it

        lock = quote(_shown_path(r.lock_path))
        if conda:
            in_place = f"conda-lock install --prefix {quote(r.prefix)} {lock}"
        else:
            in_place = f"python -m pip install --require-hashes -r {lock}"
    if not (r.missing or r.different) and r.extra and not r.incomplete:
        cmds = [c for c in (create,) if c]
        why = "only extra packages: add --allow-extra if you want them"
        return Repair(why + (", or make a fresh environment:" if cmds else "."), cmds)
    if create and in_place:
        why = "make a fresh environment from the lock, or repair this one in place:"
        return Repair(why, [create, in_place])
    if create:
        return Repair("make a fresh environment from the lock:", [create])
    if in_place:
        return Repair("repair this environment from the lock:", [in_place])
    # A lock inside an installed package, named without its setup: the setup is the way.
    why = "make a fresh environment from the setup that fits this machine:"
    return Repair(why, ["dlcheck env recommend"])
