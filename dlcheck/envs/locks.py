"""Lock files as data: conda-lock version 1 (conda-lock.yml) and pip requirement locks
(`name==version --hash=...`, as `uv pip compile --generate-hashes` writes them).

Every problem with a file is a UserError naming it: one line, exit status 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.envs.facts import WHEEL_TAGS, wheel_glibc  # noqa: F401 - the lock's metadata
from dlcheck.envs.setups import LOCK_HEADER
from dlcheck.errors import UserError
from dlcheck.probes.packages import canonical_name
from dlcheck.userfiles import read_text


@dataclass(frozen=True)
class LockedPackage:
    name: str  # conda name as written; pip names canonicalised (PEP 503)
    version: str
    manager: str  # conda or pip
    platform: str | None = None
    build: str | None = None
    category: str = "main"
    optional: bool = False
    marker: str | None = None  # PEP 508 environment marker of a pip requirement


@dataclass(frozen=True)
class Lock:
    path: str
    format: str  # conda-lock-v1 or pip
    platforms: list[str]  # empty: a pip lock that does not say
    packages: list[LockedPackage]
    setup: str | None = None
    python: str | None = None  # the one Python the lock was made for, when it says one
    channels: list[str] = field(default_factory=list)
    pythons: list[str] = field(default_factory=list)  # every Python (3.X) it was made for

    def for_platform(self, platform: str) -> list[LockedPackage]:
        """The packages to install on ``platform``; UserError when the lock is for others."""
        if self.platforms and platform not in self.platforms:
            raise UserError(
                self.path,
                f"made for {', '.join(self.platforms)}, not for this platform ({platform})",
            )
        chosen = [p for p in self.packages if p.platform in (None, platform)]
        if not chosen:
            raise UserError(self.path, f"names no package for this platform ({platform})")
        return chosen


def read_lock(path: str | Path) -> Lock:
    """Read a lock in either format, chosen by its content."""
    text = read_text(path)
    name = Path(path).name.lower()
    if name.endswith((".yml", ".yaml")) or (
        not name.endswith(".txt") and re.search(r"^(version|package|metadata):", text, re.M)
    ):
        return parse_conda_lock(text, str(path))
    return parse_pip_lock(text, str(path))


# ---------------------------------------------------------------- conda-lock version 1 ---

# The fields conda-lock's own JSON schema (conda_lock/lockfile/v1/conda-lock-v1.schema.json)
# defines; its objects allow no others ("additionalProperties": false).
_TOP_REQUIRED = {"package", "metadata"}
_TOP_ALLOWED = {"version", "package", "metadata"}
_META_REQUIRED = {"content_hash", "channels", "platforms", "sources"}
_META_ALLOWED = _META_REQUIRED | {
    "time_metadata",
    "git_metadata",
    "inputs_metadata",
    "custom_metadata",
}
_PKG_REQUIRED = {"name", "version", "manager", "platform", "url", "hash", "optional"}
_PKG_ALLOWED = _PKG_REQUIRED | {"dependencies", "source", "build", "category"}
_HASH_ALLOWED = {"md5", "sha256"}


def _need(cond: bool, where: str, problem: str) -> None:
    if not cond:
        raise UserError(where, f"not a conda-lock version 1 file: {problem}")


def _keys(obj: Any, required: set[str], allowed: set[str], what: str, where: str) -> None:
    _need(isinstance(obj, dict), where, f"{what} is not a mapping")
    missing = sorted(required - set(obj))
    _need(not missing, where, f"{what} lacks {', '.join(missing)}")
    unknown = sorted(set(obj) - allowed)
    _need(not unknown, where, f"{what} has unknown field(s) {', '.join(unknown)}")


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def validate_conda_lock(data: Any, where: str) -> None:
    """Check ``data`` against the conda-lock v1 schema (types, required and allowed fields)."""
    _keys(data, _TOP_REQUIRED, _TOP_ALLOWED, "the file", where)
    _need(data.get("version", 1) == 1, where, f"version is {data.get('version')!r}, not 1")
    meta = data["metadata"]
    _keys(meta, _META_REQUIRED, _META_ALLOWED, "metadata", where)
    _need(
        isinstance(meta["content_hash"], dict)
        and all(isinstance(v, str) for v in meta["content_hash"].values()),
        where,
        "metadata.content_hash is not a mapping of platform to hash",
    )
    _need(_is_str_list(meta["platforms"]), where, "metadata.platforms is not a list of names")
    _need(_is_str_list(meta["sources"]), where, "metadata.sources is not a list of paths")
    _need(isinstance(meta["channels"], list), where, "metadata.channels is not a list")
    for i, ch in enumerate(meta["channels"]):
        _keys(ch, {"url", "used_env_vars"}, {"url", "used_env_vars"}, f"channel {i}", where)
    for key in ("time_metadata", "git_metadata", "inputs_metadata", "custom_metadata"):
        v = meta.get(key)
        _need(v is None or isinstance(v, dict), where, f"metadata.{key} is not a mapping")
    tm = meta.get("time_metadata")
    if tm is not None:
        _keys(tm, {"created_at"}, {"created_at"}, "metadata.time_metadata", where)
    _need(isinstance(data["package"], list), where, "package is not a list")
    for i, pkg in enumerate(data["package"]):
        what = f"package {i}"
        _keys(pkg, _PKG_REQUIRED, _PKG_ALLOWED, what, where)
        for k in ("name", "version", "platform", "url"):
            _need(isinstance(pkg[k], str) and pkg[k] != "", where, f"{what}: {k} is not a text")
        _need(pkg["manager"] in ("conda", "pip"), where, f"{what}: manager is not conda or pip")
        _need(isinstance(pkg["optional"], bool), where, f"{what}: optional is not true/false")
        _need(isinstance(pkg.get("category", "main"), str), where, f"{what}: bad category")
        _need(pkg.get("build") is None or isinstance(pkg["build"], str), where, f"{what}: build")
        deps = pkg.get("dependencies", {})
        _need(
            isinstance(deps, dict) and all(isinstance(v, str) for v in deps.values()),
            where,
            f"{what}: dependencies is not a mapping of name to version",
        )
        _keys(pkg["hash"], set(), _HASH_ALLOWED, f"{what}: hash", where)
        _need(
            all(v is None or isinstance(v, str) for v in pkg["hash"].values()),
            where,
            f"{what}: a hash is not a text",
        )
        if pkg["manager"] == "conda":
            _need(bool(pkg["hash"].get("md5")), where, f"{what}: a conda package needs an md5")
        src = pkg.get("source")
        if src is not None:
            _keys(src, {"type", "url"}, {"type", "url"}, f"{what}: source", where)
        _need(
            pkg["platform"] in meta["platforms"],
            where,
            f"{what} ({pkg['name']}) is for {pkg['platform']}, not one of metadata.platforms",
        )


def parse_conda_lock(text: str, where: str) -> Lock:
    """Parse a conda-lock.yml (format version 1)."""
    try:
        import yaml
    except ImportError:
        raise UserError(
            where, "reading conda-lock files needs PyYAML: pip install pyyaml"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise UserError(where, f"not valid YAML{at}") from None
    validate_conda_lock(data, where)
    packages = [
        LockedPackage(
            name=canonical_name(p["name"]) if p["manager"] == "pip" else p["name"],
            version=str(p["version"]),
            manager=p["manager"],
            platform=p["platform"],
            build=p.get("build"),
            category=p.get("category", "main"),
            optional=p["optional"],
        )
        for p in data["package"]
    ]
    return Lock(
        path=where,
        format="conda-lock-v1",
        platforms=list(data["metadata"]["platforms"]),
        packages=packages,
        channels=[c["url"] for c in data["metadata"]["channels"]],
    )


# ---------------------------------------------------------------------------- pip lock ---

# Every step below is linear in the length of a line (no regular expression that can
# backtrack over a long run of blanks): a 1 MB line is parsed in milliseconds.
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_HEADER_RE = re.compile(r"(\w[\w-]*)=(\S+)")
# Options a hashed lock may carry that change nothing about what is installed.
_HARMLESS_OPTIONS = ("--index-url", "-i", "--extra-index-url", "--find-links", "-f", "--no-binary")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Requirement and option lines with their continuations joined, without comments and
    hashes; (first line number, text). Hash lines are skipped fast: a lock is mostly hashes."""
    out: list[tuple[int, list[str]]] = []
    joining = False
    for n, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        cont = s.endswith("\\")
        if not s or s[0] == "#" or s.startswith("--hash"):
            joining = joining and cont
            continue
        s = s.split(" #", 1)[0].rstrip().rstrip("\\").strip()
        s = s.split(" --hash", 1)[0].strip()
        if joining and out:
            if s:
                out[-1][1].append(s)
        elif s:
            out.append((n, [s]))
        joining = cont
    return [(n, " ".join(parts)) for n, parts in out]


