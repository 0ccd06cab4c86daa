"""HTML for Jupyter (``_repr_html_``). Every value is escaped."""

from __future__ import annotations

from html import escape

from dlcheck.render.summary import machine_lines
from dlcheck.report import Report
from dlcheck.sanitize import clean_record

_COLOUR = {"PASS": "#1a7f37", "WARN": "#9a6700", "FAIL": "#cf222e", "UNKNOWN": "#57606a"}


def render_html(report: Report) -> str:
    report = clean_record(report)  # every machine string sanitized before any view
    rows = "".join(
        f"<tr><td style='color:{_COLOUR.get(f.verdict, '#000')};font-weight:bold'>"
        f"{escape(f.verdict)}</td><td>{escape(f.title)}</td><td>{escape(f.observed)}</td>"
        f"<td>{escape(f.expected)}</td><td>{escape(f.advice or '')}</td></tr>"
        for f in report.findings
    )
    machine = "".join(
        f"<tr><th style='text-align:left'>{escape(k)}</th><td>{escape(v)}</td></tr>"
        for k, v in machine_lines(report.facts)
    )
    colour = {"READY": "#1a7f37", "NOT READY": "#cf222e"}.get(report.verdict, "#9a6700")
    return (
        "<div class='dlcheck-report'>"
        f"<h3 style='color:{colour}'>dlcheck: {escape(report.verdict)}</h3>"
        f"<p>{escape(report.profile.title)} ({escape(report.profile.version)})</p>"
        f"<table>{machine}</table>"
        "<table><thead><tr><th>Result</th><th>Requirement</th><th>Found</th><th>Needed</th>"
        f"<th>Next step</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )
