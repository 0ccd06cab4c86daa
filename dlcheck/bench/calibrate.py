"""When to stop measuring: the adaptive rule of `dlcheck bench` (in the spirit of pyperf's
calibration and hyperfine's adaptive runs). Pure functions of the window series so far."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dlcheck.bench.stats import relative_half_width

# Why a phase ended, as the JSON and the report name it.
TARGET = "target"  # the median's confidence interval reached the target half-width
BUDGET = "budget"  # the time budget was spent first
LIMIT = "limit"  # the most windows a phase takes (a safeguard for very fast models)

MIN_WINDOWS = 6  # fewer than 6 values give no 95% interval of the median
MAX_WINDOWS = 400


@dataclass(frozen=True)
class StopRule:
    target: float = 0.03  # relative half-width of the median's 95% confidence interval
    min_windows: int = MIN_WINDOWS
    max_windows: int = MAX_WINDOWS
    floor_windows: int = 3  # taken even when the budget is already spent


def stop_reason(
    rule: StopRule, values: Sequence[float], elapsed: float, budget: float, next_cost: float
) -> str | None:
    """Why to stop after these window values, or None to take another window.

    ``elapsed`` seconds of the phase's ``budget`` are spent and one more window is expected to
    cost ``next_cost`` seconds: stop for the budget when it would not fit."""
    n = len(values)
    if n >= rule.max_windows:
        return LIMIT
    if n >= max(rule.min_windows, 2) and relative_half_width(values) <= rule.target:
        return TARGET
    if n >= rule.floor_windows and elapsed + next_cost > budget:
        return BUDGET
    return None
