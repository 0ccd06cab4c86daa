"""How ``model.fit`` spends time, as records: the costs measured for one workload
(:class:`Components`) and how they add up to one episode's predicted wall time. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from dlcheck.bench.stats import median_ci, median_or

# A one-off cost measured once (tracing) has no spread of its own: this relative margin
# stands for it in the interval.
ONE_OFF_MARGIN = 0.5


# Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (then 1.96).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


@dataclass(frozen=True)
class Cost:
    """One measured cost in seconds from ``n`` samples: ``value`` is their median
    (``stat="median"``, with the order-statistics 95% interval of the median; the range when
    n < 6) or their mean (``stat="mean"``, with the t interval of the mean, kept inside the
    samples' range). The epoch's start is a mean: it is bimodal after a validation pass (about
    half such epochs pay about a second more on the 2-core VM before their first batch), its
    median hides most of that, and ten epochs cost ten times the mean. The other parts are
    unimodal with rare outliers, where the median predicts better (measured: episode 3's 200
    epochs came out 18% high with means, 2% with medians). When the fit ran whole lesson
    epochs, the epoch's start is what the observed mean epoch costs beyond the other parts
    (``stat="residual"``, see ``anchored``)."""

    value: float
    low: float
    high: float
    n: int
    stat: str = "median"

    @classmethod
    def of(cls, samples: Sequence[float]) -> Cost | None:
        if not samples:
            return None
        lo, hi = median_ci(samples)
        med = median_or(samples, 0.0)
        return cls(round(med, 6), round(lo, 6), round(hi, 6), len(samples))

    @classmethod
    def of_mean(cls, samples: Sequence[float]) -> Cost | None:
        if not samples:
            return None
        vals = [float(v) for v in samples]
        n = len(vals)
        mean = sum(vals) / n
        if n == 1:
            lo, hi = mean * (1 - ONE_OFF_MARGIN), mean * (1 + ONE_OFF_MARGIN)
        else:
            sd = (sum((v - mean) ** 2 for v in vals) / (n - 1)) ** 0.5
            half = (_T95[n - 2] if n - 1 <= len(_T95) else 1.96) * sd / n**0.5
            lo, hi = max(mean - half, min(vals)), min(mean + half, max(vals))
        return cls(round(mean, 6), round(lo, 6), round(hi, 6), n, "mean")

    def scaled(self, f: float) -> Cost:
        return Cost(self.value * f, self.low * f, self.high * f, self.n, self.stat)


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
    # The lesson's whole epoch as observed (start to next start, validation included; mean of
    # the epochs after the first), when the fit ran whole epochs: the parts are anchored to it
    # (see ``anchored``). None: the parts were measured apart (a model too slow for that).
    epoch: Cost | None = None


def anchored(c: Components, epoch: Cost, batches: int, validation_images: int) -> Components:
    """``c`` with its per-epoch parts adding up to the observed whole ``epoch``: the epoch's
    start becomes what the epoch costs beyond its measured batches, end and validation pass
    (the start itself, callbacks, the gap between epochs, and the difference between the mean
    epoch and the other parts' medians). An epoch is a sum, so a prediction of many epochs
    needs its mean; the parts' medians alone missed the rare slow steps and the bimodal start
    (episode 2 predicted 12% high and 20% low in two sessions). Its interval is set so that
    the parts' ends add up to the epoch's interval (never inside the value)."""
    last = c.last_batch or c.step
    val = None
    if validation_images and c.validation_pass is not None and c.validation_images:
        val = c.validation_pass.scaled(validation_images / c.validation_images)
    full = max(0, batches - 1)

    def others(pick: str) -> float:
        v = getattr(val, pick) if val else 0.0
        return full * getattr(c.step, pick) + getattr(last, pick) + v

    value = epoch.value - others("value")
    if value < 0:
        # The observed mean epoch is shorter than the medians of its parts (the step's
        # median over-states it a little: torch's steps on the 2-core VM): no cost is
        # negative, so the start is nil and the other per-epoch parts are scaled down to add
        # up to the observed epoch (a breakdown once read "epoch start and gaps -0.31 s").
        f = {p: getattr(epoch, p) / others(p) if others(p) > 0 else 1.0
             for p in ("value", "low", "high")}  # fmt: skip

        def fit(x: Cost | None) -> Cost | None:
            if x is None:
                return None
            v = x.value * f["value"]
            lo, hi = min(v, x.low * f["low"]), max(v, x.high * f["high"])
            return Cost(round(v, 6), round(lo, 6), round(hi, 6), x.n, x.stat)

        c = replace(c, step=fit(c.step), last_batch=fit(c.last_batch),
                    validation_pass=fit(c.validation_pass))  # fmt: skip
        return replace(c, epoch_start=Cost(0.0, 0.0, 0.0, epoch.n, "residual"), epoch=epoch)
    low = min(value, epoch.low - others("low"))
    high = max(value, epoch.high - others("high"))
    start = Cost(round(value, 6), round(low, 6), round(high, 6), epoch.n, "residual")
    return replace(c, epoch_start=start, epoch=epoch)


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
    if c.epoch is not None and c.epoch_start is not None and c.epoch_start.value < 0:
        c = anchored(c, c.epoch, batches, validation_images)  # a file of an older dlcheck
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
    parts = {k: epochs * v for k, v in per_epoch("value").items()}
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
