"""Every episode in every verdict: the episodes a run did not time are scaled from a measured
reference by this machine's speed on the one it timed (dlcheck/bench/transfer.py), and the
course's verdict is its worst episode, named. Recorded data only (the packaged references)."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from dlcheck.bench.grading import BenchSettings
from dlcheck.bench.predict import deciding_episode, predict_all
from dlcheck.bench.results import Context, reference_results, result_from_dict
from dlcheck.bench.suite import assemble
from dlcheck.bench.transfer import MARGIN, OVERHEAD_MARGIN, ROUGH_MARGIN, SCALED, choose_basis
from dlcheck.bench.workloads import load_workloads
from dlcheck.places import load_places

SETTINGS = BenchSettings()


def tf_reference():
    return next(r for r in reference_results() if r.context.backend == "tensorflow")


def only_ep4(ref, speed: float = 1.0):
    """The reference's episode-4 measurement as if timed here, ``speed`` times as long."""
    r = ref.results["ep4-cnn"]
    c = r.components
    if speed != 1.0:
        c = dataclasses.replace(
            c,
            step=c.step.scaled(speed),
            last_batch=c.last_batch.scaled(speed),
            epoch_start=c.epoch_start.scaled(speed),
            validation_pass=c.validation_pass.scaled(speed),
            epoch=c.epoch.scaled(speed) if c.epoch else None,
            fit_setup=c.fit_setup * speed,
            train_tracing=c.train_tracing * speed,
            validation_tracing=c.validation_tracing * speed,
        )
    return {"ep4-cnn": dataclasses.replace(r, components=c)}


def test_a_quick_run_predicts_every_episode_and_the_worst_decides() -> None:
    """Episode 4 timed at the reference's speed: episodes 2, 3 and 5 are the reference's own
    predictions (scaled by 1), each with an interval wider than the reference's own, and the
    course's verdict is episode 5's FAIL, named (the 2-core learner of issue 28)."""
    ref = tf_reference()
    ctx = Context(backend="tensorflow", device_kind="cpu")
    p = predict_all(load_workloads(), only_ep4(ref), SETTINGS, 0.0, [ref], ctx)
    assert [e.episode for e in p.episodes] == [2, 3, 4, 5] and p.course_complete
    there = {e.workload: e for e in ref.predictions.episodes}
    for e in p.episodes:
        if e.episode == 4:
            assert e.basis == "measured"
            continue
        r = there[e.workload]
        assert e.basis == SCALED and e.reference == "dev-2core-epyc-vm" and not e.rough
        assert e.scaled_from == "ep4-cnn" and e.speed == pytest.approx(1.0, rel=1e-3)
        assert e.seconds == pytest.approx(r.seconds, rel=0.01)
        assert e.seconds_per_epoch == pytest.approx(r.seconds_per_epoch, rel=0.01)
        assert e.warmup_seconds == pytest.approx(r.warmup_seconds, rel=0.01)
        # wider than the reference's own interval without its run's load widening
        w = 1 + (ref.load.widen if ref.load else 0.0)
        assert e.low < min(r.seconds, r.low * w) and e.high > max(r.seconds, r.high / w)
    worst = deciding_episode(p, SETTINGS)
    assert worst is not None and worst.episode == 5
    when = "2026-12-07T00:00:00+00:00"
    result = assemble(load_workloads(), ctx, only_ep4(ref), SETTINGS, load_places(None),
                      references=[ref], created=when, hostname="h")  # fmt: skip
    v = result.verdict
    assert v.verdict == "FAIL" and v.episode == 5 and v.workload == "ep5-densenet"
    assert v.message.startswith("Episode 5 (ep5-densenet) decides")
    assert "scaled from the reference dev-2core-epyc-vm" in v.message
    # the headline stays episode 4's time, with the course's verdict
    assert result.headline.predicted_episode4_s == pytest.approx(there["ep4-cnn"].seconds, 0.01)
    assert result.headline.verdict == "FAIL"
    # every view shows the episodes not timed here
    from dlcheck.bench.render import render_result_csv, render_result_markdown

    md = render_result_markdown(result)
    assert "| 5 (ep5-densenet, not timed: scaled) | 30 " in md
    csv_rows = render_result_csv(result).strip().splitlines()
    assert len(csv_rows) == 5 and csv_rows[-1].startswith("ep5-densenet,")
    # the JSON round trip keeps the basis of each prediction
    back = result_from_dict(json.loads(result.to_json()), "<test>")
    assert back.predictions == result.predictions and back.verdict == result.verdict


