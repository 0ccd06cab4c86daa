"""Markdown for a helpdesk chat or an issue. Every value from the machine is escaped."""

from __future__ import annotations

import html
import re

from dlcheck.render.summary import machine_lines
from dlcheck.report import Report
from dlcheck.sanitize import clean, clean_record
from dlcheck.verdict import next_steps

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


def render_markdown(report: Report) -> str:
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
