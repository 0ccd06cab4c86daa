"""Markdown for a helpdesk chat or an issue. Every value from the machine is escaped."""

from __future__ import annotations

import html
import re

from dlcheck.render.layout import count_line
from dlcheck.render.summary import (
    action_steps,
    finding_lines,
    machine_lines,
    shown_install_command,
)
from dlcheck.report import Report
from dlcheck.sanitize import clean, clean_record

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~#!])")
_ICON = {"PASS": "✅ PASS", "WARN": "⚠️ WARN", "FAIL": "❌ FAIL", "UNKNOWN": "❔ UNKNOWN"}


def md_escape(text: object) -> str:
    """Make ``text`` render literally in CommonMark/GFM, inside a table cell too: sanitized
    (dlcheck.sanitize), one line, Markdown specials (link syntax too) and HTML tags escaped."""
    s = clean(str(text).replace("\r", " ").replace("\n", " "), None)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return html.escape(s, quote=False)


_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def md_advice(text: str) -> str:
    """Advice: the profile's text (trusted, may hold `code`) with machine text built into it
    (a driver's message), so it is escaped like any machine value except inside code spans,
    which render literally anyway. One table-safe line."""
    parts = _CODE_SPAN.split(clean(text.replace("\r", " ").replace("\n", " "), None))
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a code span: only the table's pipe needs escaping
            out.append(part.replace("|", "\\|"))
        else:
            out.append(md_escape(part))
    return "".join(out)


def render_markdown(report: Report, show_all: bool = False) -> str:
    """The same content as the terminal view: the machine, the verdict, the steps with the
    findings they answer, the install line, the count of what passed (``show_all``: the
    table of every requirement)."""
    report = clean_record(report)  # every machine string sanitized before any view
    out = [
        f"## dlcheck: {report.verdict}",
        "",
        f"Profile: {md_escape(report.profile.title)} ({md_escape(report.profile.version)})  ",
        f"dlcheck {md_escape(report.facts.dlcheck_version or '')}, "
        f"{md_escape(report.facts.created or '')}"
        + (f", re-evaluated from {md_escape(report.source)}" if report.source else ""),
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in machine_lines(report.facts)]
    c = report.counts()
    out += ["", f"**{report.verdict}**: {count_line(c)}."]
    if show_all:
        out += ["", "| Result | Requirement | Found | Needed |", "|---|---|---|---|"]
        for f in report.findings:
            out.append(
                f"| {_ICON.get(f.verdict, f.verdict)} | {md_escape(f.title)} "
                f"| {md_escape(f.observed)} | {md_escape(f.expected)} |"
            )
    steps = action_steps(report)
    if steps:
        out += ["", "### Next steps", ""]
        for i, step in enumerate(steps, 1):
            out.append(f"{i}. {md_advice(step.advice)}")
            if show_all:
                continue
            for verdict, members, observed in finding_lines(step):
                titles = ", ".join(md_escape(m.title) for m in members)
                out.append(
                    f"   - {_ICON.get(verdict, verdict)} **{titles}**: {md_escape(observed)}"
                )
        cmd = shown_install_command(report, steps)
        if cmd:
            out += ["", "Install all missing packages at once:", "", "```", cmd, "```"]
    if not show_all:
        n = c.get("PASS", 0)
        out += [
            "",
            f"{n} requirement{'s' if n != 1 else ''} passed "
            "(`dlcheck check --all --markdown` lists every requirement).",
        ]
    return "\n".join(out) + "\n"
