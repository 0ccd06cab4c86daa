"""Free disk space where the course environment and data will go."""

from __future__ import annotations

from pathlib import Path

from dlcheck.records import DiskFacts


def nearest_existing(path: Path) -> Path:
    """The path itself, or the closest parent folder that exists (a folder not made yet)."""
    p = path.expanduser().absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def probe_disk(path: str | None = None) -> DiskFacts:
    """Free space on the file system holding ``path`` (default: the home folder)."""
    import psutil

    target = Path(path) if path else Path.home()
    where = nearest_existing(target)
    usage = psutil.disk_usage(str(where))
    return DiskFacts(
        path=str(target.expanduser()),
        measured_path=str(where),
        total_bytes=usage.total,
        free_bytes=usage.free,
    )
