"""``build_fleet``: files in, one fleet out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dlcheck.fleet.aggregate import FleetBuilder
from dlcheck.fleet.model import Fleet
from dlcheck.fleet.read import read_parts


def rejudger(
    profile_path: str | None, places_path: str | None = None
) -> Callable[[dict[str, Any], str], tuple[str, list[dict[str, Any]], dict[str, Any]]]:
    """A function that re-evaluates a parsed check report against another profile: its
    verdict, findings and plan."""
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import facts_from_report_dict, judge

    profile = load_profile(profile_path)
    places = load_places(places_path)

    def rejudge(
        data: dict[str, Any], where: str
    ) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
        facts = facts_from_report_dict(data, where)
        report = judge(facts, profile, places, bool(data.get("anonymized")), where)
        findings = [{"id": f.id, "title": f.title, "verdict": f.verdict} for f in report.findings]
        return report.verdict, findings, report.plan.to_dict()

    return rejudge


def build_fleet(
    paths: Iterable[str],
    profile_path: str | None = None,
    places_path: str | None = None,
    anonymize: bool = False,
) -> Fleet:
    """Read every result under ``paths`` (files, or folders of ``*.json``) one at a time and
    aggregate them. With ``profile_path`` every check report is judged again against it.
    A path that does not exist, or a bad profile, raises UserError; a bad file is skipped."""
    rejudge = rejudger(profile_path, places_path) if profile_path else None
    builder = FleetBuilder(anonymize=anonymize, profile=profile_path)
    builder.add_all(read_parts(paths, rejudge))
    return builder.build()
