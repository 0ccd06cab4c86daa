"""Markdown for a helpdesk chat or an issue. Every value from the machine is escaped."""

from __future__ import annotations

import re

from dlcheck.render.summary import (
    check_summary,
    finding_lines,
    finding_status,
    requirement_label,
    same_command,
)
from dlcheck.report import Report
from dlcheck.sanitize import clean, clean_record

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|~#!])")
# What starts HTML in CommonMark: '<' before a tag, comment or autolink; '&' before an entity.
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_START = re.compile(r"&(?=[A-Za-z#])")
_ICON = {
    "PASS": "✅ PASS",
    "WARN": "⚠️ WARN",
    "FAIL": "❌ FAIL",
    "UNKNOWN": "❔ UNKNOWN",
    "NOT JUDGED": "➖ NOT JUDGED",
}


def md_escape(text: object) -> str:
    """Make ``text`` render literally in CommonMark/GFM, inside a table cell too: sanitized
    (dlcheck.sanitize), one line, Markdown specials (link syntax too) backslash-escaped, and
    HTML kept from starting: ``&lt;`` only where a '<' would open a tag, a comment or an
    autolink; a backslash before an '&' that would start an entity and before a leading '>'
    (a quote). So '>= 4 cores' reads '>= 4 cores' in a plain chat too, and '<script>' never
    renders as HTML."""
    s = clean(str(text).replace("\r", " ").replace("\n", " "), None)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _ENTITY_START.sub(r"\\&", s)
    s = _HTML_START.sub("&lt;", s)
    stripped = s.lstrip(" ")
    if stripped[:1] == ">":  # a quote
        s = s[: len(s) - len(stripped)] + "\\" + stripped
    return s


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


def md_code_block(lines: list[str]) -> list[str]:
    """Lines in a fenced code block (copied whole; nothing inside needs escaping but the
    fence itself)."""
    return ["```", *(line.replace("```", "'''") for line in lines), "```"]


def render_markdown(report: Report, show_all: bool = False) -> str:
    """The same content as the terminal view (``check_summary``): the machine, the verdict,
    the steps with the findings they answer, the install line, the count of what passed
    (``show_all``: the table of every requirement)."""
    report = clean_record(report)  # every machine string sanitized before any view
    s = check_summary(report)
    out = [
        f"## dlcheck: {s.verdict}",
        "",
        f"Profile: {md_escape(s.profile_title)} ({md_escape(s.profile_version)})  ",
        f"dlcheck {md_escape(s.dlcheck_version)}, {md_escape(s.created)}"
        + (f", re-evaluated from {md_escape(s.source)}" if s.source else ""),
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in s.machine]
    out += ["", f"**{s.verdict}**: {md_escape(s.count_text)}."]
    if show_all:
        out += ["", "| Result | Requirement | Found | Needed |", "|---|---|---|---|"]
        for f in s.findings:
            out.append(
                f"| {_ICON.get(finding_status(f), f.verdict)} | {md_escape(requirement_label(f))} "
                f"| {md_escape(f.observed)} | {md_escape(f.expected)} |"
            )
    if s.steps:
        out += ["", "### Next steps", ""]
        for i, step in enumerate(s.steps, 1):
            out.append(f"{i}. **{md_escape(step.title)}**: {md_advice(step.text)}")
            if step.commands:
                out += ["", *(f"   {line}" for line in md_code_block(list(step.commands))), ""]
            if step.then:
                out.append(f"   {md_escape(step.then[:1].upper() + step.then[1:])}:")
                out += ["", *(f"   {line}" for line in md_code_block(list(step.then_commands)))]
                out.append("")
            if show_all:
                continue
            for verdict, members, observed in finding_lines(step):
                titles = ", ".join(md_escape(m.title) for m in members)
                out.append(
                    f"   - {_ICON.get(verdict, verdict)} **{titles}**: {md_escape(observed)}"
                )
        if s.install_command:
            out += ["", "Install all missing packages at once:", ""]
            out += md_code_block([s.install_command])
        if s.later:
            out += ["", "After these:", ""]
            for title, commands in s.later:
                out.append(f"- {md_escape(title)}")
                if commands:
                    out += ["", *(f"  {line}" for line in md_code_block(list(commands))), ""]
    if not show_all:
        out += [
            "",
            f"{s.passed_text} ({same_command(report, '--all --markdown')} lists every "
            "requirement).",
        ]
    return "\n".join(out) + "\n"
