"""How a value is written, the one format of every view and message (pyperf's one registry of
formatters per kind of value): durations so far."""

from __future__ import annotations

import math


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
