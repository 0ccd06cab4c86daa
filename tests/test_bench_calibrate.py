"""The stopping rule, the median's interval, prediction intervals and verdicts on window series
(steady, noisy as recorded on a busy VM, drifting, throttling), and the fit stamps. No
framework, no timing: every series is data."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest
from test_bench_results import fake_workload_result

from dlcheck.bench.breakdown import Components, Cost, anchored, estimate
from dlcheck.bench.calibrate import (
    BUDGET,
    LIMIT,
    TARGET,
    StopRule,
    epoch_stop_reason,
    mean_half_width,
    stop_reason,
)
from dlcheck.bench.predict import (
    RUN_TO_RUN,
    SHARED_HOST,
    BenchSettings,
    grade_interval,
    predict_episode,
)
from dlcheck.bench.results import Window, make_phase, throttling_of
from dlcheck.bench.stamps import EpochStamps, WindowBuilder, epoch_walls, split
from dlcheck.bench.stats import median_ci, relative_half_width
from dlcheck.bench.workloads import find_workload

DATA = Path(__file__).parent / "data" / "bench"
EP4 = find_workload("ep4-cnn")

# A quiet machine: step times within about +-1% (constructed, deterministic).
STEADY = [0.1 * (1 + 0.01 * math.sin(1.7 * i)) for i in range(30)]
# Later windows steadily slower, 15% over the run (heat building up).
DRIFTING = [0.1 * (1 + 0.15 * i / 29) for i in range(30)]
# Full speed, then the clock drops by a fifth half-way (thermal throttling).
THROTTLING = [0.1 * (1 + 0.005 * math.sin(i)) * (1.0 if i < 15 else 1.25) for i in range(30)]


def recorded_busy() -> dict:
    return json.loads((DATA / "recorded-busy-ep4-quick.json").read_text())


def test_median_ci_order_statistics() -> None:
    # the standard table: n = 9 -> ranks 2 and 8; n = 20 -> ranks 6 and 15
    assert median_ci(list(range(1, 10))) == (2, 8)
    assert median_ci(list(range(1, 21))) == (6, 15)
    assert median_ci([5.0, 1.0, 3.0]) == (1.0, 5.0)  # under 6 values: the range
    assert median_ci([2.0]) == (2.0, 2.0)
    assert relative_half_width([10.0] * 8) == 0.0
    with pytest.raises(ValueError):
        median_ci([])


def first_stop(series: list[float], rule: StopRule, budget: float) -> tuple[int, str | None]:
    """Feed windows one by one, as the harness does; (windows taken, reason)."""
    elapsed = 0.0
    for n in range(1, len(series) + 1):
        elapsed += series[n - 1] * 4  # a window of four steps
        why = stop_reason(rule, series[:n], elapsed, budget, series[n - 1] * 4)
        if why:
            return n, why
    return len(series), None


def test_steady_series_stops_at_the_target_after_six_windows() -> None:
    n, why = first_stop(STEADY, StopRule(target=0.03), budget=100.0)
    assert (n, why) == (6, TARGET)


def test_noisy_recorded_series_runs_until_the_budget() -> None:
    busy = recorded_busy()["step_seconds"]
    assert relative_half_width(busy) > 0.03  # the busy VM never reaches +-3%
    n, why = first_stop(busy, StopRule(target=0.03), budget=6.0)
    assert why == BUDGET and 6 <= n < len(busy)


def test_a_looser_target_stops_sooner() -> None:
    busy = recorded_busy()["step_seconds"]
    assert first_stop(busy, StopRule(target=0.6), budget=100.0) == (6, TARGET)
    assert first_stop(busy, StopRule(target=0.03), budget=100.0) == (len(busy), None)
    # a slow drift is steady enough over six windows: it stops, and the trend widens later
    assert first_stop(DRIFTING, StopRule(target=0.03), budget=100.0) == (6, TARGET)


def test_floor_and_limit() -> None:
    # budget already spent: still three windows, then stop for the budget
    assert first_stop(STEADY[:3] + DRIFTING, StopRule(), budget=0.0) == (3, BUDGET)
    assert stop_reason(StopRule(max_windows=5), [1.0, 2.0, 3.0, 4.0, 5.0], 0.0, 9.0, 0.1) == LIMIT
    assert stop_reason(StopRule(), [1.0, 1.0], 0.0, 9.0, 0.1) is None  # too few to judge


def components(steps: list[float], val: list[float] | None = None, **kw: float) -> Components:
    return Components(
        step=Cost.of(steps),
        last_batch=Cost.of([s * 0.5 for s in steps[:6]]),
        epoch_start=Cost.of([0.02] * 6),
        validation_pass=Cost.of(val) if val else None,
        validation_images=293 if val else 0,
        fit_setup=kw.get("setup", 0.1),
        train_tracing=kw.get("tracing", 1.0),
        validation_tracing=0.3 if val else 0.0,
        steps_per_fit_epoch=28,
    )


def result_of(steps: list[float], val: list[float] | None = None):
    """A WorkloadResult whose windows and parts are the given series (4 steps a window)."""
    base = fake_workload_result("ep4-cnn", 300.0, 900.0)
    windows = [Window(s * 4, 128, 4) for s in steps]
    train = make_phase("train", 32, 2.0, 46, windows, "train")
    return dataclasses.replace(base, train=train, throttling=throttling_of(windows),
                               components=components(steps, val))  # fmt: skip


def test_estimate_adds_the_measured_parts() -> None:
    c = components([0.1] * 10, [0.4] * 8)
    e = estimate(c, batches=28, epochs=10, validation_images=293)
    assert e.breakdown == {
        "train_steps": pytest.approx(10 * 27 * 0.1), "last_batch_and_epoch_end": pytest.approx(0.5),
        "epoch_start": pytest.approx(0.2), "validation": pytest.approx(4.0),
        "fit_setup": 0.1, "first_epoch_tracing": 1.3,
    }  # fmt: skip
    assert e.seconds == pytest.approx(27 + 0.5 + 0.2 + 4.0 + 0.1 + 1.3)
    # constant parts: only the one-off costs (measured once) give the interval its width
    assert e.low == pytest.approx(e.seconds - 0.7) and e.high == pytest.approx(e.seconds + 0.7)
    # a validation subset scales to the whole set; no validation in the episode: no pass
    half = dataclasses.replace(c, validation_images=146)
    assert estimate(half, 28, 10, 293).breakdown["validation"] == pytest.approx(4.0 * 293 / 146)
    assert estimate(c, 28, 10, 0).breakdown["validation"] == 0.0
    wide = estimate(c, 28, 10, 293, widen=0.5)
    assert wide.low == pytest.approx(e.low / 1.5) and wide.high == pytest.approx(e.high * 1.5)


def test_steady_series_gives_a_narrow_interval_and_a_firm_verdict() -> None:
    p = predict_episode(EP4, result_of(STEADY, [0.4] * 8), BenchSettings())
    assert p.low < p.seconds < p.high
    # as narrow as the run-to-run variation of the lesson's own fit allows, no narrower
    assert p.high == pytest.approx(p.seconds * (1 + RUN_TO_RUN))
    assert p.low == pytest.approx(p.seconds / (1 + RUN_TO_RUN))
    assert p.verdict == "PASS"  # about 33 s, the whole interval under 60 s
    # the same run on a VM whose hypervisor gave time to other guests (steal seen): the next
    # fit runs at their mercy, and the interval is +-40% (issue 28's shared VM)
    shared = predict_episode(EP4, result_of(STEADY, [0.4] * 8), BenchSettings(), shared=True)
    assert shared.seconds == p.seconds
    assert shared.high == pytest.approx(p.seconds * (1 + SHARED_HOST))
    assert shared.low == pytest.approx(p.seconds / (1 + SHARED_HOST))
    # 33 s x 1.4 = 46 s: still PASS; the verdict changes only where a threshold is that near
    assert shared.verdict == "PASS"


def test_noisy_series_near_a_threshold_is_borderline() -> None:
    rec = recorded_busy()
    r = result_of(rec["step_seconds"], rec["validation_pass_seconds"])
    p = predict_episode(EP4, r, BenchSettings())
    # the same measurement, a threshold inside its interval: no firm verdict
    near = BenchSettings(pass_seconds=p.seconds, warn_seconds=300.0)
    assert predict_episode(EP4, r, near).verdict == "BORDERLINE"
    far = BenchSettings(pass_seconds=p.high * 1.01, warn_seconds=300.0)
    assert predict_episode(EP4, r, far).verdict == "PASS"
    # the steady series of the same median is firm where the noisy one is not
    med = sorted(rec["step_seconds"])[len(rec["step_seconds"]) // 2]
    steady = [s / 0.1 * med for s in STEADY]
    sp = predict_episode(EP4, result_of(steady, rec["validation_pass_seconds"]), near)
    assert (sp.high - sp.low) < (p.high - p.low)


def test_drifting_and_throttling_series_widen_the_interval() -> None:
    for series in (DRIFTING, THROTTLING):
        r = result_of(series, [0.4] * 8)
        p = predict_episode(EP4, r, BenchSettings())
        flat = dataclasses.replace(r.throttling, tau=0.0, change=0.0, suspected=False)
        unflagged = dataclasses.replace(r, throttling=flat)
        q = predict_episode(EP4, unflagged, BenchSettings())
        assert p.seconds == pytest.approx(q.seconds)
        assert p.high > q.high and p.low < q.low
        # the slower, later windows' rate lies inside the interval
        late = sorted(series)[-3] * 27 * 10
        assert p.high > late


def test_load_widens_and_grade_interval() -> None:
    r = result_of(STEADY, [0.4] * 8)
    quiet = predict_episode(EP4, r, BenchSettings())
    busy = predict_episode(EP4, r, BenchSettings(), widen=0.6)
    assert busy.high == pytest.approx(quiet.high * 1.6)
    s = BenchSettings(pass_seconds=60, warn_seconds=300)
    assert grade_interval(10, 50, s) == ("PASS", [])
    assert grade_interval(70, 290, s) == ("WARN", [])
    assert grade_interval(301, 900, s) == ("FAIL", [])
    assert grade_interval(50, 70, s) == ("BORDERLINE", ["PASS", "WARN"])
    assert grade_interval(250, 400, s) == ("BORDERLINE", ["WARN", "FAIL"])
    assert grade_interval(50, 400, s) == ("BORDERLINE", ["PASS", "FAIL"])


def stamps(durations: list[list[float]], start: float = 0.1, gap: float = 0.01,
           tail: float = 0.05) -> list[EpochStamps]:  # fmt: skip
    """Fit epochs whose batches last the given seconds; each epoch starts ``start`` before its
    first batch and ends ``tail`` after its last, ``gap`` before the next epoch begins."""
    out, t = [], 0.0
    for durs in durations:
        e = EpochStamps(t)
        t += start
        for d in durs:
            e.batches.append(t)
            t += d
        t += tail
        e.end = t
        t += gap
        out.append(e)
    for a, b in zip(out, out[1:]):  # noqa: B905
        a.next_begin = b.begin
    return out


def test_split_whole_epochs_with_a_partial_batch() -> None:
    # 4 batches an epoch, the last one partial (0.05 s), k = 4: fit epochs are lesson epochs
    ep = stamps([[0.1, 0.1, 0.1, 0.05]] * 3)
    s = split(ep, batches=4, partial=True, k=4)
    assert s.full == pytest.approx([0.1] * 9)
    assert s.partial == []  # the partial batch is each epoch's last: inside `last`
    assert s.last == pytest.approx([0.05 + 0.05] * 3)
    assert s.full_last == []
    assert s.epoch_start == pytest.approx([0.1 + 0.01] * 2)


def test_split_fit_epochs_of_k_batches() -> None:
    # the same data measured two batches a fit epoch: the partial batch falls mid fit epoch
    # only when it is not the fit epoch's last; here every second fit epoch ends with it
    ep = stamps([[0.1, 0.1], [0.1, 0.05], [0.1, 0.1], [0.1, 0.05]])
    s = split(ep, batches=4, partial=True, k=2)
    assert s.full == pytest.approx([0.1] * 4)
    assert s.last == pytest.approx([0.1, 0.1])  # 0.05 partial + 0.05 tail
    assert s.full_last == pytest.approx([0.15, 0.15])  # a full batch + the tail
    # a fit epoch stopped early contributes its full steps only
    stopped = stamps([[0.1, 0.1, 0.1]])
    stopped[0].end = None
    s2 = split(stopped, batches=8, partial=False, k=8)
    assert s2.full == pytest.approx([0.1, 0.1]) and s2.last == [] and s2.epoch_start == []


def test_window_builder_groups_steps() -> None:
    b = WindowBuilder(0.25)
    out = [b.add(0.1) for _ in range(6)]
    assert out == [None, None, pytest.approx((0.3, 3)), None, None, pytest.approx((0.3, 3))]


def test_headline_rate_is_the_lessons_whole_epoch() -> None:
    from dlcheck.bench.predict import bench_settings
    from dlcheck.bench.results import Context
    from dlcheck.bench.suite import assemble
    from dlcheck.bench.workloads import load_workloads
    from dlcheck.places import load_places

    r = result_of(STEADY, [0.4] * 8)
    res = assemble(load_workloads(), Context(), {"ep4-cnn": r}, bench_settings({}),
                   load_places(), references=[], hostname="box")  # fmt: skip
    e = res.predictions.episodes[0]
    assert res.headline.train_images_per_s == pytest.approx(878 * 10 / e.train_seconds)
    # slower than the full batches alone: the epoch's start and last batch count too
    assert res.headline.train_images_per_s < 32 / r.components.step.value


def test_new_fields_round_trip_losslessly(tmp_path: Path) -> None:
    from dlcheck.bench.load import LoadReport
    from dlcheck.bench.predict import bench_settings
    from dlcheck.bench.results import Context, load_result
    from dlcheck.bench.suite import assemble
    from dlcheck.bench.workloads import load_workloads
    from dlcheck.places import load_places

    r = result_of(STEADY, [0.4] * 8)
    r = dataclasses.replace(r, train=dataclasses.replace(r.train, stop_reason=TARGET,
                                                         step_ci=[0.099, 0.101]))  # fmt: skip
    load = LoadReport(
        usable_cores=2.0, other_share=0.5, busy=True, widen=0.45,
        notes=["other programs used about 50%"], top=["burn: 99% of a core"],
    )  # fmt: skip
    res = assemble(load_workloads(), Context(budget_seconds=25.0, target=0.03),
                   {"ep4-cnn": r}, bench_settings({}), load_places(), references=[],
                   created="2026-11-27T00:00:00+00:00", hostname="box", load=load)  # fmt: skip
    assert res.verdict.low is not None and res.load.widen == 0.45
    path = tmp_path / "r.json"
    path.write_text(res.to_json())
    assert load_result(path) == dataclasses.replace(res, source=str(path))


# Epoch starts recorded on the 2-core development VM (quiet, TensorFlow 2.21, episode-4 CNN,
# fit with validation_data, stamps from on_epoch_begin to the first batch): about half the
# epochs pay about a second more before their first batch.
BIMODAL_STARTS = [0.857, 0.012, 0.011, 1.097, 0.012, 0.891, 0.018, 1.032, 1.032, 0.011]


def test_a_per_epoch_cost_is_a_mean_because_epochs_add_up() -> None:
    """Ten epochs cost ten times the mean epoch start; the median of a bimodal series would
    predict almost none of it (the cause of a 23% under-prediction of episode 4)."""
    mean = Cost.of_mean(BIMODAL_STARTS)
    true_total = sum(BIMODAL_STARTS)
    assert mean.stat == "mean" and math.isclose(10 * mean.value, true_total, rel_tol=1e-3)
    # the five epochs a --quick run may see: their median misses almost all of it
    assert 10 * Cost.of(BIMODAL_STARTS[:5]).value < 0.1 * true_total
    assert min(BIMODAL_STARTS) <= mean.low < mean.value < mean.high <= max(BIMODAL_STARTS)
    # a few samples (the --quick plan sees 3 to 5 epochs) still cover the true mean
    few = Cost.of_mean(BIMODAL_STARTS[:5])
    assert few.low <= sum(BIMODAL_STARTS) / 10 <= few.high
    one = Cost.of_mean([0.4])
    assert (one.value, one.low, one.high, one.n) == (0.4, 0.2, 0.6, 1)
    assert Cost.of_mean([]) is None


def test_estimate_uses_the_mean_epoch_start() -> None:
    c = dataclasses.replace(components(STEADY), epoch_start=Cost.of_mean(BIMODAL_STARTS))
    est = estimate(c, EP4.train_batches(), 10, 0)
    assert math.isclose(est.breakdown["epoch_start"], sum(BIMODAL_STARTS), rel_tol=1e-3)
    assert est.low <= est.seconds <= est.high


def test_with_validation_in_the_fit_the_last_batch_ends_where_the_pass_begins() -> None:
    """The adaptive fit runs whole epochs with the lesson's validation_data: the epoch's last
    batch is timed to its own end, the pass (measured apart, set-up included) is not counted
    twice, and the start of the next epoch (slower after a pass) is an epoch-start sample."""
    e1 = EpochStamps(
        0.0, [0.01, 0.11, 0.21], train_end=0.30, end=0.60, next_begin=0.60, validated=True
    )
    e2 = EpochStamps(
        0.60, [1.60, 1.70, 1.80], train_end=1.90, end=2.20, next_begin=2.20, validated=True
    )
    s = split([e1, e2], batches=3, partial=False, k=3)
    assert s.last == pytest.approx([0.09, 0.10])  # not 0.39 / 0.40: the pass is excluded
    assert s.epoch_start == pytest.approx([0.01, 1.0])  # the second epoch paid ~1 s more
    plain = EpochStamps(0.0, [0.01, 0.11, 0.21], train_end=0.30, end=0.35, next_begin=0.35)
    assert split([plain], batches=3, partial=False, k=3).last == pytest.approx([0.14])


def test_whole_epochs_stop_only_when_every_part_is_precise() -> None:
    """A fit of whole lesson epochs ends at an epoch's end: at the target only when the step
    median, the mean epoch and the validation median are all precise; epochs made bimodal by
    their start keep it going until the budget (the cause of --quick's unsteady episode-4
    figure when three epochs were enough to stop)."""
    rule = StopRule(target=0.03, min_windows=6)
    steady_epochs = [2.0 * (1 + 0.01 * math.sin(i)) for i in range(8)]
    passes = [0.2 * (1 + 0.005 * math.sin(i)) for i in range(8)]
    # everything precise after enough epochs: the target
    assert epoch_stop_reason(rule, STEADY, steady_epochs, passes, 9, 3, 5.0, 30.0) == TARGET
    # steps precise but too few epochs yet: go on
    assert epoch_stop_reason(rule, STEADY, steady_epochs[:1], passes[:1], 2, 3, 5.0, 30.0) is None
    # epochs paying about a second more in half of them: not precise, so the budget decides
    bimodal = [1.5 + s for s in BIMODAL_STARTS[:5]]
    assert mean_half_width(bimodal) > 0.03 * (sum(bimodal) / 5)
    assert epoch_stop_reason(rule, STEADY, bimodal, passes, 6, 3, 5.0, 30.0) is None
    assert epoch_stop_reason(rule, STEADY, bimodal, passes, 6, 3, 28.5, 30.0) == BUDGET
    # an imprecise validation pass also keeps it going
    noisy = [0.2, 0.3, 0.2, 0.35, 0.2, 0.3, 0.25, 0.2]
    assert epoch_stop_reason(rule, STEADY, steady_epochs, noisy, 9, 3, 5.0, 30.0) is None
    # without validation the passes are not asked for
    assert epoch_stop_reason(rule, STEADY, steady_epochs, [], 9, 3, 5.0, 30.0) == TARGET
    # the window limit ends it regardless
    few = StopRule(target=0.03, min_windows=6, max_windows=30)
    assert epoch_stop_reason(few, STEADY, bimodal, passes, 4, 3, 5.0, 30.0) == LIMIT
    # under the floor of three epochs the budget does not end it yet
    assert epoch_stop_reason(rule, STEADY, bimodal[:1], passes[:1], 2, 3, 40.0, 30.0) is None
    # nor with one epoch's wall after the first (--quick on a budget of 13 s once stopped
    # there, and that one slow epoch made episode 4's prediction 60% high): two walls at least
    assert epoch_stop_reason(rule, STEADY, bimodal[:1], passes[:1], 3, 3, 40.0, 30.0) is None
    assert epoch_stop_reason(rule, STEADY, bimodal[:2], passes[:2], 4, 3, 40.0, 30.0) == BUDGET


def test_epoch_walls_start_to_next_start_after_the_first() -> None:
    e = [EpochStamps(0.0, [0.5, 0.6]), EpochStamps(1.0, [1.1, 1.2]), EpochStamps(2.5, [2.6]),
         EpochStamps(3.5, [3.6, 3.7])]  # fmt: skip
    for a, b in zip(e, e[1:]):
        a.next_begin = b.begin
    # the first epoch (tracing) and an epoch stopped mid-way (one batch of two) are left out;
    # the last has no next start
    assert epoch_walls(e, 2) == pytest.approx([1.5])
    assert epoch_walls(e, None) == pytest.approx([1.5, 1.0])


def test_parts_anchored_to_the_observed_epoch_add_up_to_it() -> None:
    """The lesson's epoch is a sum: anchored to the observed mean epoch, the parts add up to
    it exactly, the epoch start takes the rest, and the interval's ends add up to the epoch's."""
    c = components(STEADY)
    c = dataclasses.replace(c, validation_pass=Cost(0.3, 0.29, 0.31, 9), validation_images=293)
    epoch = Cost.of_mean([1.5 + s for s in BIMODAL_STARTS])
    a = anchored(c, epoch, EP4.train_batches(), 293)
    assert a.epoch == epoch and a.epoch_start.stat == "residual"
    est = estimate(a, EP4.train_batches(), 10, 293)
    per_epoch = sum(v for k, v in est.breakdown.items()
                    if k not in ("fit_setup", "first_epoch_tracing"))  # fmt: skip
    assert per_epoch == pytest.approx(10 * epoch.value, rel=1e-3)
    assert a.epoch_start.low <= a.epoch_start.value <= a.epoch_start.high
    assert est.low <= est.seconds <= est.high
    # the cautious interval is at least the observed epoch's
    one_off = a.fit_setup + a.train_tracing + a.validation_tracing
    assert est.high >= 10 * epoch.high + one_off - 1e-6
    assert est.low <= 10 * epoch.low + one_off + 1e-6


def test_mean_half_width() -> None:
    assert mean_half_width([1.0]) == math.inf
    assert mean_half_width([1.0, 1.0, 1.0]) == 0.0
    assert math.isclose(mean_half_width([0.0, 2.0]), 1.96 * math.sqrt(2) / math.sqrt(2))


def test_an_epoch_shorter_than_its_parts_has_no_negative_part() -> None:
    """When the observed mean epoch is below the sum of its parts' medians (torch on the
    2-core VM: "epoch start and gaps -0.31 s"), no part of the breakdown is negative and the
    parts still add up to the observed epoch; a saved file with a negative start is mended."""
    c = components(STEADY)
    c = dataclasses.replace(c, validation_pass=Cost(0.3, 0.29, 0.31, 9), validation_images=293)
    parts = (EP4.train_batches() - 1) * c.step.value + c.last_batch.value + 0.3
    epoch = Cost.of_mean([parts - 0.2, parts - 0.1, parts - 0.15])
    a = anchored(c, epoch, EP4.train_batches(), 293)
    est = estimate(a, EP4.train_batches(), 10, 293)
    assert min(est.breakdown.values()) >= 0 and est.breakdown["epoch_start"] == 0
    per_epoch = sum(v for k, v in est.breakdown.items()
                    if k not in ("fit_setup", "first_epoch_tracing"))  # fmt: skip
    assert per_epoch == pytest.approx(10 * epoch.value, rel=1e-3)
    assert est.low <= est.seconds <= est.high
    old = dataclasses.replace(c, epoch=epoch, epoch_start=Cost(-0.15, -0.2, -0.1, 3, "residual"))
    mended = estimate(old, EP4.train_batches(), 10, 293)
    assert min(mended.breakdown.values()) >= 0
    assert mended.seconds == pytest.approx(est.seconds, rel=1e-3)
