"""The verdict engine: a pure function of facts, a profile and the places list.

Findings depend on each other: without a usable CPU, OS or Python nothing can be installed,
and without TensorFlow installed nothing can be probed. ``evaluate`` keeps every finding (in
the profile's order, for the table) but rewrites the advice of those a blocking problem makes
impossible; ``next_steps`` orders the steps: blocking problems first, deferred steps last."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from dlcheck.checks import NEEDS_PYTHON, NEEDS_TENSORFLOW, Outcome
from dlcheck.features import CHECKS, fitting_setup, keras_installed
from dlcheck.places import Places
from dlcheck.profile import Profile, Requirement
from dlcheck.records import Facts

PASS, WARN, FAIL, UNKNOWN = "PASS", "WARN", "FAIL", "UNKNOWN"
READY, READY_WITH_WARNINGS, NOT_READY = "READY", "READY WITH WARNINGS", "NOT READY"
NOT_VERIFIED = "NOT VERIFIED"
EXIT_CODES = {READY: 0, READY_WITH_WARNINGS: 0, NOT_READY: 1, NOT_VERIFIED: 3}

# Check kinds whose failure blocks the others, most fundamental first; the first three
# cannot be fixed on this machine (another machine or a cloud notebook is the way).
BLOCKING = ("os_64bit", "cpu_arch", "tf_wheel", "python_bits", "python_native", "python_version")
_MACHINE_BLOCKERS = ("os_64bit", "cpu_arch")


@dataclass(frozen=True)
class Finding:
    id: str
    title: str
    level: str
    verdict: str  # PASS, WARN, FAIL, UNKNOWN
    observed: str
    expected: str
    advice: str | None  # the one next step; None when PASS
    blocked_by: str | None = None  # id of the finding that must be solved first
    skipped: bool = False  # UNKNOWN because its probe was not run (--no-frameworks)
    input_missing: bool = False  # UNKNOWN because its input was not given: not counted

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
    )


def _needs(req: Requirement) -> str | None:
    """What ``req`` needs before it can be met (its check kind says: ``Check.needs``)."""
    check = CHECKS.get(req.check)
    return check.needs(req.params) if check is not None else None


def _needs_tensorflow(req: Requirement) -> bool:
    return _needs(req) == NEEDS_TENSORFLOW


def _needs_python(req: Requirement) -> bool:
    return _needs(req) in (NEEDS_PYTHON, NEEDS_TENSORFLOW)


def arrange(
    findings: list[Finding], facts: Facts, profile: Profile, places: Places
) -> list[Finding]:
    """Rewrite the advice of the findings a blocking problem makes impossible (or pointless
    before it is solved), and point package installs at the locked setup where one fits."""
    reqs = {r.id: r for r in profile.requirements}
    blockers = [
        f for f in findings if f.verdict == FAIL and f.id in reqs and reqs[f.id].check in BLOCKING
    ]
    blockers.sort(key=lambda f: BLOCKING.index(reqs[f.id].check))
    if not blockers:
        return [_with_setup(f, reqs.get(f.id), facts) for f in findings]
    first = blockers[0]
    by_check = {reqs[b.id].check: b for b in blockers}
    if "tf_wheel" in by_check and "python_version" in by_check:
        # One cause (this Python), one step: the Python requirement's.
        wheel, py = by_check["tf_wheel"], by_check["python_version"]
        findings = [
            dataclasses.replace(
                f, advice=f"Same cause and fix as “{py.title}” (see that step).", blocked_by=py.id
            )
            if f.id == wheel.id
            else f
            for f in findings
        ]
        blockers = [b for b in blockers if b.id != wheel.id]
        first = blockers[0]
    machine = reqs[first.id].check in _MACHINE_BLOCKERS or (
        reqs[first.id].check == "tf_wheel" and "python" not in first.observed.lower()
    )
    out = []
    for f in findings:
        req = reqs.get(f.id)
        if f.verdict == PASS or req is None or f in blockers or f.blocked_by:
            out.append(f)
            continue
        if _needs_tensorflow(req) or (_needs_python(req) and not machine):
            if req.check != "package" and not _installs(f.advice):
                # A diagnosis that already names the cause (SIGILL without AVX, Rosetta...).
                out.append(dataclasses.replace(f, blocked_by=first.id))
                continue
            if machine:
                advice = (
                    f"Not possible on this machine: “{first.title}” is not met (see that step). "
                    f"Run the course elsewhere: {_places_sentence(req, places, facts)}."
                )
            else:
                advice = (
                    f"After “{first.title}” is solved: create the course environment with the "
                    f"new Python, {_install_hint(facts)}."
                )
            out.append(dataclasses.replace(f, advice=advice, blocked_by=first.id))
        else:
            out.append(f)
    return out


def _installs(advice: str | None) -> bool:
    """Whether a step installs something (which a blocking problem makes impossible)."""
    text = (advice or "").replace("pip uninstall", "")
    return "pip install" in text or "env create" in text


def _install_hint(facts: Facts) -> str:
    setup = fitting_setup(facts)
    if setup:
        return f"in one command from its lock: `dlcheck env create --setup {setup}`"
    return 'then `python -m pip install "tensorflow>=2.16"` and the other course packages'


def _with_setup(f: Finding, req: Requirement | None, facts: Facts) -> Finding:
    """A missing course package where a locked setup fits: the setup is the install step (one
    command, tested versions); a loose `pip install` is only the fallback."""
    if req is None or f.verdict not in (FAIL, WARN) or req.check != "package":
        return f
    if "pip" not in req.params:
        return f
    setup = fitting_setup(facts)
    if not setup:
        return f
    pip = str(req.params["pip"])
    create = f"`dlcheck env create --setup {setup}`"
    if pip.startswith("tensorflow"):
        advice = (
            f"Create the course environment from its tested lock, in one command: {create} "
            "(it installs every course package; or, "
            f'unpinned, `python -m pip install "{pip}"`).'
        )
    else:
        advice = (
            f"The course environment has it at a tested version: {create}; or add it to this "
            f'environment: `python -m pip install "{pip}"`.'
        )
    return dataclasses.replace(f, advice=advice)


def evaluate(facts: Facts, profile: Profile, places: Places) -> list[Finding]:
    """One finding per requirement of the profile, in the profile's order."""
    findings = [evaluate_requirement(r, facts, places) for r in profile.requirements]
    return name_install_step(arrange(findings, facts, profile, places), profile)


