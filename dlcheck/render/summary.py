"""THE check summary: what every view of a check report shows (the terminal, Markdown,
HTML for Jupyter, CSV, ``repr``), built once by ``check_summary`` so that the views cannot
disagree: the machine, the verdict and its counts, the steps with the findings they answer,
the one install command, and each requirement's label. (The fleet's summary is
``dlcheck.fleet.model.FleetSummary``.)"""

from __future__ import annotations

from dataclasses import dataclass, field

from dlcheck.features import view_lines
from dlcheck.formats import fmt_gib
from dlcheck.plan import step_advice
from dlcheck.profile import DEFAULT_COURSE, Profile
from dlcheck.records import Facts, PythonFacts
from dlcheck.render.layout import count_line
from dlcheck.report import Report
from dlcheck.sanitize import DEFAULT_LIMIT, clean
from dlcheck.verdict import Finding


def machine_lines(facts: Facts, profile: Profile | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs describing the machine, plain text (renderers escape them): the
    core's facts, then each feature's line (``features.view_lines``). Whether a missing GPU
    matters is the profile's to say (``Profile.requires``; None: the packaged profile's
    answer, not required)."""
    p, py, c, m, d, g = facts.platform, facts.python, facts.cpu, facts.memory, facts.disk, facts.gpu
    os_bits = [p.os_name or p.system or "unknown OS", p.machine or ""]
    if p.wsl:
        os_bits.append(f"WSL{p.wsl_version or ''}")
    if p.container:
        os_bits.append(f"in {p.container} container")
    if p.hypervisor:
        os_bits.append(f"VM: {p.hypervisor}")
    if p.rosetta:
        os_bits.append("Python under Rosetta")
    env = py.env_kind or "unknown environment"
    if py.env_name:
        env += f" '{py.env_name}'"
    cores = "unknown"
    if c.usable_cores is not None:
        cores = f"{c.usable_cores:g} usable of {c.logical_cores or '?'} logical"
        if c.physical_cores:
            cores += f", {c.physical_cores} physical"
    isa = ", ".join(f.upper() for f in c.flags if f in ("avx", "avx2", "fma", "avx512f", "neon"))
    cpu = f"{c.model or 'unknown model'}; {cores}" + (f"; {isa}" if isa else "")
    if c.freq_mhz:
        cpu += f"; {c.freq_mhz / 1000:.2f} GHz"
    mem = fmt_gib(m.effective_bytes)
    if m.cgroup_limit_bytes is not None:
        mem += f" (container limit; host {fmt_gib(m.total_bytes)})"
    if m.available_bytes is not None:
        mem += f", {fmt_gib(m.available_bytes)} available"
    disk = (
        f"{fmt_gib(d.free_bytes)} free at {d.measured_path or d.path}"
        if d.free_bytes
        else "unknown"
    )
    if g.gpus:
        gpu = "; ".join(
            f"{x.name or x.vendor}" + (f" ({fmt_gib(x.memory_bytes)})" if x.memory_bytes else "")
            for x in g.gpus
        )
    elif g.nvidia_status == "error":
        gpu = f"NVIDIA driver problem: {g.nvidia_error}"
    elif profile is not None and profile.requires("gpu"):
        gpu = "none found"
    else:
        gpu = "none found (not required for this course)"
    lines = [
        ("Host", p.hostname or "(anonymised)"),
        ("OS", " · ".join(b for b in os_bits if b)),
        ("Python", f"{py.implementation or ''} {py.version or '?'} ({py.bits or '?'}-bit, {env})"),
        ("Executable", executable_line(py)),
        ("CPU", cpu),
        ("Memory", mem),
        ("Disk", disk),
        ("GPU", gpu),
        *view_lines(facts),
    ]
    errors = [
        f"{name}: {sec.error}"
        for name, sec in (
            ("platform", p),
            ("python", py),
            ("cpu", c),
            ("memory", m),
            ("disk", d),
            ("gpu", g),
            ("packages", facts.packages),
        )
        if sec.error
    ]
    if errors:
        lines.append(("Probe problems", "; ".join(errors)))
    return lines


def executable_line(py: PythonFacts) -> str:
    """The interpreter checked, how it was chosen, and dlcheck's own tool environment."""
    line = py.executable or "unknown"
    if py.chosen:
        line += f" (checked: chosen by {py.chosen})"
    if py.dlcheck_tool:
        line += f"; dlcheck runs from its own {py.dlcheck_tool} environment"
        if not py.chosen:
            line += " (this one: give --python or activate the course's environment)"
    return line


@dataclass(frozen=True)
class Step:
    """One step of the report's plan (dlcheck/plan.py) as the views draw it, with the findings
    it resolves (worst verdict first in ``verdict``)."""

    verdict: str
    advice: str  # the whole step on one line: title, text and commands in `code`
    findings: tuple[Finding, ...]
    kind: str = ""  # the plan's kind: route, blocker, install, fix, recommended, optional
    title: str = ""
    text: str = ""
    commands: tuple[str, ...] = ()
    then: str | None = None  # a route: what to do where it leads
    then_commands: tuple[str, ...] = ()
    id: str = ""


_RANK = {"FAIL": 0, "WARN": 1, "UNKNOWN": 2}


