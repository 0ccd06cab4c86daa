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


def package_names(package: str, folder: str) -> list[str]:
    """The names of the files in a data folder of ``package`` (sorted)."""
    from importlib import import_module
    from pathlib import Path

    module = import_module(package)
    base = Path(next(iter(module.__path__))) / folder
    return sorted(p.name for p in base.iterdir() if p.is_file()) if base.is_dir() else []
