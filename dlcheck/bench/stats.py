"""Every statistic dlcheck bench reports, in one place, on plain lists of floats."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Two-sided 95% critical values of Student's t by degrees of freedom (standard table);
# beyond 30 the normal value is close enough for a noise test.
_T95 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042,
}  # fmt: skip
MAD_TO_SIGMA = 1.4826  # scales the MAD to a normal distribution's standard deviation


@dataclass(frozen=True)
class Summary:
    n: int
    median: float
    mean: float
    stdev: float  # sample standard deviation (0 for one value)
    mad: float  # median absolute deviation, unscaled
    q1: float
    q3: float
    minimum: float
    maximum: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def cv(self) -> float:
        """Coefficient of variation: stdev / mean (0 when the mean is 0)."""
        return self.stdev / self.mean if self.mean else 0.0

    @property
    def robust_cv(self) -> float:
        """1.4826 x MAD / median: the CV a normal sample would have, robust to outliers."""
        return MAD_TO_SIGMA * self.mad / self.median if self.median else 0.0


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """Q1 and Q3 by linear interpolation (numpy's default, 'inclusive' method)."""
    if len(values) == 1:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def summarize(values: Sequence[float]) -> Summary:
    """Summary statistics of a non-empty sample."""
    if not values:
        raise ValueError("no values")
    vals = [float(v) for v in values]
    med = statistics.median(vals)
    q1, q3 = quartiles(vals)
    return Summary(
        n=len(vals),
        median=med,
        mean=statistics.fmean(vals),
        stdev=statistics.stdev(vals) if len(vals) > 1 else 0.0,
        mad=statistics.median(abs(v - med) for v in vals),
        q1=q1,
        q3=q3,
        minimum=min(vals),
        maximum=max(vals),
    )


def kendall_tau(values: Sequence[float]) -> float:
    """Kendall's tau of the values against their order: -1 steadily falling, +1 rising."""
    n = len(values)
    if n < 2:
        return 0.0
    s = 0
    for i in range(n):
        for j in range(i + 1, n):
            d = values[j] - values[i]
            s += (d > 0) - (d < 0)
    return s / (n * (n - 1) / 2)


@dataclass(frozen=True)
class Trend:
    tau: float  # Kendall's tau over window order
    change: float  # median of the last half / median of the first half - 1
    throttling: bool


def throughput_trend(rates: Sequence[float], min_drop: float = 0.05, min_tau: float = 0.6) -> Trend:
    """Are later windows steadily slower? Hint when the second half is ``min_drop`` slower
    than the first and the fall is steady (tau <= -``min_tau``)."""
    n = len(rates)
    if n < 4:
        return Trend(0.0, 0.0, False)
    half = n // 2
    first, last = statistics.median(rates[:half]), statistics.median(rates[n - half :])
    change = last / first - 1 if first else 0.0
    tau = kendall_tau(rates)
    return Trend(tau, change, change <= -min_drop and tau <= -min_tau)


def t95(df: float) -> float:
    """Two-sided 95% critical value of Student's t for ``df`` degrees of freedom."""
    if df > 30:
        return 1.96
    return _T95[max(1, int(df))]  # truncating df is the conservative side


@dataclass(frozen=True)
class Difference:
    ratio: float  # median of b / median of a
    t: float  # Welch's t statistic (b - a)
    df: float
    significant: bool  # the means differ at the 95% level (Welch's t-test)


def compare_samples(a: Sequence[float], b: Sequence[float]) -> Difference:
    """Welch's two-sample t-test, as ``pyperf compare_to`` does with Student's: is the
    difference between b and a bigger than the noise of the windows?"""
    sa, sb = summarize(a), summarize(b)
    ratio = sb.median / sa.median if sa.median else math.inf
    if sa.n < 2 or sb.n < 2:
        return Difference(ratio, 0.0, 0.0, False)
    va, vb = sa.stdev**2 / sa.n, sb.stdev**2 / sb.n
    if va + vb == 0:
        return Difference(ratio, math.inf if sa.mean != sb.mean else 0.0, 0.0, sa.mean != sb.mean)
    t = (sb.mean - sa.mean) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (sa.n - 1) + vb**2 / (sb.n - 1))
    return Difference(ratio, t, df, abs(t) > t95(df))


def median_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Distribution-free confidence interval of the median from order statistics: the widest
    rank pair whose binomial tails each hold at most (1 - level) / 2. Under 6 values no pair
    reaches 95%, and the range (min, max) is returned (it covers 94% for 5 values)."""
    vals = sorted(float(v) for v in values)
    n = len(vals)
    if not n:
        raise ValueError("no values")
    alpha = (1.0 - level) / 2
    # [x_(l), x_(n+1-l)] covers 1 - 2 P(Binomial(n, 1/2) <= l - 1): the largest such l
    count, cum = 0, 0.0
    for i in range(n):
        cum += math.comb(n, i) / (1 << n)  # exact big-int division: no overflow past n=1023
        if cum > alpha:
            break
        count = i + 1
    k = max(0, min(count - 1, (n - 1) // 2))  # 0-based index of x_(l)
    return vals[k], vals[n - 1 - k]


def relative_half_width(values: Sequence[float], level: float = 0.95) -> float:
    """The larger side of the median's confidence interval, relative to the median."""
    lo, hi = median_ci(values, level)
    med = statistics.median(values)
    return max(med - lo, hi - med) / med if med else math.inf


def median_or(values: Sequence[float], default: float) -> float:
    return statistics.median(values) if values else default
