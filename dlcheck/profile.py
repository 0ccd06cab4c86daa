"""Requirement profiles: the course's minimum requirements as data an instructor can replace."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError
from dlcheck.userfiles import load_toml

LEVELS = ("required", "recommended", "optional")
DEFAULT_PROFILE = "profile-default.toml"
# The course's flavours, each a packaged profile chosen by name (`--course NAME`).
COURSES = {"tensorflow": "profile-default.toml", "torch": "profile-torch.toml"}
DEFAULT_COURSE = "tensorflow"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    level: str  # required, recommended or optional
    check: str  # the kind of test, a key of dlcheck.features.CHECKS
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
    # the course flavour ([profile] course): "tensorflow" or "torch"; an instructor's own
    # file names the flavour it builds on (default: tensorflow)
    course: str = DEFAULT_COURSE

    @property
    def framework(self) -> str:
        """The framework the course runs Keras on (its [course] framework, else the course)."""
        table = self.settings.get("course")
        value = table.get("framework") if isinstance(table, dict) else None
        return str(value or self.course)

    @property
    def keras_backend(self) -> str:
        """The Keras backend the course uses (its [course] keras_backend, else the framework)."""
        table = self.settings.get("course")
        value = table.get("keras_backend") if isinstance(table, dict) else None
        return str(value or self.framework)

    def requires(self, check: str) -> bool:
        """Whether a requirement of level ``required`` names the check kind ``check`` (a GPU
        is not required by the course's profile: the views say so beside a missing one)."""
        return any(r.check == check and r.level == "required" for r in self.requirements)


_REQ_KEYS = {"id", "title", "level", "check", "advice"}


MAX_NUMBER = 1e12  # thresholds are GiB, cores, seconds: nothing real comes near this


def _values_problem(params: dict[str, Any]) -> str | None:
    """Type and range of every value a requirement or a settings table holds: numbers
    finite, >= 0 and sane; ``places`` a list of place ids; lists of strings or numbers."""
    import math

    for key, value in params.items():
        if key == "places":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"'places' must be a list of place ids (strings), not {value!r}"
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            if not math.isfinite(value) or not 0 <= value <= MAX_NUMBER:
                return f"'{key}' = {value!r} is out of range (a finite number from 0 to 1e12)"
        elif isinstance(value, list):
            for v in value:
                if not isinstance(v, (str, int, float)) or isinstance(v, bool):
                    return f"'{key}' must be a list of strings or numbers"
                if isinstance(v, float) and not math.isfinite(v):
                    return f"'{key}' holds {v!r}, not a finite number"
        elif isinstance(value, dict):
            return f"'{key}' must not be a table"
        elif not isinstance(value, str):
            return f"'{key}' has an unsupported type ({type(value).__name__})"
    return None


def parse_profile(data: dict[str, Any], where: str) -> Profile:
    """Validate a parsed profile; every problem is a UserError naming ``where``."""
    from dlcheck.features import CHECKS

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
        problem = _values_problem(params) or CHECKS[r["check"]].validate(params)
        if problem:
            raise UserError(where, f"{label}: {problem}")
        out.append(Requirement(r["id"], r["title"], r["level"], r["check"], r["advice"], params))
    for key in ("name", "title", "version", "course"):
        if key in meta and not isinstance(meta[key], str):
            raise UserError(where, f"[profile] '{key}' must be a string")
    course = str(meta.get("course", DEFAULT_COURSE))
    if course not in COURSES:
        raise UserError(
            where, f"[profile] course '{course}' is not one of {', '.join(sorted(COURSES))}"
        )
    settings = {k: v for k, v in data.items() if k not in ("profile", "requirement")}
    for key, table in settings.items():
        if not isinstance(table, dict):
            raise UserError(where, f"'{key}' must be a table ([{key}])")
        problem = _values_problem(table)
        if problem:
            raise UserError(where, f"[{key}]: {problem}")
    return Profile(
        name=str(meta.get("name", Path(where).stem)),
        title=str(meta.get("title", meta.get("name", "custom profile"))),
        version=str(meta.get("version", "")),
        source=where,
        requirements=out,
        settings=settings,
        course=course,
    )


def course_file(course: str) -> str:
    """The packaged profile of a course flavour; UserError naming the known ones."""
    if course not in COURSES:
        raise UserError(
            None,
            f"--course {course!r}: no such course (known: {', '.join(sorted(COURSES))}); "
            "an instructor's own profile is --profile FILE",
        )
    return COURSES[course]


def report_course(data: Any) -> str:
    """The course flavour a saved check report was judged against (its ``profile.course``);
    reports written before there were flavours, and an instructor's own profile that names
    none, were judged as the TensorFlow course."""
    prof = data.get("profile") if isinstance(data, dict) else None
    course = prof.get("course") if isinstance(prof, dict) else None
    return course if isinstance(course, str) and course in COURSES else DEFAULT_COURSE


def course_setup(course: str | None) -> str | None:
    """The setup a course flavour names ([course] setup: torch -> keras-torch), None when it
    leaves the choice to `dlcheck env recommend` (the TensorFlow course: cpu or nvidia)."""
    if course is None:
        return None
    table = load_profile(course=course).settings.get("course")
    setup = table.get("setup") if isinstance(table, dict) else None
    return str(setup) if setup else None


def load_profile(path: str | Path | None = None, course: str | None = None) -> Profile:
    """The profile at ``path``, else the packaged profile of ``course`` (default: the
    TensorFlow course). Both given is a usage error: one names what the other does."""
    if path is not None and course is not None:
        raise UserError(None, "--course and --profile both name a profile: give one")
    data, where = load_toml(path, course_file(course or DEFAULT_COURSE))
    return parse_profile(data, where)
