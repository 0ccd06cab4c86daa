"""How ``model.fit`` spends time, as records: the costs measured for one workload
(:class:`Components`) and how they add up to one episode's predicted wall time. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dlcheck.bench.stats import median_ci, median_or

# A one-off cost measured once (tracing) has no spread of its own: this relative margin
# stands for it in the interval.
ONE_OFF_MARGIN = 0.5


@dataclass(frozen=True)
class Cost:
    """One measured cost in seconds: the median of ``n`` samples and the 95% confidence
    interval of that median (the range when n < 6)."""

    median: float
    low: float
    high: float
    n: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Cost | None:
        if not samples:
            return None
        lo, hi = median_ci(samples)
        med = median_or(samples, 0.0)
        return cls(round(med, 6), round(lo, 6), round(hi, 6), len(samples))

    def scaled(self, f: float) -> Cost:
        return Cost(self.median * f, self.low * f, self.high * f, self.n)


@dataclass(frozen=True)
class Components:
    """What the lesson's ``fit`` pays, each measured in this run (seconds)."""

    step: Cost  # one full training batch (interval between batch starts)
    last_batch: Cost | None  # the epoch's last batch (partial when it is) and the epoch's end
    epoch_start: Cost | None  # the epoch's start: iterator, callbacks, metric resets
    validation_pass: Cost | None  # the validation pass fit runs at each epoch end, set-up incl.
    validation_images: int = 0  # images per measured validation pass (a subset for ep5)
    fit_setup: float = 0.0  # model.fit's own start and end (data adapter, callbacks)
    train_tracing: float = 0.0  # first epoch's extra: tracing full and partial batch shapes
    validation_tracing: float = 0.0  # first validation's extra: tracing, its iterator
    steps_per_fit_epoch: int = 0  # k used while measuring (the lesson's epoch when k = batches)


@dataclass(frozen=True)
class Estimate:
    seconds: float
    low: float
    high: float
    breakdown: dict[str, float]  # each part of `seconds`


def estimate(
    c: Components, batches: int, epochs: int, validation_images: int, widen: float = 0.0
) -> Estimate:
    """Predicted wall time of ``epochs`` epochs of ``batches`` batches (the last one partial
    when the data say so, as measured) with a validation pass of ``validation_images`` each
    epoch (0: none). The interval adds the low and high ends of every part (their errors are
    treated as moving together, the cautious side) and is widened by ``widen`` each side."""
    last = c.last_batch or c.step
    start = c.epoch_start or Cost(0.0, 0.0, 0.0, 0)
    val = None
    if validation_images and c.validation_pass is not None and c.validation_images:
        val = c.validation_pass.scaled(validation_images / c.validation_images)
    full = max(0, batches - 1)

    def per_epoch(pick: str) -> dict[str, float]:
        return {
            "train_steps": full * getattr(c.step, pick),
            "last_batch_and_epoch_end": getattr(last, pick),
            "epoch_start": getattr(start, pick),
            "validation": getattr(val, pick) if val else 0.0,
        }

    one_off = c.fit_setup + c.train_tracing + (c.validation_tracing if val else 0.0)
    parts = {k: epochs * v for k, v in per_epoch("median").items()}
    parts["fit_setup"] = c.fit_setup
    parts["first_epoch_tracing"] = c.train_tracing + (c.validation_tracing if val else 0.0)
    seconds = sum(parts.values())
    low = epochs * sum(per_epoch("low").values()) + one_off * (1 - ONE_OFF_MARGIN)
    high = epochs * sum(per_epoch("high").values()) + one_off * (1 + ONE_OFF_MARGIN)
    low, high = min(low, seconds), max(high, seconds)
    return Estimate(
        seconds=seconds,
        low=low / (1 + widen),
        high=high * (1 + widen),
        breakdown={k: round(v, 4) for k, v in parts.items()},
    )
