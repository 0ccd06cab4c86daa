"""The reviewed advice table (issue 18): every recorded machine's whole plan.

    python tests/advice_table.py            # the table: machine | verdict | steps
    python tests/advice_table.py --plans    # and every step in full, with its commands

Every machine is a saved report: the recorded machines of tests/data/reports/ and the older
or foreign reports of tests/data/machines/, read by the `--from` reader and judged (and
planned) again. tests/test_plan.py holds the rules of the plan over the same machines.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from recorded import MACHINES, TORCH_MACHINES, machine_course, machine_facts  # noqa: E402

from dlcheck.documents import read_document  # noqa: E402
from dlcheck.places import load_places  # noqa: E402
from dlcheck.profile import load_profile  # noqa: E402
from dlcheck.report import Report, judge  # noqa: E402

REPORTS = {
    "older dlcheck, Windows AMD64": ("older report", "old-dlcheck-windows-amd64.json"),
    "other tool, Linux aarch64": ("odd spellings", "other-tool-linux-aarch64.json"),
    "report without packages": ("absent section", "no-packages-section.json"),
}


def all_machines():
    """(name, class, facts) for every recorded machine of the TensorFlow course."""
    out = [(name, cls, machine_facts(slug)) for name, (cls, slug) in MACHINES.items()]
    for name, (cls, file) in REPORTS.items():
        path = HERE / "data" / "machines" / file
        out.append((name, cls, read_document(path, ["dlcheck.report"]).record()))
    return out


def torch_reports() -> list[tuple[str, str, Report]]:
    """(name, class, report judged and planned against the PyTorch flavour) per machine
    recorded with `dlcheck check --course torch` (issue 22)."""
    places = load_places()
    out = []
    for name, (cls, slug) in TORCH_MACHINES.items():
        profile = load_profile(course=machine_course(slug))
        out.append((name, cls, judge(machine_facts(slug), profile, places)))
    return out


def all_reports() -> list[tuple[str, str, Report]]:
    """(name, class, report judged and planned against the default profile) per machine."""
    profile, places = load_profile(), load_places()
    return [(name, cls, judge(facts, profile, places)) for name, cls, facts in all_machines()]


def row(name, facts):
    """(report, its findings with a step in verdict order, env recommend's answer, the first
    of those findings as text, the recommended setup): the issue-13 view of one machine."""
    from dlcheck.envs.recommend import recommend
    from dlcheck.envs.setups import load_catalog

    report = judge(facts, load_profile(), load_places())
    by_id = {f.id: f for f in report.findings}
    # the findings in the order of their steps (each step's causes first)
    order = [i for s in (*report.plan.steps, *report.plan.later) for i in (*s.because, *s.resolves)]
    steps = [by_id[i] for i in dict.fromkeys(order) if by_id[i].advice]
    first = f"{steps[0].title}: {steps[0].advice}" if steps else "(none)"
    rec = recommend(facts, load_catalog())
    setup = rec.setup or f"no lock: {rec.routes[0].name}" if rec.routes else "NONE"
    return report, steps, rec, first, setup


def step_line(i: int, step) -> str:
    cmds = " ; ".join(step.action.commands)
    then = (
        f" · {step.action.then}: {' ; '.join(step.action.then_commands)}"
        if step.action.then
        else ""
    )
    return f"{i}. [{step.kind}] {step.title}" + (f" `{cmds}`" if cmds else "") + then


if __name__ == "__main__":
    full = "--plans" in sys.argv[1:]
    rows = all_reports() + torch_reports()  # each machine against the course it was checked by
    print(f"{len(rows)} machines, {len({c for _, c, _ in rows})} classes\n")
    print("| machine | verdict | steps |\n|---|---|---|")
    for name, _cls, report in rows:
        steps = "<br>".join(step_line(i, s) for i, s in enumerate(report.plan.steps, 1))
        print(f"| {name} | {report.verdict} | {(steps or '(none)').replace('|', '/')} |")
    if full:
        for name, _cls, report in rows:
            print(f"\n## {name}: {report.verdict}")
            for i, s in enumerate(report.plan.steps, 1):
                print(f"{i}. [{s.kind}] {s.title}: {s.action.text}")
                for c in s.action.commands:
                    print(f"       {c}")
                if s.action.then:
                    print(f"   {s.action.then}:")
                    for c in s.action.then_commands:
                        print(f"       {c}")
            # one voice (issue 26): each finding with advice says its step's text
            from dlcheck.plan import step_advice

            steps = {s.id: s for s in (*report.plan.steps, *report.plan.later)}
            told = [f for f in report.findings if f.advice]
            agree = all(f.step in steps and f.advice == step_advice(steps[f.step]) for f in told)
            links = ", ".join(f"{f.id} ({f.verdict}) -> {f.step}" for f in told)
            print(f"   findings: {links or '(none with advice)'}")
            print(f"   findings agree with the plan: {'yes' if agree else 'NO'}")
