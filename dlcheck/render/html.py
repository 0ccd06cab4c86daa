"""HTML for Jupyter (``_repr_html_``) and a one-line ``repr``: the same content as the terminal
view (machine, verdict and counts, steps with the findings they answer, the install line, what
passed). Every value is escaped."""

from __future__ import annotations

import re
from html import escape

from dlcheck.render.layout import HTML_COLOUR
from dlcheck.render.summary import (
    check_summary,
    finding_lines,
    finding_status,
    requirement_label,
    same_command,
)
from dlcheck.report import Report
from dlcheck.sanitize import clean, clean_record

_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def html_advice(text: str) -> str:
    """Advice with its `code` spans as <code>; everything escaped."""
    parts = _CODE_SPAN.split(clean(text, None))
    return "".join(
        f"<code>{escape(p[1:-1])}</code>" if i % 2 else escape(p) for i, p in enumerate(parts)
    )


def _verdict(v: str) -> str:
    return f"<b style='color:{HTML_COLOUR.get(v, '#000')}'>{escape(v)}</b>"


def render_html(report: Report, show_all: bool = False) -> str:
    report = clean_record(report)  # every machine string sanitized before any view
    s = check_summary(report)
    machine = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in s.machine
    )
    colour = HTML_COLOUR.get(s.verdict, "#9a6700")
    out = [
        "<div class='dlcheck-report'>",
        f"<h3 style='color:{colour}'>dlcheck: {escape(s.verdict)}</h3>",
        f"<p>{escape(s.profile_title)} ({escape(s.profile_version)})</p>",
        f"<table>{machine}</table>",
        f"<p><b>{escape(s.verdict)}</b>: {escape(s.count_text)}.</p>",
    ]
    if show_all:
        rows = "".join(
            f"<tr><td>{_verdict(finding_status(f))}</td><td>{escape(requirement_label(f))}</td>"
            f"<td>{escape(f.observed)}</td><td>{escape(f.expected)}</td></tr>"
            for f in s.findings
        )
        out.append(
            "<table><thead><tr><th>Result</th><th>Requirement</th><th>Found</th>"
            f"<th>Needed</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    if s.steps:
        out.append("<h4>Next steps</h4><ol>")
        for step in s.steps:
            items = ""
            if not show_all:
                items = "".join(
                    f"<li>{_verdict(v)} <b>{escape(', '.join(m.title for m in members))}</b>: "
                    f"{escape(observed)}</li>"
                    for v, members, observed in finding_lines(step)
                )
                items = f"<ul>{items}</ul>"
            cmds = "".join(f"<pre><code>{escape(c)}</code></pre>" for c in step.commands)
            if step.then:
                cmds += f"<p>{escape(step.then[:1].upper() + step.then[1:])}:</p>" + "".join(
                    f"<pre><code>{escape(c)}</code></pre>" for c in step.then_commands
                )
            out.append(
                f"<li><b>{escape(step.title)}</b>: {html_advice(step.text)}{cmds}{items}</li>"
            )
        out.append("</ol>")
        if s.install_command:
            out.append(
                "<p><b>Install all missing packages at once:</b></p>"
                f"<pre><code>{escape(s.install_command)}</code></pre>"
            )
        if s.later:
            items = "".join(
                f"<li>{escape(title)}"
                + "".join(f"<pre><code>{escape(c)}</code></pre>" for c in commands)
                + "</li>"
                for title, commands in s.later
            )
            out.append(f"<p>After these:</p><ul>{items}</ul>")
    if not show_all:
        out.append(
            f"<p>{escape(s.passed_text)} "
            f"({html_advice(same_command(report, '--all'))} lists every requirement).</p>"
        )
    out.append("</div>")
    return "".join(out)


def render_repr(report: Report) -> str:
    """One line: ``<Report vm: NOT READY, 4 failed, 4 warnings, 23 passed, 2 not judged>``."""
    s = check_summary(clean_record(report))
    return f"<Report {clean(s.host, 60)}: {s.verdict}, {s.count_text}>"