def test_a_faster_machine_scales_every_episode_by_its_speed() -> None:
    """Episode 4 twice as fast as the reference's: the per-epoch time and the warm-up of each
    untimed episode are halved (predicted apart), and the verdict follows the worst."""
    ref = tf_reference()
    ctx = Context(backend="tensorflow", device_kind="cpu")
    p = predict_all(load_workloads(), only_ep4(ref, 0.5), SETTINGS, 0.0, [ref], ctx)
    there = {e.workload: e for e in ref.predictions.episodes}
    ep5 = next(e for e in p.episodes if e.episode == 5)
    assert ep5.speed == pytest.approx(0.5, rel=0.02)
    assert ep5.seconds_per_epoch == pytest.approx(there["ep5-densenet"].seconds_per_epoch / 2, 0.02)
    assert ep5.warmup_seconds == pytest.approx(there["ep5-densenet"].warmup_seconds / 2, 0.02)
    assert ep5.seconds == pytest.approx(30 * ep5.seconds_per_epoch + ep5.warmup_seconds)


def test_without_a_reference_of_this_backend_the_scaled_interval_is_rough() -> None:
    """On another backend or device kind, the speed ratio of one model says little about
    another (a GPU speeds a DenseNet far more than a small CNN): the interval says so."""
    ref = tf_reference()
    w5 = next(w for w in load_workloads() if w.episode == 5)
    anchor = next(e for e in ref.predictions.episodes if e.episode == 4)
    same = choose_basis(w5, anchor, Context(backend="tensorflow", device_kind="cpu"), [ref])
    gpu = choose_basis(w5, anchor, Context(backend="tensorflow", device_kind="gpu"), [ref])
    assert same is not None and same.margin == MARGIN
    # a tiny model (episode 2: framework overhead, not FLOPs) gets the wider margin
    w2 = next(w for w in load_workloads() if w.episode == 2)
    tiny = choose_basis(w2, anchor, Context(backend="tensorflow", device_kind="cpu"), [ref])
    assert tiny is not None and tiny.margin == OVERHEAD_MARGIN
    assert gpu is not None and gpu.margin == ROUGH_MARGIN
    p = predict_all(load_workloads(), only_ep4(ref), SETTINGS, 0.0, [ref],
                    Context(backend="jax", device_kind="cpu"))  # fmt: skip
    ep5 = next(e for e in p.episodes if e.episode == 5)
    assert ep5.rough and ep5.high / ep5.seconds > math.exp(ROUGH_MARGIN) - 1e-9


def test_no_reference_no_guess() -> None:
    """Without references only the timed episode is predicted, and it decides."""
    ref = tf_reference()
    p = predict_all(load_workloads(), only_ep4(ref), SETTINGS, 0.0, [], Context())
    assert [e.episode for e in p.episodes] == [4] and not p.course_complete


