"""Read TOML data files (profiles, places) through the safe reader (dlcheck.userfiles)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def packaged_text(name: str) -> str:
    """A data file shipped inside the package (``dlcheck/data/NAME``)."""
    from dlcheck._compat import package_text

    return package_text("dlcheck", "data", name)


def load_toml(path: str | Path | None, default_name: str) -> tuple[dict[str, Any], str]:
    """Parse ``path``, or the packaged ``default_name`` when path is None.
    Returns (data, where) with ``where`` naming the source for messages."""
    if path is None:
        where = f"<packaged {default_name}>"
        text = packaged_text(default_name)
    else:
        from dlcheck.userfiles import read_text

        where = str(path)
        text = read_text(path)
    from dlcheck.userfiles import parse_toml

    return parse_toml(text, where), where
