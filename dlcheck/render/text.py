"""The human report for a terminal: a table, colour only on a terminal (NO_COLOR honoured)."""

from __future__ import annotations

from typing import IO

from dlcheck.render.summary import machine_lines
from dlcheck.report import Report
from dlcheck.sanitize import clean_record
from dlcheck.verdict import next_steps

_STYLE = {"PASS": "green", "WARN": "yellow", "FAIL": "bold red", "UNKNOWN": "magenta"}
_VERDICT_STYLE = {
    "READY": "bold green",
    "READY WITH WARNINGS": "bold yellow",
    "NOT READY": "bold red",
}


def render_text(report: Report, file: IO[str] | None = None, width: int | None = None) -> None:
    """Print the report. Machine data goes in as rich Text, never as markup."""
    report = clean_record(report)  # every machine string sanitized before any view
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=file, highlight=False, width=width)
    title = Text.assemble(
        ("dlcheck ", "bold"),
        (report.facts.dlcheck_version or "", ""),
        " · ",
        (report.profile.title, "bold"),
        f" ({report.profile.version})",
    )
    console.print(title)
    if report.source:
        console.print(Text(f"Re-evaluated from {report.source} (facts of {report.facts.created})"))
    info = Table.grid(padding=(0, 2))
    info.add_column(style="bold")
    info.add_column()
    for k, v in machine_lines(report.facts):
        info.add_row(Text(k), Text(v))
    console.print(info)
    console.print()
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Result", no_wrap=True)
    table.add_column("Requirement")
    table.add_column("Found")
    table.add_column("Needed")
    for f in report.findings:
        table.add_row(
            Text(f.verdict, style=_STYLE.get(f.verdict, "")),
            Text(f.title + ("" if f.level == "required" else f" ({f.level})")),
            Text(f.observed),
            Text(f.expected),
        )
    console.print(table)
    todo = next_steps(report.findings)
    if todo:
        console.print(Text("Next steps", style="bold"))
        for i, f in enumerate(todo, 1):
            console.print(
                Text.assemble(
                    f"{i:>2}. ",
                    (f.verdict, _STYLE.get(f.verdict, "")),
                    " ",
                    (f.title, "bold"),
                    ": ",
                    f.advice or "",
                )
            )
        if cmd := report.install_command():
            console.print(Text.assemble(("Install all missing packages at once: ", "bold"), cmd))
        console.print()
    c = report.counts()
    console.print(
        Text.assemble(
            ("Verdict: ", "bold"),
            (report.verdict, _VERDICT_STYLE.get(report.verdict, "bold")),
            f"  ({c['PASS']} passed, {c['WARN']} warnings, {c['FAIL']} failed, "
            f"{c['UNKNOWN']} unknown)",
        )
    )
    for line in report_footer(report):
        console.print(Text(line, style="dim"))


def report_footer(report: Report) -> list[str]:
    """Hints shown under the verdict."""
    lines = []
    if "benchmark" not in report.facts.extra:
        lines.append("How fast will training be here? Run `dlcheck bench` (needs dlcheck[bench]).")
    lines.append(
        "Share with a helper: `dlcheck check --markdown`; save: `dlcheck check --json > me.json`."
    )
    return lines
