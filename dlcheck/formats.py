"""How a value is written, the one format of every view and message (pyperf's one registry of
formatters per kind of value: durations, sizes), and the small platform helpers every layer
shares (a project's canonical name, conda's platform name): one home each."""

from __future__ import annotations

import math
import re

GIB = 1024**3


def fmt_gib(n: int | float | None) -> str:
    """A size in bytes as GiB, the one format of every view and message: '15.5 GiB'."""
    return "unknown" if n is None else f"{n / GIB:.1f} GiB"


def canonical_name(name: str) -> str:
    """PEP 503: a project's name in lower case, runs of ``-_.`` one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def conda_subdir(system: str | None, machine: str | None) -> str | None:
    """conda's platform name for an OS (platform.system()) and a normalised architecture
    (x86_64, arm64, ...); None when conda has no such platform."""
    arch = {"x86_64": "64", "amd64": "64", "arm64": "arm64", "aarch64": "aarch64"}.get(
        (machine or "").lower()
    )
    if system == "Linux":
        return {"64": "linux-64", "aarch64": "linux-aarch64", "arm64": "linux-aarch64"}.get(
            arch or ""
        )
    if system == "Darwin":
        return {"64": "osx-64", "arm64": "osx-arm64"}.get(arch or "")
    if system == "Windows":
        return {"64": "win-64", "arm64": "win-arm64"}.get(arch or "")
    return None


def fmt_seconds(s: float | None, missing: str = "unknown") -> str:
    """A duration, the one format of every view and message: '0.40 s', '4.8 s', '45 s',
    '2.5 min', '1.5 h'; ``missing`` for None or not finite."""
    if s is None or not math.isfinite(s):
        return missing
    if abs(s) < 0.005:  # not "-0.00 s" (a residual part can come out a hair below zero)
        s = 0.0
    if s < 1:
        return f"{s:.2f} s"
    if s < 10:
        return f"{s:.1f} s"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"
