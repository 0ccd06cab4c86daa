"""CSV of a check report (``dlcheck check --format csv``): one row per requirement, in the
profile's order, with the status the other views count (``NOT JUDGED`` where its input was
not given). Every cell goes through ``sanitize.csv_safe`` (no formula runs in a spreadsheet)."""

from __future__ import annotations

import csv
import io

from dlcheck.render.summary import check_summary, finding_status
from dlcheck.report import Report
from dlcheck.sanitize import clean_record, csv_safe

CSV_COLUMNS = ("id", "title", "level", "status", "measured", "required", "advice")


def render_csv(report: Report) -> str:
    report = clean_record(report)  # every machine string sanitized before any view
    s = check_summary(report)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for f in s.findings:
        w.writerow(
            [
                csv_safe(f.id),
                csv_safe(f.title),
                csv_safe(f.level),
                finding_status(f),
                csv_safe(f.observed),
                csv_safe(f.expected),
                csv_safe(f.advice or ""),
            ]
        )
    return buf.getvalue()
