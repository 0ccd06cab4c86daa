"""CSV of a check report (``dlcheck check --format csv``): one row per requirement, in the
profile's order, with the status the other views count (``NOT JUDGED`` where its input was
not given) and the number of the plan's step that resolves it. Every cell goes through
``sanitize.csv_safe`` (``layout.csv_text``): no formula runs in a spreadsheet."""

from __future__ import annotations

from dlcheck.render.layout import csv_text
from dlcheck.render.summary import check_summary, finding_status
from dlcheck.report import Report
from dlcheck.sanitize import clean_record

CSV_COLUMNS = ("id", "title", "level", "status", "measured", "required", "advice", "step")


def render_csv(report: Report) -> str:
    report = clean_record(report)  # every machine string sanitized before any view
    s = check_summary(report)
    # step: the number of the plan's step that resolves the finding (the text view's "1.");
    # empty for a step the plan lists later
    number = {st.id: i for i, st in enumerate(report.plan.steps, 1)}
    rows = [
        (
            f.id,
            f.title,
            f.level,
            finding_status(f),
            f.observed,
            f.expected,
            f.advice,
            number.get(f.step or "", ""),
        )
        for f in s.findings
    ]
    return csv_text(CSV_COLUMNS, rows)