def split_requirement(line: str) -> tuple[str, str, str | None] | None:
    """``name[extras] == version ; marker`` -> (name, version, marker or None); None when
    the line is not a requirement pinned with ``==``. Linear time."""
    req, semi, marker = line.partition(";")
    name, eq, version = req.partition("==")
    version = version.strip()
    if not eq or not version or version[0] == "=" or len(version.split()) != 1 or "\\" in version:
        return None
    name = name.strip()
    if "[" in name:
        name, _, extras = name.partition("[")
        extras = extras.rstrip()
        if not extras.endswith("]") or "]" in extras[:-1]:
            return None
        name = name.rstrip()
    if not _NAME_RE.fullmatch(name):
        return None
    return name, version, (marker.strip() or None) if semi else None


def parse_pip_lock(text: str, where: str) -> Lock:
    """Parse a pip requirement lock: every requirement pinned with ``==``; hashes optional.
    A dlcheck header (``# dlcheck-lock: setup=... platforms=a,b pythons=3.10,3.11``; older
    locks: ``platform=... python=...``) names the setup and what it was made for."""
    header: dict[str, str] = {}
    at = text.find(LOCK_HEADER)
    if at == 0 or (at > 0 and text[at - 1] == "\n"):
        line = text[at + len(LOCK_HEADER) :].split("\n", 1)[0]
        header = dict(_HEADER_RE.findall(line))
    packages: dict[tuple[str, str | None], LockedPackage] = {}
    for n, line in _logical_lines(text):
        if line.startswith("-"):
            if line.startswith(_HARMLESS_OPTIONS):
                continue
            raise UserError(where, f"line {n}: option {line.split()[0]} is not allowed in a lock")
        parts = split_requirement(line)
        if parts is None:
            raise UserError(
                where, f"line {n}: {line.strip()[:60]!r} is not a requirement pinned with =="
            )
        name, version, marker = parts
        name = canonical_name(name)
        if marker:
            # imported here: `dlcheck check` reads this module for wheel_glibc only
            from packaging.markers import InvalidMarker, Marker

            try:
                Marker(marker)
            except InvalidMarker:
                raise UserError(
                    where, f"line {n}: bad environment marker {marker[:60]!r}"
                ) from None
        key = (name, marker)
        if key in packages and packages[key].version != version:
            raise UserError(where, f"line {n}: {name} is pinned twice, to different versions")
        packages[key] = LockedPackage(name=name, version=version, manager="pip", marker=marker)
    if not packages:
        raise UserError(where, "no pinned requirement in this file: not a lock")
    platforms = header.get("platforms") or header.get("platform") or ""
    pythons = [v for v in (header.get("pythons") or header.get("python") or "").split(",") if v]
    return Lock(
        path=where,
        format="pip",
        platforms=[p for p in platforms.split(",") if p],
        packages=list(packages.values()),
        setup=header.get("setup"),
        python=pythons[0] if len(pythons) == 1 else None,
        pythons=pythons,
    )