def action_steps(report: Report) -> list[Step]:
    """The report's plan, each step with the findings it resolves (no judgement here: the
    plan was built once, with the report)."""
    by_id = {f.id: f for f in report.findings}
    steps = []
    for p in report.plan.steps:
        members = tuple(by_id[r] for r in (p.because or p.resolves) if r in by_id)
        worst = min((m.verdict for m in members), key=lambda v: _RANK.get(v, 3), default="")
        a = p.action
        steps.append(
            Step(
                worst,
                step_advice(p),
                members,
                p.kind,
                p.title,
                a.text,
                tuple(a.commands),
                a.then,
                tuple(a.then_commands),
                p.id,
            )
        )
    return steps


def finding_lines(step: Step) -> list[tuple[str, list[Finding], str]]:
    """The findings of a step as lines (verdict, findings, what was found): findings with the
    same verdict and the same observation share one line. The expectation is added where it
    says more than the step does (not for a package that is simply not installed)."""
    if step.id == "test-frameworks":  # the step says why: one line naming them
        return [(step.verdict, list(step.findings), "not checked")]
    lines: list[tuple[str, list[Finding], str]] = []
    index: dict[tuple[str, str], int] = {}
    for f in step.findings:
        observed = f.observed
        if f.expected and f.verdict != "UNKNOWN" and observed != "not installed":
            need = {"recommended": "recommended", "optional": "optional"}.get(f.level, "needed")
            observed += f" ({need}: {f.expected})"
        key = (f.verdict, observed)
        if key in index:
            lines[index[key]][1].append(f)
        else:
            index[key] = len(lines)
            lines.append((f.verdict, [f], observed))
    return lines


def shown_install_command(report: Report, steps: list[Step]) -> str | None:
    """The report's one install command, unless a step already gives it (the plan's install
    step does wherever one is needed)."""
    cmd = report.install_command()
    if not cmd or any(cmd in s.commands for s in steps) or report.plan.elsewhere:
        return None
    return cmd


NOT_JUDGED = "NOT JUDGED"


def same_command(report: Report, options: str) -> str:
    """How to run this check again with ``options`` (``--all``): ``dlcheck check OPTIONS``
    (with its ``--course``) where nothing else chose what was judged; else "the same command
    with OPTIONS": a saved report, an instructor's profile or ``--python``/``--kernel`` would
    be lost from a command written here (a footer that dropped ``--course torch`` judged the
    other course)."""
    own_profile = not report.profile.source.startswith("<packaged ")
    if report.source or own_profile or report.facts.python.chosen:
        return f"the same command with `{options}`"
    course = report.profile.course
    flavour = f" --course {course}" if course != DEFAULT_COURSE else ""
    return f"`dlcheck check{flavour} {options}`"


def finding_status(f: Finding) -> str:
    """A finding's verdict as the views label it: ``NOT JUDGED`` where the judgement does not
    count it (``Finding.not_judged``)."""
    return NOT_JUDGED if f.not_judged else f.verdict


def requirement_label(f: Finding) -> str:
    """A requirement's title with its level when that is not ``required`` and the title does
    not say it already: 'GPU (optional: the course runs on a CPU)' stays as it is."""
    if f.level == "required" or f.level.lower() in f.title.lower():
        return f.title
    return f"{f.title} ({f.level})"


@dataclass(frozen=True)
class CheckSummary:
    """The content of every view of one check report (machine strings already cleaned)."""

    verdict: str
    counts: dict[str, int]  # per verdict, and NOT_JUDGED (report.counts())
    count_text: str  # '4 failed, 4 warnings, 23 passed, 2 not judged'
    host: str
    profile_title: str
    profile_version: str
    dlcheck_version: str
    created: str
    source: str | None
    machine: list[tuple[str, str]]
    findings: list[Finding]  # every requirement, the profile's order (``--all``)
    steps: list[Step]
    install_command: str | None  # shown apart only where no step gives it already
    # titles of the plan's steps beyond those shown (the plan lists the fewest steps first):
    # their findings count in the verdict line, so the views name them in one line
    later: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return self.counts.get("PASS", 0)

    @property
    def passed_text(self) -> str:
        n = self.passed
        return f"{n} requirement{'s' if n != 1 else ''} passed"

    @property
    def verdict_line(self) -> str:
        """``NOT READY (4 failed, 4 warnings, 23 passed, 2 not judged)``."""
        return f"{self.verdict} ({self.count_text})"


def check_summary(report: Report) -> CheckSummary:
    """The one summary of ``report`` every view draws (clean the report first)."""
    counts = report.counts()
    steps = action_steps(report)
    return CheckSummary(
        verdict=report.verdict,
        counts=counts,
        count_text=count_line(counts),
        host=report.facts.platform.hostname or "(anonymised)",
        profile_title=report.profile.title,
        profile_version=report.profile.version,
        dlcheck_version=report.facts.dlcheck_version or "",
        created=report.facts.created or "",
        source=report.source,
        # machine text cut as everywhere else (a 4,000-character --path: one line, not 60)
        machine=[
            (k, clean(v, DEFAULT_LIMIT)) for k, v in machine_lines(report.facts, report.profile)
        ],
        findings=list(report.findings),
        steps=steps,
        install_command=shown_install_command(report, steps),
        later=later_titles(report),
    )


def later_titles(report: Report) -> list[tuple[str, tuple[str, ...]]]:
    """The plan's later steps that answer a finding still open (FAIL, WARN, UNKNOWN that
    counts), each as its title and level ('Install Graphviz (optional)') and its commands."""
    open_ids = {f.id for f in report.findings if f.verdict != "PASS" and not f.not_judged}
    out = []
    for p in report.plan.later:
        if open_ids.intersection(p.resolves):
            kind = f" ({p.kind})" if p.kind in ("recommended", "optional") else ""
            out.append((p.title + kind, tuple(p.action.commands)))
    return out
