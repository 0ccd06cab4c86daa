"""The verdict engine: a pure function of facts, a profile and the places list."""

from __future__ import annotations

from dataclasses import dataclass

from dlcheck.checks import CHECKS, Outcome
from dlcheck.places import Places
from dlcheck.profile import Profile, Requirement
from dlcheck.records import Facts

PASS, WARN, FAIL, UNKNOWN = "PASS", "WARN", "FAIL", "UNKNOWN"
READY, READY_WITH_WARNINGS, NOT_READY = "READY", "READY WITH WARNINGS", "NOT READY"


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    level: str
    verdict: str  # PASS, WARN, FAIL, UNKNOWN
    observed: str
    expected: str
    advice: str | None  # the one next step; None when PASS


def verdict_for(level: str, status: str) -> str:
    """Map a requirement's level and its check outcome onto a verdict."""
    if status == "met":
        return PASS
    if status == "unknown":
        return UNKNOWN
    return FAIL if level == "required" else WARN


def _advice(req: Requirement, outcome: Outcome, places: Places) -> str:
    text = outcome.advice or req.advice
    return text.replace("{places}", places.sentence(req.params.get("places")))


def evaluate_requirement(req: Requirement, facts: Facts, places: Places) -> Finding:
    """Judge one requirement. A check that raises is a bug in dlcheck, so it is reported
    as UNKNOWN with the error rather than hiding the rest of the report."""
    try:
        outcome = CHECKS[req.check].evaluate(facts, req.params)
    except Exception as exc:  # noqa: BLE001 - keep the report whole
        outcome = Outcome("unknown", f"could not evaluate: {type(exc).__name__}: {exc}")
    verdict = verdict_for(req.level, outcome.status)
    advice = None
    if verdict != PASS:
        advice = _advice(req, outcome, places)
        if verdict == UNKNOWN:
            advice = f"Could not tell. If this matters to you: {advice}"
    return Finding(
        req.id, req.title, req.level, verdict, outcome.observed, outcome.expected, advice
    )


def evaluate(facts: Facts, profile: Profile, places: Places) -> list[Finding]:
    """One finding per requirement of the profile, in the profile's order."""
    return [evaluate_requirement(r, facts, places) for r in profile.requirements]


def overall(findings: list[Finding]) -> str:
    """READY, READY WITH WARNINGS or NOT READY."""
    verdicts = {f.verdict for f in findings}
    if FAIL in verdicts:
        return NOT_READY
    if verdicts & {WARN, UNKNOWN}:
        return READY_WITH_WARNINGS
    return READY


def exit_code(verdict: str) -> int:
    """0 ready (warnings allowed), 1 not ready."""
    return 1 if verdict == NOT_READY else 0
