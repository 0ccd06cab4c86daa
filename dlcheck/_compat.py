"""What differs between the Python versions dlcheck's core runs on (3.8 and newer)."""

from __future__ import annotations

import pkgutil


def package_text(package: str, *parts: str) -> str:
    """A UTF-8 data file shipped inside ``package`` (``dlcheck.data``-style resources), on every
    Python the core supports (``importlib.resources.files`` exists only from 3.9)."""
    data = pkgutil.get_data(package, "/".join(parts))
    if data is None:  # pragma: no cover - a loader without get_data
        raise FileNotFoundError(f"{package}/{'/'.join(parts)}")
    return data.decode("utf-8")