INSTALL_STEP = "{install_step}"


def install_step_name(findings: list[Finding], profile: Profile) -> str:
    """Where a reader finds the install step: the title of the failing package requirement
    that carries it (TensorFlow's first), as every view shows it in its step."""
    reqs = {r.id: r for r in profile.requirements}
    packages = [
        f
        for f in findings
        if f.verdict in (FAIL, WARN) and f.id in reqs and reqs[f.id].check == "package" and f.advice
    ]
    packages.sort(key=lambda f: 0 if _needs_tensorflow(reqs[f.id]) else 1)
    if packages:
        return f"the step for “{packages[0].title}”"
    return "the package requirements' step"


def name_install_step(findings: list[Finding], profile: Profile) -> list[Finding]:
    """Fill the ``{install_step}`` of advice (checks.NOT_INSTALLED_YET) with the title of
    the step that installs, so "see that step" names the step a reader can find."""
    if not any(f.advice and INSTALL_STEP in f.advice for f in findings):
        return findings
    name = install_step_name(findings, profile)
    return [
        dataclasses.replace(f, advice=f.advice.replace(INSTALL_STEP, name))
        if f.advice and INSTALL_STEP in f.advice
        else f
        for f in findings
    ]


def next_steps(findings: list[Finding]) -> list[Finding]:
    """The findings that carry a step, in the order to take them: blocking failures, other
    failures, warnings, unknowns, then the steps that wait for a blocking problem."""
    todo = [f for f in findings if f.advice]
    order = {FAIL: 1, WARN: 2, UNKNOWN: 3}
    # Which findings block others, once: a scan of every finding per finding was quadratic
    # (30,000 requirements took minutes).
    blocking = {g.blocked_by for g in findings if g.blocked_by is not None}

    def key(f: Finding) -> tuple[int, int]:
        if f.blocked_by is not None:
            return (5, 0)
        return (0 if f.id in blocking else order.get(f.verdict, 4), 1 if f.skipped else 0)

    return sorted(todo, key=key)


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


def install_command(report: Any) -> str | None:
    """One command that installs every missing or outdated course package, only where it
    can work: nothing blocks it; the locked setup's command where one fits this machine."""
    findings = report.findings
    if any(f.blocked_by for f in findings):
        return None
    reqs = {r.id: r for r in report.profile.requirements}
    specs = [
        reqs[f.id].params["pip"]
        for f in findings
        if f.verdict in ("FAIL", "WARN") and f.id in reqs and "pip" in reqs[f.id].params
    ]
    if len(specs) < 2:
        return None
    setup = fitting_setup(report.facts)
    if setup and any(str(s).startswith("tensorflow") for s in specs):
        return f"dlcheck env create --setup {setup}"
    return "python -m pip install " + " ".join(
        f'"{s}"' if any(c in s for c in "<>=!~ ") else s for s in specs
    )
