"""Read files a user names (profiles, reports, locks, results): every failure is a UserError
that names the file, so the CLI can print one line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dlcheck.errors import UserError


def read_text(path: str | Path) -> str:
    """The file's UTF-8 text."""
    where = str(path)
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(where, "file not found") from None
    except IsADirectoryError:
        raise UserError(where, "is a folder, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(where, f"cannot read: {exc}") from None


def read_json(path: str | Path) -> Any:
    """The file parsed as JSON."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(str(path), f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
