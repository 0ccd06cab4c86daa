"""The verdict engine: a pure function of facts, a profile and the places list.

``evaluate`` gives one finding per requirement (what was found, what is needed, the
requirement's advice for this context as the plan's raw material); ``overall`` the verdict.
Which step answers a finding, in which order, and with which commands is the plan's
(dlcheck/plan.py): ``report.judge`` links every finding to its step (``Finding.step``) and
gives it that step's text as its advice."""

from __future__ import annotations

from dataclasses import dataclass

from dlcheck.checks import Outcome
from dlcheck.features import CHECKS, keras_installed
from dlcheck.places import Places
from dlcheck.profile import Profile, Requirement
from dlcheck.records import Facts

PASS, WARN, FAIL, UNKNOWN = "PASS", "WARN", "FAIL", "UNKNOWN"
READY, READY_WITH_WARNINGS, NOT_READY = "READY", "READY WITH WARNINGS", "NOT READY"
NOT_VERIFIED = "NOT VERIFIED"
EXIT_CODES = {READY: 0, READY_WITH_WARNINGS: 0, NOT_READY: 1, NOT_VERIFIED: 3}


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    level: str
    verdict: str  # PASS, WARN, FAIL, UNKNOWN
    observed: str
    expected: str
    # the text of its plan step for this machine (``step``); None when nothing is to do
    advice: str | None
    blocked_by: str | None = None  # id of the finding that must be solved first (the plan's)
    skipped: bool = False  # UNKNOWN because its probe was not run (--no-frameworks)
    input_missing: bool = False  # UNKNOWN because its input was not given: not counted
    waits: bool = False  # UNKNOWN because its package is not installed yet
    step: str | None = None  # the id of the plan's step that answers it

    @property
    def not_judged(self) -> bool:
        """UNKNOWN only because its input was not given (no benchmark file, no environment
        made from a setup): the one rule by which it counts for nothing, in the verdict and in
        the counts (``NOT_JUDGED``)."""
        return self.verdict == UNKNOWN and self.input_missing


def verdict_for(level: str, status: str) -> str:
    """Map a requirement's level and its check outcome onto a verdict."""
    if status == "met":
        return PASS
    if status == "unknown":
        return UNKNOWN
    return FAIL if level == "required" else WARN


def _places_sentence(req: Requirement, places: Places, facts: Facts | None) -> str:
    from dlcheck.support import on_cloud_notebook, on_hpc

    sentence = places.sentence(req.params.get("places"))
    if facts is None:
        return sentence
    if on_cloud_notebook(facts):
        return (
            "a larger runtime or instance type of this notebook service (its settings), "
            "or your own machine"
        )
    if on_hpc(facts):
        return "another partition or node of this cluster (ask your HPC support), or " + sentence
    return sentence


def _advice(req: Requirement, outcome: Outcome, places: Places, facts: Facts | None = None) -> str:
    from dlcheck.support import on_cloud_notebook, on_hpc

    text = outcome.advice
    if text is None and facts is not None:
        if on_hpc(facts) and "advice_hpc" in req.params:
            text = str(req.params["advice_hpc"])
        elif on_cloud_notebook(facts) and "advice_notebook" in req.params:
            text = str(req.params["advice_notebook"])
        elif facts.platform.wsl and "advice_wsl" in req.params:  # WSL's own memory cap
            text = str(req.params["advice_wsl"])
        elif "benchmark" in facts.sections and "advice_benchmarked" in req.params:
            text = str(req.params["advice_benchmarked"])  # measured already: no bench again
        elif "advice_no_framework" in req.params and not keras_installed(facts):
            text = str(req.params["advice_no_framework"])
    text = text or req.advice
    return text.replace("{places}", _places_sentence(req, places, facts))


NOT_PROBED_ADVICE = (
    "Not checked: its probe was not run (`--no-frameworks`, or a report saved before dlcheck "
    "had that probe). Run `dlcheck check` on the machine itself to test it."
)


def evaluate_requirement(
    req: Requirement, facts: Facts, places: Places, context: bool = True
) -> Finding:
    """Judge one requirement. A check that raises is a bug in dlcheck, so it is reported
    as UNKNOWN with the error rather than hiding the rest of the report."""
    try:
        outcome = CHECKS[req.check].evaluate(facts, req.params)
    except Exception as exc:  # noqa: BLE001 - keep the report whole
        outcome = Outcome("unknown", f"could not evaluate: {type(exc).__name__}: {exc}")
    verdict = verdict_for(req.level, outcome.status)
    advice = None
    if verdict != PASS and not outcome.input_missing:  # not judged: nothing to do
        advice = _advice(req, outcome, places, facts if context else None)
        if verdict == UNKNOWN and not outcome.skipped:
            advice = f"Could not tell. If this matters to you: {advice}"
        elif verdict == UNKNOWN and outcome.advice is None:
            # Nothing is known to be wrong: the repair advice would be a guess.
            advice = NOT_PROBED_ADVICE
    return Finding(
        req.id,
        req.title,
        req.level,
        verdict,
        outcome.observed,
        outcome.expected,
        advice,
        skipped=bool(getattr(outcome, "skipped", False)),
        input_missing=bool(getattr(outcome, "input_missing", False)),
        waits=outcome.waits,
    )


def evaluate(facts: Facts, profile: Profile, places: Places) -> list[Finding]:
    """One finding per requirement of the profile, in the profile's order. What to do about
    them, in which order, is the plan's (dlcheck/plan.py), which links each to its step."""
    return [evaluate_requirement(r, facts, places) for r in profile.requirements]


def overall(findings: list[Finding], strict: bool = False) -> str:
    """READY, READY WITH WARNINGS, NOT READY, or NOT VERIFIED: a required finding is UNKNOWN
    (a probe failed or hung). Required findings UNKNOWN only because their probe was not run
    (``--no-frameworks``) do not count, unless ``strict``; findings whose input was not
    given (no benchmark file, no environment made from a setup) never count."""
    findings = [f for f in findings if not f.not_judged]
    verdicts = {f.verdict for f in findings}
    if FAIL in verdicts:
        return NOT_READY
    if any(
        f.verdict == UNKNOWN and f.level == "required" and (strict or not f.skipped)
        for f in findings
    ):
        return NOT_VERIFIED
    if verdicts & {WARN, UNKNOWN}:
        return READY_WITH_WARNINGS
    return READY


def exit_code(verdict: str) -> int:
    """0 ready (warnings allowed), 1 not ready, 3 not verified (2 is bad usage or input)."""
    return EXIT_CODES.get(verdict, 1)
