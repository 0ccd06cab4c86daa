"""The check report for a terminal: the machine, the verdict, then only what needs action
(each with its next step) and one line counting what passed; ``show_all`` adds the table of
every requirement. Colour only on a terminal (NO_COLOR honoured); never crops: tables below
their width become stacked blocks (dlcheck.render.layout)."""

from __future__ import annotations

from typing import IO

from dlcheck.render.layout import console_width, count_line, hang, print_table, style_of
from dlcheck.render.summary import action_steps, finding_lines, machine_lines, shown_install_command
from dlcheck.report import Report
from dlcheck.sanitize import clean_record


def render_text(
    report: Report,
    file: IO[str] | None = None,
    width: int | None = None,
    show_all: bool = False,
    verbose: bool = False,
) -> None:
    """Print the report. Machine data goes in as rich Text, never as markup."""
    report = clean_record(report)  # every machine string sanitized before any view
    from rich.console import Console
    from rich.text import Text

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    title = Text.assemble(
        ("dlcheck ", "bold"),
        (report.facts.dlcheck_version or "", ""),
        " · ",
        (report.profile.title, "bold"),
        f" ({report.profile.version})",
    )
    hang(console, Text(""), title, w, indent=0)
    if report.source:
        hang(
            console,
            Text(""),
            Text(f"Re-evaluated from {report.source} (facts of {report.facts.created})"),
            w,
            indent=0,
        )
    facts = machine_lines(report.facts)
    label = max(len(k) for k, _ in facts) + 2
    for k, v in facts:
        hang(console, Text(k.ljust(label), style="bold"), Text(v), w)
    if verbose:
        for line in stderr_tails(report):
            hang(console, Text("Probe log".ljust(label), style="bold"), Text(line), w)
    console.print()
    c = report.counts()
    hang(
        console,
        Text("Verdict: ", style="bold"),
        Text.assemble((report.verdict, style_of(report.verdict)), "  (", count_line(c), ")"),
        w,
    )
    if show_all:
        console.print()
        rows = [
            [
                Text(f.verdict, style=style_of(f.verdict)),
                Text(f.title + ("" if f.level == "required" else f" ({f.level})")),
                Text(f.observed),
                Text(f.expected),
            ]
            for f in report.findings
        ]
        print_table(console, ["Result", "Requirement", "Found", "Needed"], rows, w, 1)
    steps = action_steps(report)
    if steps:
        console.print()
        console.print(Text("Next steps", style="bold"))
        for i, step in enumerate(steps, 1):
            hang(console, Text(f"{i:>2}. "), Text(step.advice), w)
            if show_all:
                continue
            for verdict, members, observed in finding_lines(step):
                head = Text.assemble("    ", (verdict.ljust(7), style_of(verdict)), " ")
                body = Text.assemble((", ".join(m.title for m in members), "bold"), ": ", observed)
                hang(console, head, body, w)
        cmd = shown_install_command(report, steps)
        if cmd:
            hang(
                console, Text("Install all missing packages at once: ", style="bold"), Text(cmd), w
            )
    console.print()
    if not show_all:
        passed = c.get("PASS", 0)
        hang(
            console,
            Text(""),
            Text(
                f"{passed} requirement{'s' if passed != 1 else ''} passed; "
                "`dlcheck check --all` lists every requirement.",
                style="green" if passed else "",
            ),
            w,
            indent=0,
        )
    for line in report_footer(report):
        hang(console, Text(""), Text(line, style="dim"), w, indent=0)


def verdict_line(report: Report) -> str:
    """The one line of ``--quiet``: ``NOT READY (4 failed, 4 warnings, 23 passed)``."""
    return f"{report.verdict} ({count_line(report.counts())})"


def stderr_tails(report: Report) -> list[str]:
    """The framework probes' kept standard-error tails (shown with ``--verbose``)."""
    out = []
    section = report.facts.sections.get("frameworks")
    results = section.get("results", []) if isinstance(section, dict) else []
    for probe in results if isinstance(results, list) else []:
        if not isinstance(probe, dict):
            continue
        tail = probe.get("stderr_tail") or []
        if isinstance(tail, str):
            tail = tail.splitlines()
        name = probe.get("name") or "probe"
        out += [f"{name}: {line}" for line in tail if str(line).strip()]
    return out


def report_footer(report: Report) -> list[str]:
    """Hints shown under the verdict (the bench hint only where no step already gives it)."""
    lines = ["Share: `dlcheck check --markdown` · save: `dlcheck check --json -o me.json`"]
    if "benchmark" not in report.facts.sections and not any(
        "dlcheck bench" in s.advice for s in action_steps(report)
    ):
        lines[0] += " · speed: `dlcheck bench`"
    return lines
