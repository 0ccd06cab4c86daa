"""Helpers of tests/test_robustness.py: running the CLI in-process and as a process, hostile
values, the special files, the checks every output must pass, and the tally of hostile
inputs thrown and ended as promised (printed at the end of the test run by conftest.py)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

TALLY = {"thrown": 0, "promised": 0}
# the same, per kind ("robustness", "nothing-lost": issue 19's data-loss faults)
KINDS: dict[str, dict[str, int]] = {}


@contextlib.contextmanager
def hostile(n: int = 1, kind: str = "robustness") -> Iterator[None]:
    """Count ``n`` hostile inputs or faults; they end as promised when the block passes."""
    TALLY["thrown"] += n
    per = KINDS.setdefault(kind, {"thrown": 0, "promised": 0})
    per["thrown"] += n
    yield
    TALLY["promised"] += n
    per["promised"] += n


def cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    """``dlcheck ARGS`` in this process (fast); (exit status, stdout, stderr)."""
    from dlcheck.cli import main

    if args and args[0] == "check" and "--from" not in args and "--no-frameworks" not in args:
        args = (*args, "--no-frameworks")
    capsys.readouterr()
    try:
        main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    else:  # pragma: no cover - main always exits
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def proc(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, **kw: Any
) -> subprocess.CompletedProcess:
    """``dlcheck ARGS`` as a separate process (bytes in and out)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "dlcheck", *args],
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        **kw,
    )


def assert_one_line(code: int, err: str, *words: str) -> None:
    """The promise for bad input: status 2, one line on stderr naming the problem."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dlcheck: error: "), err
    assert len(lines[0]) <= 1000
    assert_clean_text(lines[0])
    for w in words:
        assert w in lines[0], lines[0]


# Terminal escapes, C0/C1 controls but newline and tab, bidi controls, line separators.
_RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def assert_clean_text(text: str) -> None:
    m = _RAW.search(text)
    if m is not None:
        around = text[max(0, m.start() - 40) : m.start() + 40]
        raise AssertionError(f"raw control {m.group(0)!r} at {m.start()}: {around!r}")


def _no_constant(name: str) -> Any:
    raise AssertionError(f"{name} in JSON output")


def strict_json(text: str) -> Any:
    """Parse output with a strict parser (no NaN/Infinity)."""
    return json.loads(text, parse_constant=_no_constant)


_TAG = re.compile(r"<\s*(script|img|iframe|svg|object|embed)\b", re.I)
_MD_LINK = re.compile(r"(?<!\\)\[[^\]\n]*(?<!\\)\]\(\s*javascript:", re.I)


def assert_safe_html(text: str) -> None:
    """No HTML tag from machine text (Markdown link syntax is plain text in HTML)."""
    assert_clean_text(text)
    assert not _TAG.search(text), _TAG.search(text)


def assert_safe_markup(text: str) -> None:
    """Markdown: no HTML tag and no link from machine text."""
    assert_safe_html(text)
    assert not _MD_LINK.search(text), _MD_LINK.search(text)


def assert_safe_csv(text: str) -> None:
    import csv
    import io

    assert_clean_text(text)
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert cell.lstrip(" \t\r\n\u3000\xa0")[:1] not in ("=", "+", "@") or cell.startswith(
                "'"
            ), cell
            if cell.lstrip()[:1] == "-" and not re.fullmatch(r"-?[\d.]+", cell.strip()):
                assert cell.startswith("'"), cell


# ---- hostile values -------------------------------------------------------------------

ESCAPES = [
    "\x1b[2J\x1b[H",  # clear screen
    "\x1b]0;pwned\x07",  # window title
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",  # OSC-8 link
    "\x9b31m",  # C1 CSI
    "a\u202eevil\u202c",  # bidi override
    "line\u2028sep",
    "nul\x00bell\x07bs\x08",
    "lone \ud800 surrogate",
]
MARKUP = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "[x](javascript:alert(3))",
    '=HYPERLINK("http://evil","x")',
    "  =1+1",
    "\t@SUM(A1)",
    "+cmd|' /C calc'!A0",
    "**bold** | pipe | `tick`",
]
HOSTILE_TEXT = ESCAPES + MARKUP + ["x" * 5000]


def make_special(kind: str, where: Path) -> Path:
    """A special file named ``where``: fifo, zero (link to /dev/zero), dangling, folder,
    devnull (link to /dev/null), empty."""
    if kind == "fifo":
        os.mkfifo(where)
    elif kind == "zero":
        os.symlink("/dev/zero", where)
    elif kind == "devnull":
        os.symlink("/dev/null", where)
    elif kind == "dangling":
        os.symlink(where.parent / "no-such-target", where)
    elif kind == "folder":
        where.mkdir()
    elif kind == "empty":
        where.write_bytes(b"")
    else:  # pragma: no cover
        raise ValueError(kind)
    return where


SPECIAL_KINDS = ("fifo", "zero", "devnull", "dangling", "folder", "empty")
