"""Statistics of dlcheck bench on samples whose answers are known."""

from __future__ import annotations

import math

import pytest

from dlcheck.bench.stats import (
    compare_samples,
    kendall_tau,
    quartiles,
    summarize,
    t95,
    throughput_trend,
)


def test_summary_of_known_sample() -> None:
    s = summarize([1, 2, 3, 4, 100])
    assert s.n == 5
    assert s.median == 3
    assert s.mean == 22
    assert s.mad == 1  # |deviations| 2,1,0,1,97 -> median 1
    assert (s.q1, s.q3) == (2, 4)  # numpy's default linear interpolation
    assert s.iqr == 2
    assert s.minimum == 1 and s.maximum == 100
    assert s.stdev == pytest.approx(math.sqrt(7610 / 4))  # squared deviations sum to 7610
    assert s.cv == pytest.approx(43.6177 / 22, rel=1e-4)
    assert s.robust_cv == pytest.approx(1.4826 / 3)


def test_quartiles_interpolate_like_numpy() -> None:
    # numpy.percentile([10, 20, 30, 40], [25, 75]) == [17.5, 32.5]
    assert quartiles([10, 20, 30, 40]) == (17.5, 32.5)
    assert quartiles([7.0]) == (7.0, 7.0)


def test_summary_rejects_empty_and_handles_constant() -> None:
    with pytest.raises(ValueError):
        summarize([])
    s = summarize([5, 5, 5])
    assert s.stdev == 0 and s.cv == 0 and s.mad == 0


def test_kendall_tau_extremes() -> None:
    assert kendall_tau([1, 2, 3, 4]) == 1
    assert kendall_tau([4, 3, 2, 1]) == -1
    assert kendall_tau([1, 3, 2, 4]) == pytest.approx(4 / 6)


def test_throttling_hint_only_for_a_steady_fall() -> None:
    falling = throughput_trend([100, 98, 96, 93, 90, 88])
    assert falling.throttling and falling.change < -0.05 and falling.tau == -1
    noisy = throughput_trend([100, 90, 101, 89, 100, 91])
    assert not noisy.throttling
    small = throughput_trend([100, 99.9, 99.8, 99.7, 99.6, 99.5])  # steady but < 5%
    assert small.tau == -1 and not small.throttling
    assert not throughput_trend([1, 2]).throttling  # too few windows to say


def test_t_critical_values() -> None:
    assert t95(1) == 12.706
    assert t95(4.7) == 2.776  # truncated: the conservative side
    assert t95(100) == 1.96


def test_welch_on_known_samples() -> None:
    a = [10.0, 10.2, 9.9, 10.1, 9.8]
    b = [12.0, 12.1, 11.9, 12.2, 11.8]
    d = compare_samples(a, b)
    assert d.ratio == pytest.approx(12.0 / 10.0)
    # means 10.0 and 12.0, both sample variances 0.025 -> t = 2 / sqrt(0.01) = 20, df = 8
    assert d.t == pytest.approx(20.0)
    assert d.df == pytest.approx(8.0)
    assert d.significant
    same = compare_samples(a, [10.1, 9.9, 10.0, 10.2, 9.8])
    assert not same.significant
    assert not compare_samples([1.0], [2.0]).significant  # one window: cannot tell
    assert math.isinf(compare_samples([1.0, 1.0], [2.0, 2.0]).t)


def test_median_ci_of_thousands_of_samples_does_not_overflow() -> None:
    """A run of many tiny epochs (episode 3) gives over 1,023 samples: 2.0**n overflowed."""
    from dlcheck.bench.stats import median_ci

    values = [1.0 + (i % 7) * 0.01 for i in range(3000)]
    lo, hi = median_ci(values)
    assert 1.0 <= lo <= hi <= 1.06