def test_the_check_grades_the_worst_episode_and_names_it() -> None:
    """`dlcheck check --bench me.bench.json`: the training_time finding is the course's,
    decided by its worst episode, and its observed names it (and says when it was scaled)."""
    from dlcheck.bench.checks import check_training_time
    from dlcheck.bench.facts import SECTION, BenchmarkFacts, EpisodeTime
    from dlcheck.records import Facts

    b = BenchmarkFacts(
        source="me.bench.json",
        episodes=[
            EpisodeTime("ep2-dense", 2, 4.4, 3.0, 6.6, "scaled"),
            EpisodeTime("ep4-cnn", 4, 22.0, 20.0, 25.0),
            EpisodeTime("ep5-densenet", 5, 967.0, 620.0, 1490.0, "scaled"),
        ],
        deciding_episode=5,
    )
    params = {"workload": "ep4-cnn", "pass_seconds": 60, "warn_seconds": 300}
    o = check_training_time(Facts(sections={SECTION: b.to_dict()}), params)
    assert o.status == "unmet" and "episode 5 (ep5-densenet, not timed: scaled" in o.observed
    assert "16.1 min" in o.observed and o.observed.endswith("too slow")
    # a section of an older dlcheck (no deciding episode): the headline, as it was judged
    old = dataclasses.replace(b, deciding_episode=None)
    o_old = check_training_time(Facts(sections={SECTION: old.to_dict()}), params)
    assert o_old.status == "met" and "episode 4" in o_old.observed
    # episode 4 alone passes
    b4 = BenchmarkFacts(source="me.bench.json", episodes=[b.episodes[1]], deciding_episode=4)
    o4 = check_training_time(Facts(sections={SECTION: b4.to_dict()}), params)
    assert o4.status == "met" and "episode 4 (ep4-cnn; me.bench.json)" in o4.observed


def test_all_says_its_total_first_a_line_per_workload_and_ctrl_c_keeps_what_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`bench --all`: the expected total before anything is timed, a line as each workload
    finishes, one progress for the whole run, and Ctrl-C keeps the finished workloads and
    says which were not measured."""
    import io

    import dlcheck.bench.suite as suite
    from dlcheck.bench.measure import DEFAULT
    from dlcheck.bench.render import render_result
    from dlcheck.bench.suite import judge_bench, run_suite

    ref = tf_reference()
    workloads = load_workloads()
    chosen = sorted(workloads, key=lambda w: (not w.headline, w.episode))
    plan = dataclasses.replace(DEFAULT, name="default+all", per_workload=True)
    ctx = Context(plan=plan.name, backend="tensorflow")
    monkeypatch.setattr(suite, "collect_context", lambda keras, plan: ctx)
    said: list[str] = []
    bars: list[tuple[str, str, int, int]] = []

    def measure(w, keras, plan, peak, progress, end):  # noqa: ANN001, ANN202
        progress(w.id, "training", 50, 100)
        if w.id == "ep3-dense":
            raise KeyboardInterrupt
        return ref.results[w.id]

    class Quiet:
        def mark(self) -> None: ...
        def stop(self, cores):  # noqa: ANN001, ANN202
            return None

    run = run_suite(object(), chosen, workloads, plan, SETTINGS, load_places(None),
                    progress=lambda *a: bars.append(a), measure=measure, sampler=Quiet(),
                    notify=said.append)  # fmt: skip
    assert said[0].startswith("Timing 4 workloads (ep4-cnn, ep2-dense, ep3-dense, ep5-densenet)")
    assert "at most about 8.0 min in all" in said[0]
    assert said[1].startswith("ep4-cnn measured (1/4)") and "at most about 6.0 min left" in said[1]
    assert said[2].startswith("ep2-dense measured (2/4)") and len(said) == 3
    # one bar for the whole run, its fraction over all workloads
    assert {b[0] for b in bars} == {"all workloads"}
    assert [b[2] for b in bars] == [125, 375, 625] and bars[2][1].startswith("ep3-dense (3/4)")
    assert run.interrupted and list(run.results) == ["ep4-cnn", "ep2-dense"]
    result = judge_bench(run, references=[ref])
    assert result.not_measured == ["ep3-dense", "ep5-densenet"]
    f = io.StringIO()
    render_result(result, f, 80)
    text = " ".join(f.getvalue().split())
    said = "Interrupted: finished ep4-cnn, ep2-dense; not measured: ep3-dense, ep5-densenet."
    assert said in text


def test_quick_json_has_every_episode_with_an_interval_and_the_deciding_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`dlcheck bench --quick --json` (episode 4 timed, stood in by the reference's own
    measurement): predictions with intervals for episodes 2 to 5 and a verdict naming the
    episode that decides it; exit 1 for its FAIL."""
    import dlcheck.bench.measure as measure
    import dlcheck.bench.suite as suite
    from dlcheck.cli import main

    ref = tf_reference()
    ctx = Context(backend="tensorflow", device_kind="cpu", plan="quick")
    monkeypatch.setattr(measure, "setup_backend", lambda backend: object())
    monkeypatch.setattr(suite, "collect_context", lambda keras, plan: ctx)
    monkeypatch.setattr(suite, "measure_workload", lambda w, *a: ref.results[w.id])
    monkeypatch.setattr(suite, "reference_results", lambda: [ref])
    with pytest.raises(SystemExit) as exc:
        main(["bench", "--quick", "--json", "--backend", "tensorflow"])
    assert exc.value.code == 1
    doc = json.loads(capsys.readouterr().out)
    eps = doc["predictions"]["episodes"]
    assert [e["episode"] for e in eps] == [2, 3, 4, 5]
    for e in eps:
        assert e["low"] < e["seconds"] < e["high"]
        assert e["basis"] == ("measured" if e["episode"] == 4 else "scaled")
    assert doc["verdict"]["episode"] == 5 and doc["verdict"]["verdict"] == "FAIL"
    assert doc["verdict"]["workload"] == "ep5-densenet"
    assert doc["headline"]["workload"] == "ep4-cnn"


