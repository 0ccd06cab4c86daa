"""Markdown for a helpdesk chat or an issue. Every value from the machine is escaped."""

from __future__ import annotations

import html
import re

from dlcheck.render.summary import machine_lines
from dlcheck.report import Report
from dlcheck.verdict import next_steps

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~#!])")
_ICON = {"PASS": "✅ PASS", "WARN": "⚠️ WARN", "FAIL": "❌ FAIL", "UNKNOWN": "❔ UNKNOWN"}


def md_escape(text: object) -> str:
    """Make ``text`` render literally in CommonMark/GFM, inside a table cell too."""
    s = str(text).replace("\r", " ").replace("\n", " ")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return html.escape(s, quote=False)


def md_advice(text: str) -> str:
    """Advice comes from the profile (trusted) and may hold `code`; keep it one table-safe line."""
    return text.replace("\n", " ").replace("|", "\\|")


def render_markdown(report: Report) -> str:
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
    out += ["", "| Result | Requirement | Found | Needed |", "|---|---|---|---|"]
    for f in report.findings:
        out.append(
            f"| {_ICON.get(f.verdict, f.verdict)} | {md_escape(f.title)} | {md_escape(f.observed)} "
            f"| {md_escape(f.expected)} |"
        )
    todo = next_steps(report.findings)
    if todo:
        out += ["", "### Next steps", ""]
        for i, f in enumerate(todo, 1):
            out.append(f"{i}. **{f.verdict}** {md_escape(f.title)}: {md_advice(f.advice or '')}")
        if cmd := report.install_command():
            out += ["", "Install all missing packages at once:", "", "```", cmd, "```"]
    c = report.counts()
    out += [
        "",
        f"**{report.verdict}**: {c['PASS']} passed, {c['WARN']} warnings, {c['FAIL']} failed, "
        f"{c['UNKNOWN']} unknown.",
    ]
    return "\n".join(out) + "\n"
