"""HTML for Jupyter (``_repr_html_``) and a one-line ``repr``: the same content as the terminal
view (machine, verdict and counts, steps with the findings they answer, the install line, what
passed). Every value is escaped."""

from __future__ import annotations

import re
from html import escape

from dlcheck.render.layout import HTML_COLOUR, count_line
from dlcheck.render.summary import (
    action_steps,
    finding_lines,
    machine_lines,
    shown_install_command,
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
    machine = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in machine_lines(report.facts)
    )
    c = report.counts()
    colour = HTML_COLOUR.get(report.verdict, "#9a6700")
    out = [
        "<div class='dlcheck-report'>",
        f"<h3 style='color:{colour}'>dlcheck: {escape(report.verdict)}</h3>",
        f"<p>{escape(report.profile.title)} ({escape(report.profile.version)})</p>",
        f"<table>{machine}</table>",
        f"<p><b>{escape(report.verdict)}</b>: {escape(count_line(c))}.</p>",
    ]
    if show_all:
        rows = "".join(
            f"<tr><td>{_verdict(f.verdict)}</td><td>{escape(f.title)}</td>"
            f"<td>{escape(f.observed)}</td><td>{escape(f.expected)}</td></tr>"
            for f in report.findings
        )
        out.append(
            "<table><thead><tr><th>Result</th><th>Requirement</th><th>Found</th>"
            f"<th>Needed</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    steps = action_steps(report)
    if steps:
        out.append("<h4>Next steps</h4><ol>")
        for step in steps:
            items = ""
            if not show_all:
                items = "".join(
                    f"<li>{_verdict(v)} <b>{escape(', '.join(m.title for m in members))}</b>: "
                    f"{escape(observed)}</li>"
                    for v, members, observed in finding_lines(step)
                )
                items = f"<ul>{items}</ul>"
            out.append(f"<li>{html_advice(step.advice)}{items}</li>")
        out.append("</ol>")
        cmd = shown_install_command(report, steps)
        if cmd:
            out.append(
                f"<p><b>Install all missing packages at once:</b> <code>{escape(cmd)}</code></p>"
            )
    if not show_all:
        n = c.get("PASS", 0)
        out.append(
            f"<p>{n} requirement{'s' if n != 1 else ''} passed "
            "(<code>dlcheck check --all</code> lists every requirement).</p>"
        )
    out.append("</div>")
    return "".join(out)


def render_repr(report: Report) -> str:
    """One line: ``<Report vm: NOT READY, 4 failed, 4 warnings, 23 passed>``."""
    host = clean(report.facts.platform.hostname or "(anonymised)", 60)
    return f"<Report {host}: {report.verdict}, {count_line(report.counts())}>"
