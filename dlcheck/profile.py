"""Requirement profiles: the course's minimum requirements as data an instructor can replace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.tomlload import load_toml

LEVELS = ("required", "recommended", "optional")
DEFAULT_PROFILE = "profile-default.toml"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    level: str  # required, recommended or optional
    check: str  # the kind of test, a key of dlcheck.checks.CHECKS
    advice: str
    params: dict[str, Any] = field(default_factory=dict)  # thresholds for the check


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    version: str
    source: str
    requirements: list[Requirement]
    settings: dict[str, Any] = field(default_factory=dict)  # other tables, e.g. [bench]


_REQ_KEYS = {"id", "title", "level", "check", "advice"}


def parse_profile(data: dict[str, Any], where: str) -> Profile:
    """Validate a parsed profile; every problem is a UserError naming ``where``."""
    from dlcheck.checks import CHECKS

    meta = data.get("profile", {})
    if not isinstance(meta, dict):
        raise UserError(where, "[profile] must be a table")
    reqs = data.get("requirement")
    if not isinstance(reqs, list) or not reqs:
        raise UserError(where, "no [[requirement]] entries")
    out: list[Requirement] = []
    seen: set[str] = set()
    for i, r in enumerate(reqs, 1):
        if not isinstance(r, dict):
            raise UserError(where, f"requirement {i} is not a table")
        label = f"requirement {i} ({r.get('id', 'no id')})"
        missing = sorted(k for k in _REQ_KEYS if k not in r)
        if missing:
            raise UserError(where, f"{label} lacks {', '.join(missing)}")
        for k in _REQ_KEYS:
            if not isinstance(r[k], str) or not r[k].strip():
                raise UserError(where, f"{label}: '{k}' must be a non-empty string")
        if r["id"] in seen:
            raise UserError(where, f"{label}: duplicate id '{r['id']}'")
        seen.add(r["id"])
        if r["level"] not in LEVELS:
            raise UserError(
                where, f"{label}: level '{r['level']}' is not one of {', '.join(LEVELS)}"
            )
        if r["check"] not in CHECKS:
            raise UserError(
                where, f"{label}: unknown check '{r['check']}' (known: {', '.join(sorted(CHECKS))})"
            )
        params = {k: v for k, v in r.items() if k not in _REQ_KEYS}
        problem = CHECKS[r["check"]].validate(params)
        if problem:
            raise UserError(where, f"{label}: {problem}")
        out.append(Requirement(r["id"], r["title"], r["level"], r["check"], r["advice"], params))
    settings = {k: v for k, v in data.items() if k not in ("profile", "requirement")}
    return Profile(
        name=str(meta.get("name", Path(where).stem)),
        title=str(meta.get("title", meta.get("name", "custom profile"))),
        version=str(meta.get("version", "")),
        source=where,
        requirements=out,
        settings=settings,
    )


def load_profile(path: str | Path | None = None) -> Profile:
    """The profile at ``path``, or the course's default profile shipped with dlcheck."""
    data, where = load_toml(path, DEFAULT_PROFILE)
    return parse_profile(data, where)