def test_the_run_log_lines_reach_the_real_standard_error_while_it_is_kept_out(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Piped, `--all`'s lines go to the real standard error, while the framework's own log on
    file descriptor 2 stays captured (kept in the result, shown with --verbose)."""
    import os

    from dlcheck.bench.suite import CapturedStderr

    with CapturedStderr() as captured:
        os.write(2, b"E0000 framework noise\n")
        captured.line("ep4-cnn measured (1/4) in 1.0 min")
    err = capfd.readouterr().err
    assert "ep4-cnn measured (1/4) in 1.0 min" in err and "framework noise" not in err
    assert captured.tail == ["E0000 framework noise"]


def test_steal_time_in_the_run_makes_every_interval_that_of_a_shared_host() -> None:
    """A run that saw steal time (a VM sharing its host) predicts the same times with intervals
    at least +-40% (measured and, through the anchor, scaled); no steal: the quiet width."""
    import dataclasses

    from dlcheck.bench.load import LoadReport
    from dlcheck.bench.predict import SHARED_HOST
    from dlcheck.bench.suite import shared_host

    assert shared_host(LoadReport(usable_cores=2.0, steal_share=0.003))
    assert not shared_host(LoadReport(usable_cores=2.0, steal_share=0.0))
    assert not shared_host(LoadReport(usable_cores=2.0, steal_share=None))  # not a Linux VM
    assert not shared_host(None)
    quiet = _quick_assembled(LoadReport(usable_cores=2.0, steal_share=0.0))
    noisy = _quick_assembled(LoadReport(usable_cores=2.0, steal_share=0.003))
    q4, n4 = (next(e for e in r.predictions.episodes if e.episode == 4) for r in (quiet, noisy))
    assert n4.seconds == q4.seconds
    assert n4.high >= n4.seconds * (1 + SHARED_HOST) * 0.999 > q4.high
    q5, n5 = (next(e for e in r.predictions.episodes if e.episode == 5) for r in (quiet, noisy))
    assert n5.basis == "scaled" and n5.seconds == q5.seconds and n5.high > q5.high
    assert dataclasses.asdict(noisy.load)["steal_share"] == 0.003  # recorded with the result


def _quick_assembled(load):
    """A --quick run's result (episode 4 from the packaged reference) judged with ``load``."""
    ref = tf_reference()
    ctx = Context(backend="tensorflow", device_kind="cpu")
    return assemble(load_workloads(), ctx, only_ep4(ref), SETTINGS, load_places(),
                    references=[ref], load=load)  # fmt: skip
