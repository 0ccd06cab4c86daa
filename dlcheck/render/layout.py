"""The one style and layout of every text view: verdict colours, number and time formats,
wrapped lines with a hanging indent, and tables that never crop (below the width a table
needs, its rows become stacked blocks of ``field: value``). Views hand in rich ``Text``
(never markup) built from records that ``dlcheck.sanitize`` has cleaned."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

# Verdict colours, shared by the terminal, HTML and the fleet views.
STYLE = {
    "PASS": "green",
    "WARN": "yellow",
    "FAIL": "bold red",
    "UNKNOWN": "magenta",
    "NOT JUDGED": "dim",
    "BORDERLINE": "bold magenta",
    "MATCH": "bold green",
    "MISMATCH": "bold red",
    "INCOMPLETE": "bold magenta",
    "READY": "bold green",
    "READY WITH WARNINGS": "bold yellow",
    "NOT READY": "bold red",
    "NOT VERIFIED": "bold magenta",
}
HTML_COLOUR = {
    "PASS": "#1a7f37",
    "READY": "#1a7f37",
    "WARN": "#9a6700",
    "BORDERLINE": "#9a6700",
    "READY WITH WARNINGS": "#9a6700",
    "FAIL": "#cf222e",
    "NOT READY": "#cf222e",
    "UNKNOWN": "#57606a",
    "NOT JUDGED": "#57606a",
    "NOT VERIFIED": "#8250df",
}

# The smallest column a wrapped table may give a field before it stacks its rows instead.
MIN_COLUMN = 10


def style_of(verdict: str) -> str:
    return STYLE.get(verdict, "")


def count_line(counts: dict[str, int], order: Sequence[str] = ("FAIL", "WARN", "UNKNOWN")) -> str:
    """``6 failed, 4 warnings, 4 unknown, 17 passed, 2 not judged``: only the counts that are
    not zero, the ones that need action first (passed always said), then the requirements
    not judged because their input was not given (``NOT_JUDGED``: no benchmark file, no
    environment made from a setup), so the counts add up to the rows ``--all`` lists."""
    words = {"FAIL": "failed", "WARN": "warnings", "UNKNOWN": "unknown", "PASS": "passed"}
    parts = []
    for key in order:
        n = counts.get(key, 0)
        if n:
            word = words[key]
            if key == "WARN" and n == 1:
                word = "warning"
            parts.append(f"{n} {word}")
    parts.append(f"{counts.get('PASS', 0)} passed")
    if counts.get("NOT_JUDGED", 0):
        parts.append(f"{counts['NOT_JUDGED']} not judged")
    return ", ".join(parts)


# A width from COLUMNS outside these bounds is a mistake (0, negative, absurd): it is ignored.
WIDTH_BOUNDS = (20, 1000)
# The width of every command's text when it goes to a pipe or a file and COLUMNS is not set.
PIPE_WIDTH = 80


def text_width(width: int | None = None, is_terminal: bool = False) -> int:
    """The one width rule of every text view: ``width`` when given; else ``COLUMNS`` when it
    is a whole number within ``WIDTH_BOUNDS``; else the terminal's width on a terminal and
    ``PIPE_WIDTH`` (80) for a pipe or a file. A ``COLUMNS`` of 0, negative, absurd or not a
    number falls back to those, so a view is never empty nor a mile wide."""
    import os
    import shutil

    if width is not None and width > 0:
        return int(width)
    low, high = WIDTH_BOUNDS
    raw = os.environ.get("COLUMNS", "").strip()
    if raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    if is_terminal:
        cols = shutil.get_terminal_size((PIPE_WIDTH, 24)).columns
        if low <= cols <= high:
            return cols
    return PIPE_WIDTH


def console_width(console: Any, width: int | None) -> int:
    """``text_width`` for a rich console, which is set to it (rich reads ``COLUMNS`` itself
    and would draw nothing at 0)."""
    w = text_width(width, bool(getattr(console, "is_terminal", False)))
    console.width = w
    return w


# A code span holding a command (a space inside the backticks): never broken by the wrapper.
_COMMAND_SPAN = re.compile(r"`[^`\n]* [^`\n]*`")
# A word: a run of other characters and whole code spans (spaces inside them included).
_WORD = re.compile(r"(?:`[^`\n]*`|[^\s`]|`)+")


def hang(console: Any, head: Any, body: Any, width: int, indent: int | None = None) -> None:
    """Print ``head`` then ``body`` wrapped at ``width`` with later lines indented under the
    body (a hanging indent); a word longer than the room left is folded only then. A command
    in backticks is never broken: it moves to the next line whole, and one longer than a line
    goes on a line of its own, indented and without its backticks, as wide as it is (to be
    copied whole)."""
    from rich.text import Text

    head = head if isinstance(head, Text) else Text(str(head))
    body = body if isinstance(body, Text) else Text(str(body))
    indent = head.cell_len if indent is None else indent
    if indent > width // 2:
        indent = min(4, width // 4)
    room = max(width - indent, 10)
    first_room = max(width - head.cell_len, 10)
    if "\n" not in body.plain and _COMMAND_SPAN.search(body.plain):
        lines = _wrap_commands(console, body, first_room, room)
    else:
        lines = _wrap(console, body, first_room, room)
    if not lines:
        console.print(head, soft_wrap=True)
        return
    first = head.copy()
    first.append_text(lines[0])
    first.rstrip()
    console.print(first, soft_wrap=True)
    pad = " " * indent
    for line in lines[1:]:
        line = Text(pad) + line
        line.rstrip()
        console.print(line, soft_wrap=True)


def command_line(console: Any, command: str, indent: int = 4) -> None:
    """A command on a line of its own, indented, never wrapped (it may run past the width:
    a terminal shows it folded, and copying the line gives the whole command)."""
    from rich.text import Text

    console.print(Text(" " * indent + command.strip()), soft_wrap=True)


def _wrap_commands(console: Any, body: Any, first_room: int, room: int) -> list[Any]:
    """``_wrap`` for a body holding commands in backticks: words (code spans are single
    words) fill each line; a command longer than a whole line gets a line of its own, two
    cells further in and without its backticks (sentence punctuation right after it is left
    out); other words too long for a line are folded."""
    from rich.text import Text

    plain = body.plain
    lines: list[Any] = []
    line = Text("")
    for m in _WORD.finditer(plain):
        word = body[m.start() : m.end()]
        limit = first_room if not lines else room
        gap = 1 if line.plain else 0
        if line.cell_len + gap + word.cell_len <= limit:
            if gap:
                line.append(" ")
            line.append_text(word)
            continue
        command = re.fullmatch(r"`([^`\n]* [^`\n]*)`[.,;:]?", m.group(0))
        if command is not None and word.cell_len > room:
            if line.plain or not lines:
                lines.append(line)  # the first line stays, even empty: the head goes on it
            lines.append(Text("  " + command.group(1)))
            line = Text("")
            continue
        if line.plain:
            lines.append(line)
            line = Text("")
        limit = first_room if not lines else room
        parts = (
            list(word.wrap(console, limit, overflow="fold")) if word.cell_len > limit else [word]
        )
        lines.extend(parts[:-1])
        line = parts[-1]
    if line.plain or not lines:
        lines.append(line)
    return lines


def _wrap(console: Any, body: Any, first_room: int, room: int) -> list[Any]:
    """Wrap ``body`` into a first line of ``first_room`` cells and others of ``room``."""
    from rich.text import Text

    if body.cell_len == 0:
        return [Text("")]
    lines = list(body.wrap(console, first_room, overflow="fold"))
    if len(lines) <= 1 or first_room == room:
        return lines
    consumed = len(lines[0].plain)
    rest = body[consumed:]
    skip = len(rest.plain) - len(rest.plain.lstrip(" "))
    if rest.plain[skip : skip + 1] == "\n":
        skip += 1
    rest = rest[skip:]
    return [lines[0], *rest.wrap(console, room, overflow="fold")]


def longest_word(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(w) for w in text.split()), default=0)


def longest_line(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.splitlines()), default=0)


def table_fits(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int, whole: Sequence[int] = ()
) -> list[int] | None:
    """The column widths of a table that fits ``width`` without cutting a word, or None when
    it does not fit (then the rows are shown as stacked blocks). Each column's least width
    is its longest word, ``MIN_COLUMN`` cells (or its whole text if that is less) and a third
    of its widest cell (no cell wraps into more than about three lines). When the natural
    widths do not fit, the widest columns give up width first (one level caps them all, as
    high as the room allows), so a column that fits at its natural width keeps it while a
    column with slack wraps; words wrap only inside the capped columns, never mid-word. The
    columns in ``whole`` never wrap (row labels a reader searches for: 'ep4-cnn train img/s')."""
    n = len(headers)
    if n == 0:
        return None
    natural = []
    least = []
    for i, header in enumerate(headers):
        cells = [str(header)] + [_plain(r[i]) for r in rows]
        nat = max(longest_line(c) for c in cells)
        word = max(longest_word(c) for c in cells)
        natural.append(nat)
        least.append(nat if i in whole else max(word, min(nat, MIN_COLUMN), (nat + 2) // 3))
    overhead = 2 * (n - 1)  # two spaces between columns, no borders
    room = width - overhead
    if sum(least) > room:
        return None
    if sum(natural) <= room:
        return natural

    def capped(level: int) -> list[int]:
        return [max(least[i], min(natural[i], level)) for i in range(n)]

    lo, hi = 0, max(natural)  # the highest level whose widths fit the room
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(capped(mid)) <= room:
            lo = mid
        else:
            hi = mid - 1
    widths = capped(lo)
    left = room - sum(widths)
    for i in sorted(range(n), key=lambda i: -natural[i]):  # the rest: one cell each, widest first
        if left <= 0:
            break
        if widths[i] < natural[i]:
            widths[i] += 1
            left -= 1
    return widths


def _plain(cell: Any) -> str:
    return getattr(cell, "plain", None) if hasattr(cell, "plain") else str(cell)


def print_table(
    console: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    width: int,
    title_column: int = 0,
    justify: Sequence[str] | None = None,
    whole: Sequence[int] = (),
) -> None:
    """A table when it fits ``width`` with every word whole; otherwise one stacked block
    per row: the ``title_column`` cell in bold, then ``field: value`` lines."""
    from rich.table import Table
    from rich.text import Text

    rows = [[c if isinstance(c, Text) else Text(str(c)) for c in r] for r in rows]
    widths = table_fits(headers, rows, width, whole)
    if widths is not None:
        table = Table(
            box=None, header_style="bold underline", expand=False, pad_edge=False, padding=(0, 1)
        )
        for i, header in enumerate(headers):
            table.add_column(
                header,
                width=widths[i],
                overflow="fold",
                justify=(justify[i] if justify else "left"),  # type: ignore[arg-type]
            )
        for r in rows:
            table.add_row(*r)
        print_trimmed(console, table, width)
        return
    label = max((len(h) for i, h in enumerate(headers) if i != title_column), default=0) + 2
    for r in rows:
        head = r[title_column].copy()
        head.stylize("bold")
        hang(console, Text(""), head, width, indent=0)
        for i, header in enumerate(headers):
            if i == title_column or not r[i].plain.strip():
                continue
            head = Text(f"  {header}: ".ljust(label + 2))
            if longest_word(r[i].plain) > width - head.cell_len:
                # a word too long for the room beside the label: the value goes below it
                console.print(Text(f"  {header}:"), soft_wrap=True)
                hang(console, Text("    "), r[i], width)
                continue
            hang(console, head, r[i], width)


def print_trimmed(console: Any, renderable: Any, width: int) -> None:
    """Print ``renderable`` (a table) at ``width`` with every line ending at its last text:
    rich pads cells and lines to the full width, which leaves trailing blanks to copy."""
    from rich.segment import Segment
    from rich.text import Text

    options = console.options.update(width=width)
    for segments in console.render_lines(renderable, options, pad=False):
        line = Text()
        for seg in Segment.strip_links(segments):
            if not seg.control:
                line.append(seg.text, seg.style)
        line.rstrip()
        console.print(line, soft_wrap=True)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The one CSV writer of the views (check, fleet, bench compare): every cell through
    ``sanitize.csv_safe`` (machine text sanitized; a cell a spreadsheet would run as a
    formula is quoted), None as an empty cell."""
    from dlcheck.sanitize import csv_safe

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for row in (header, *rows):
        w.writerow(["" if c is None else csv_safe(str(c)) for c in row])
    return buf.getvalue()
