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


def mean_half_width(values: Sequence[float], level_z: float = 1.96) -> float:
    """Half-width of the normal-approximation 95% interval of the mean of ``values`` (seconds);
    infinite with fewer than two values."""
    n = len(values)
    if n < 2:
        return float("inf")
    mean = sum(values) / n
    sd = (sum((v - mean) ** 2 for v in values) / (n - 1)) ** 0.5
    return level_z * sd / n**0.5


def epoch_stop_reason(
    rule: StopRule,
    steps: Sequence[float],
    epochs: Sequence[float],
    passes: Sequence[float],
    complete: int,
    min_epochs: int,
    elapsed: float,
    budget: float,
) -> str | None:
    """Why to stop a fit of whole lesson epochs at an epoch's end, or None for another epoch.

    ``steps`` are the full-step window values so far, ``epochs`` the wall times of the whole
    epochs after the first, ``passes`` the validation passes (empty without validation),
    ``complete`` the epochs ended so far. The target needs every part precise: the step
    median's interval within ``rule.target``, the mean epoch's interval within ``rule.target``
    (an epoch's start is bimodal after a validation pass, so this mean converges slowly: on a
    short budget the budget ends the fit), the validation median within ``rule.target``."""
    if len(steps) >= rule.max_windows:
        return LIMIT
    mean = sum(epochs) / len(epochs) if epochs else 0.0
    if complete >= min_epochs and mean > 0:
        precise = len(steps) >= max(rule.min_windows, 2)
        precise = precise and relative_half_width(steps) <= rule.target
        precise = precise and mean_half_width(epochs) <= rule.target * mean
        if passes:
            precise = (
                precise and len(passes) >= rule.min_windows
                and relative_half_width(passes) <= rule.target
            )  # fmt: skip
        if precise:
            return TARGET
    # The budget never ends a fit before two whole epochs after the first (``epochs``: the
    # first also traces, the last has no next start): one epoch's wall alone made --quick's
    # episode-4 prediction jump by 60% when that epoch was a slow one.
    floor = max(rule.floor_windows, min_epochs + 1)
    if complete >= floor and len(epochs) >= 2 and elapsed + mean > budget:
        return BUDGET
    return None
