"""The views of ``dlcheck data check`` and ``dlcheck data fetch``: text (rich ``Text``, never
markup; tables by ``render/layout.print_table``), Markdown (``md_escape``) and CSV
(``layout.csv_text``). Formatting only: the verdicts and next steps come in the records."""

from __future__ import annotations

import sys
from typing import IO, Any

from dlcheck.lessondata.checks import VERDICT_WORDS, DataCheck
from dlcheck.lessondata.fetch import FetchResult
from dlcheck.render.layout import csv_text, text_width
from dlcheck.render.markdown import md_code_block, md_escape
from dlcheck.sanitize import clean

CHECK_HEADERS = ("verdict", "file", "where", "found")
FETCH_HEADERS = ("state", "file", "where", "detail")


def _console(file: IO[str] | None, width: int | None) -> tuple[Any, int]:
    from rich.console import Console

    stream = file or sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, OSError, ValueError):
        tty = False
    console = Console(file=stream, highlight=False, width=1000, force_terminal=False)
    return console, text_width(width, is_terminal=tty)


def _check_rows(check: DataCheck) -> list[list[str]]:
    return [[v.verdict, v.id, clean(v.path, 300), clean(v.detail, 300)] for v in check.files]


def short_path(path: str, check_facts: Any) -> str:
    """``path`` inside the notebook folder (relative), Keras' home (``<keras>/...``) or
    seaborn's data folder (``<seaborn>/...``); the header lines name those folders."""
    import os

    for label, root in (
        ("", check_facts.folder),
        ("<keras>", check_facts.keras_home),
        ("<seaborn>", check_facts.seaborn_data),
    ):
        if root and path.startswith(root.rstrip(os.sep) + os.sep):
            rel = os.path.relpath(path, root)
            return f"{label}{os.sep if label else ''}{rel}" if label else rel
    return path


def _lines(rows: list[tuple[str, str, str, str]], console: Any, room: int) -> None:
    """One line per file (wrapped under itself when the width is short)."""
    from rich.text import Text

    from dlcheck.render.layout import hang, style_of

    wide = max((len(r[1]) for r in rows), default=0)
    for state, name, where, detail in rows:
        head = Text(f"{state:<8} ", style=style_of(state))
        head.append(f"{name:<{wide}}  ")
        hang(console, head, Text(f"{clean(where, 300)}: {clean(detail, 300)}"), room)


def _places(check: DataCheck) -> list[tuple[str, str]]:
    f = check.facts
    return [
        ("Notebook folder", clean(f.folder or "", 300)),
        ("Keras home", clean(f.keras_home or "", 300)),
        ("seaborn data", clean(f.seaborn_data or "", 300)),
    ]


def _summary(check: DataCheck) -> str:
    n = len(check.files)
    counts = {}
    for v in check.files:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    said = ", ".join(f"{k.lower()} {c}" for k, c in sorted(counts.items()) if k != "PASS")
    whole = counts.get("PASS", 0)
    return f"{VERDICT_WORDS[check.verdict]}  ({whole} of {n} files present and whole" + (
        f"; {said})" if said else ")"
    )


def render_check_text(
    check: DataCheck, file: IO[str] | None = None, width: int | None = None, quiet: bool = False
) -> None:
    from rich.text import Text

    console, room = _console(file, width)
    if quiet:
        console.print(Text(_summary(check)), soft_wrap=True)
        return
    course = check.facts.course or "tensorflow"
    console.print(Text(f"The course's data ({course} course); never the network"), soft_wrap=True)
    for label, value in _places(check):
        console.print(Text(f"{label:<16}{value}"), soft_wrap=True)
    console.print()
    rows = [(v.verdict, v.id, short_path(v.path, check.facts), v.detail) for v in check.files]
    _lines(rows, console, room)
    console.print()
    console.print(Text("Verdict: " + _summary(check)), soft_wrap=True)
    if check.next_step:
        console.print(Text("Next step: download what is missing or broken (it uses the network):"))
        for command in check.next_step:
            console.print(Text("    " + command), soft_wrap=True)


def render_check_markdown(check: DataCheck) -> str:
    lines = [f"## The course's data: {md_escape(VERDICT_WORDS[check.verdict])}", ""]
    for label, value in _places(check):
        lines.append(f"- {label}: {md_escape(value)}")
    lines += ["", "| " + " | ".join(CHECK_HEADERS) + " |", "|---|---|---|---|"]
    for row in _check_rows(check):
        lines.append("| " + " | ".join(md_escape(c) for c in row) + " |")
    lines += ["", md_escape(_summary(check))]
    if check.next_step:
        lines += ["", "Next step: download what is missing or broken (it uses the network):", ""]
        lines += md_code_block(list(check.next_step))
    return "\n".join(lines) + "\n"


def render_check_csv(check: DataCheck) -> str:
    return csv_text(CHECK_HEADERS, _check_rows(check))


def _fetch_rows(result: FetchResult) -> list[list[str]]:
    return [[r.state, r.id, clean(r.path, 300), clean(r.detail, 300)] for r in result.files]


def _roots(result: FetchResult) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(
        folder=result.folder, keras_home=result.keras_home, seaborn_data=result.seaborn_data
    )


def fetch_summary(result: FetchResult) -> str:
    fetched = sum(1 for r in result.files if r.state == "fetched")
    here = sum(1 for r in result.files if r.state == "present")
    failed = len(result.failed)
    head = "FETCH FAILED" if failed else "DATA READY"
    return f"{head}  ({fetched} fetched, {here} already here, {failed} failed)"


def render_fetch_text(
    result: FetchResult, file: IO[str] | None = None, width: int | None = None, quiet: bool = False
) -> None:
    from rich.text import Text

    console, room = _console(file, width)
    if not quiet:
        rows = [(r.state, r.id, short_path(r.path, _roots(result)), r.detail) for r in result.files]
        _lines(rows, console, room)
        console.print()
    console.print(Text(fetch_summary(result)), soft_wrap=True)


def render_fetch_markdown(result: FetchResult) -> str:
    lines = [f"## dlcheck data fetch: {md_escape(fetch_summary(result))}", ""]
    lines += ["| " + " | ".join(FETCH_HEADERS) + " |", "|---|---|---|---|"]
    for row in _fetch_rows(result):
        lines.append("| " + " | ".join(md_escape(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


def render_fetch_csv(result: FetchResult) -> str:
    return csv_text(FETCH_HEADERS, _fetch_rows(result))
