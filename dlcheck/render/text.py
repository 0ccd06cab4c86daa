"""The check report for a terminal: the machine, the verdict, then only what needs action
(each with its next step) and one line counting what passed; ``show_all`` adds the table of
every requirement. Colour only on a terminal (NO_COLOR honoured); never crops: tables below
their width become stacked blocks (dlcheck.render.layout)."""

from __future__ import annotations

from typing import IO

from dlcheck.render.layout import command_line, console_width, hang, print_table, style_of
from dlcheck.render.summary import (
    CheckSummary,
    check_summary,
    finding_lines,
    finding_status,
    requirement_label,
    same_command,
)
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

    s = check_summary(report)
    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    title = Text.assemble(
        ("dlcheck ", "bold"),
        s.dlcheck_version,
        " · ",
        (s.profile_title, "bold"),
        f" ({s.profile_version})",
    )
    hang(console, Text(""), title, w, indent=0)
    if s.source:
        hang(
            console,
            Text(""),
            Text(f"Re-evaluated from {s.source} (facts of {s.created})"),
            w,
            indent=0,
        )
    label = max(len(k) for k, _ in s.machine) + 2
    for k, v in s.machine:
        hang(console, Text(k.ljust(label), style="bold"), Text(v), w)
    if verbose:
        for line in stderr_tails(report):
            hang(console, Text("Probe log".ljust(label), style="bold"), Text(line), w)
    console.print()
    hang(
        console,
        Text("Verdict: ", style="bold"),
        Text.assemble((s.verdict, style_of(s.verdict)), "  (", s.count_text, ")"),
        w,
    )
    if show_all:
        console.print()
        rows = [
            [
                Text(finding_status(f), style=style_of(finding_status(f))),
                Text(requirement_label(f)),
                Text(f.observed),
                Text(f.expected),
            ]
            for f in s.findings
        ]
        print_table(console, ["Result", "Requirement", "Found", "Needed"], rows, w, 1)
    if s.steps:
        console.print()
        console.print(Text("Next steps", style="bold"))
        for i, step in enumerate(s.steps, 1):
            body = Text.assemble((step.title, "bold"), ": ", step.text)
            hang(console, Text(f"{i:>2}. "), body, w)
            for cmd in step.commands:
                command_line(console, cmd, indent=6)
            if step.then:
                hang(console, Text("    "), Text(f"{step.then[:1].upper()}{step.then[1:]}:"), w)
                for cmd in step.then_commands:
                    command_line(console, cmd, indent=6)
            if show_all:
                continue
            for verdict, members, observed in finding_lines(step):
                head = Text.assemble("    ", (verdict.ljust(7), style_of(verdict)), " ")
                body = Text.assemble((", ".join(m.title for m in members), "bold"), ": ", observed)
                hang(console, head, body, w)
        if s.install_command:
            console.print(Text("Install all missing packages at once:", style="bold"))
            command_line(console, s.install_command)
        if s.later:  # the plan's steps beyond those shown: named, with their commands
            console.print(Text("    After these:"))
            for title, commands in s.later:
                hang(console, Text("    - "), Text(title), w)
                for cmd in commands:
                    command_line(console, cmd, indent=8)
    console.print()
    if not show_all:
        hang(
            console,
            Text(""),
            Text(
                # the verdict again: on a short terminal the one above has scrolled away
                f"Verdict: {s.verdict}. {s.passed_text}; {all_command(report)} lists every "
                "requirement.",
                style=style_of(s.verdict),  # the verdict's colour, as at the top
            ),
            w,
            indent=0,
        )
    for line in report_footer(report, s):
        hang(console, Text(""), Text(line, style="dim"), w, indent=0)


def all_command(report: Report) -> str:
    """How to list every requirement of this report (a command is never wrapped)."""
    return same_command(report, "--all")


def verdict_line(report: Report) -> str:
    """The one line of ``--quiet``: ``NOT READY (4 failed, 4 warnings, 23 passed)``."""
    return check_summary(clean_record(report)).verdict_line


def stderr_tails(report: Report) -> list[str]:
    """The lines the features' probes kept: the framework probes' standard-error tails
    (shown with ``--verbose``)."""
    from dlcheck.features import log_lines

    return log_lines(report.facts)


_SPEED_KINDS = ("usable_cores", "training_time")


def report_footer(report: Report, summary: CheckSummary | None = None) -> list[str]:
    """Hints shown under the verdict (the bench hint only where no step already gives it)."""
    steps = (summary or check_summary(report)).steps
    if report.source:  # a saved report: hints that show it again, never one that saves over it
        return ["Share: the same command with `--markdown` (this report, never re-probed)"]
    share, save = same_command(report, "--markdown"), same_command(report, "--json -o me.json")
    lines = [f"Share: {share} · save: {save}"]
    # the cores' step already sends to `dlcheck bench` (by kind, never by its words)
    kinds = {r.id: r.check for r in report.profile.requirements}
    speed = {f.id for s in steps for f in s.findings if kinds.get(f.id) in _SPEED_KINDS}
    if "benchmark" not in report.facts.sections and not speed:
        lines[0] += " · speed: `dlcheck bench`"
    return lines
