"""``build_fleet``: files in, one fleet out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dlcheck.fleet.aggregate import FleetBuilder
from dlcheck.fleet.model import Fleet
from dlcheck.fleet.read import read_parts


def rejudger(
    profile_path: str | None, places_path: str | None = None, course: str | None = None
) -> Callable[[dict[str, Any], str], tuple[str, list[dict[str, Any]], dict[str, Any], str]]:
    """A function that judges a parsed check report's facts again, as `check --from` does
    (``report.judge``): against ``profile_path`` or ``course`` when given, else against
    today's profile of the course the report was checked with. Its verdict, findings, plan
    and the course."""
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile, report_course
    from dlcheck.report import facts_from_report_dict, judge

    fixed = load_profile(profile_path, course) if (profile_path or course) else None
    profiles: dict[str, Any] = {}
    places = load_places(places_path)
    # The judgement is a pure function of the facts (the host name aside: nothing judged
    # reads it) and the profile: reports of the same facts (machines cloned from one image,
    # one machine's copies) are judged once.
    judged: dict[tuple[str, bool, str], Any] = {}

    def rejudge(
        data: dict[str, Any], where: str
    ) -> tuple[str, list[dict[str, Any]], dict[str, Any], str]:
        profile = fixed
        if profile is None:
            name = report_course(data)
            if name not in profiles:
                profiles[name] = load_profile(None, name)
            profile = profiles[name]
        anonymized = bool(data.get("anonymized"))
        key = (profile.course or str(profile.source), anonymized, _digest(data.get("facts")))
        if key not in judged:
            facts = facts_from_report_dict(data, where)
            report = judge(facts, profile, places, anonymized, where)
            findings = [
                {"id": f.id, "title": f.title, "verdict": f.verdict} for f in report.findings
            ]
            if len(judged) >= MEMO:
                judged.clear()
            judged[key] = (report.verdict, findings, report.plan.to_dict(), profile.course)
        return judged[key]

    return rejudge


MEMO = 4096  # judgements kept for reports of the same facts


def _digest(facts: Any) -> str:
    """The facts of a report, its host name left out, as a short digest."""
    import hashlib
    import json

    if isinstance(facts, dict) and isinstance(facts.get("platform"), dict):
        platform = {k: v for k, v in facts["platform"].items() if k != "hostname"}
        facts = {**facts, "platform": platform}
    text = json.dumps(facts, sort_keys=True, default=str, allow_nan=True)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def build_fleet(
    paths: Iterable[str],
    profile_path: str | None = None,
    places_path: str | None = None,
    anonymize: bool = False,
    course: str | None = None,
) -> Fleet:
    """Read every result under ``paths`` (files, or folders of ``*.json``) one at a time and
    aggregate them. Every check report's facts are judged again as `check --from` judges
    them: against ``profile_path`` (or ``course``, a course flavour's packaged profile) when
    given, else against today's profile of the course it was checked with; a row says where
    the saved verdict differs. A path that does not exist, or a bad profile, raises
    UserError; a bad file is skipped."""
    rejudge = rejudger(profile_path, places_path, course)
    named = f"the {course} course's profile (--course {course})" if course else profile_path
    builder = FleetBuilder(anonymize=anonymize, profile=named)
    builder.add_all(read_parts(paths, rejudge))
    return builder.build()
