"""The report, as a record: facts, the profile they were judged against, findings and the
verdict; its JSON form (schema ``dlcheck.report``, docs/schema.md), which round-trips
(``--from`` re-enters at the facts), and ``judge``. Probing a machine into a report is
dlcheck/pipeline.py; removing names from facts is dlcheck/anonymize.py."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.documents import REPORT, with_header
from dlcheck.errors import UserError
from dlcheck.features import SECTION_NAMES
from dlcheck.normalize import normalize_report
from dlcheck.places import Places
from dlcheck.plan import Plan, build_plan, link
from dlcheck.profile import Profile
from dlcheck.records import Facts, RecordError, facts_from_dict, facts_to_dict, to_dict
from dlcheck.verdict import Finding, evaluate, exit_code, overall
from dlcheck.version import __version__

SCHEMA = REPORT.name
SCHEMA_VERSION = REPORT.version


@dataclass(frozen=True)
class Report:
    facts: Facts
    profile: Profile
    places: Places
    findings: list[Finding]
    verdict: str
    anonymized: bool = False
    source: str | None = None  # the saved report this was re-evaluated from
    plan: Plan = field(default_factory=Plan)  # the next steps (dlcheck/plan.py), built once

    @property
    def exit_code(self) -> int:
        return exit_code(self.verdict)

    def counts(self) -> dict[str, int]:
        """Findings per verdict; ``NOT_JUDGED``: the UNKNOWN findings whose input was not
        given (no benchmark, no environment made from a setup), which count for nothing."""
        out = {"PASS": 0, "WARN": 0, "FAIL": 0, "UNKNOWN": 0, "NOT_JUDGED": 0}
        for f in self.findings:
            key = "NOT_JUDGED" if f.not_judged else f.verdict
            out[key] = out.get(key, 0) + 1
        return out

    def install_command(self) -> str | None:
        """One command that installs the missing course packages, only where it can work (the
        plan's install step)."""
        return self.plan.install_command()

    def to_json_dict(self) -> dict[str, Any]:
        """The documented, versioned JSON form (docs/schema.md)."""
        return with_header(
            REPORT,
            {
                "dlcheck_version": __version__,
                "created": self.facts.created,
                "anonymized": self.anonymized,
                "source": self.source,
                "verdict": self.verdict,
                "exit_code": self.exit_code,
                "counts": self.counts(),
                "profile": {
                    "name": self.profile.name,
                    "title": self.profile.title,
                    "version": self.profile.version,
                    "source": self.profile.source,
                    "course": self.profile.course,
                },
                "places_checked": self.places.checked,
                "install_command": self.install_command(),
                "plan": self.plan.to_dict(),
                "findings": to_dict(self.findings),
                "facts": facts_to_dict(self.facts),
            },
        )

    def to_json(self) -> str:
        """The JSON text, without a final newline (the one writer: dlcheck.documents)."""
        from dlcheck.documents import document_json

        return document_json(self.to_json_dict()).rstrip("\n")

    def _repr_html_(self) -> str:
        from dlcheck.render.html import render_html

        return render_html(self)

    def __repr__(self) -> str:
        from dlcheck.render.html import render_repr

        return render_repr(self)


def load_report_facts(path: str | Path) -> Facts:
    """Read the facts of a saved ``dlcheck check --json`` report; UserError if unusable."""
    from dlcheck.documents import read_document

    return read_document(path, [REPORT.name]).record()


def facts_from_report_dict(data: Any, where: str, header_checked: bool = False) -> Facts:
    """THE one place where a raw report dictionary becomes typed facts (``--from``,
    ``env recommend --from``, ``dlcheck report``): schema name, version and number ranges
    checked by the document layer, then the facts rebuilt as records."""
    from dlcheck.documents import check_header

    if not header_checked:
        check_header(data, where, [REPORT.name])
    if "facts" not in data:
        raise UserError(where, "report has no 'facts'")
    # older schema versions, synonyms, derived fields, absent sections
    data, notes = normalize_report(data, SECTION_NAMES)
    try:
        facts = facts_from_dict(data["facts"], SECTION_NAMES, "facts")
    except RecordError as exc:
        from dlcheck.sanitize import clean

        raise UserError(where, clean(f"malformed facts: {exc}", 300)) from None
    if notes:  # after those a report saved by an earlier --from had already noted
        kept = list(facts.normalized)
        facts = dataclasses.replace(facts, normalized=kept + [n for n in notes if n not in kept])
    return facts


def judge(
    facts: Facts,
    profile: Profile,
    places: Places,
    anonymized: bool = False,
    source: str | None = None,
    strict: bool = False,
) -> Report:
    """Evaluate facts against a profile into a report, with its plan and its verdict
    (``strict``: every unchecked required finding makes it NOT VERIFIED, ``verdict.overall``)."""
    findings = evaluate(facts, profile, places)
    plan = build_plan(findings, facts, profile, places)
    findings = link(findings, plan)  # one voice: each finding's advice is its step's text
    verdict = overall(findings, strict)
    return Report(facts, profile, places, findings, verdict, anonymized, source, plan)
