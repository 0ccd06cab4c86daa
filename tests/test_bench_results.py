"""Predictions, verdicts, the JSON round trip, compare and plot on saved results (no
framework needed: measurements are synthetic)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from dlcheck.bench.compare import compare
from dlcheck.bench.predict import BenchSettings, bench_settings, fmt_seconds, predict_episode
from dlcheck.bench.results import (
    BenchResult,
    Context,
    MachineNote,
    Matmul,
    Throttling,
    Window,
    WorkloadResult,
    load_result,
    make_phase,
    reference_results,
    result_from_dict,
)
from dlcheck.bench.suite import assemble
from dlcheck.bench.workloads import find_workload, load_workloads
from dlcheck.cli import main
from dlcheck.errors import UserError
from dlcheck.places import load_places


def fake_workload_result(
    workload: str, train_rate: float, val_rate: float | None, warmup: float = 3.0, n: int = 5
) -> WorkloadResult:
    """Windows of 1 s each at the given rates (+-1% wobble), batch 32."""
    wobble = [1.0, 1.01, 0.99, 1.005, 0.995, 1.0, 1.0][:n]
    train = make_phase(
        "train", 32, warmup, 46, [Window(1.0, round(train_rate * f), 4) for f in wobble], "train"
    )
    inf = None
    if val_rate is not None:
        inf = make_phase(
            "inference", 32, 1.0, 37, [Window(1.0, round(val_rate * f), 10) for f in wobble],
            "validation",
        )  # fmt: skip
    return WorkloadResult(
        workload=workload,
        episode=int(workload[2]),
        title=workload,
        params=1,
        trainable_params=1,
        build_seconds=0.1,
        train=train,
        inference=inf,
        forward_flops_per_image=1e6,
        train_flops_per_image=3e6,
        achieved_train_flops=3e6 * train_rate,
        utilisation=0.1,
        peak_rss_bytes=2**30,
        rss_increase_bytes=2**28,
        throttling=Throttling(0.0, 0.0, False),
    )


def fake_result(
    train_rate: float = 100.0,
    val_rate: float = 300.0,
    version: str | None = None,
    machine: MachineNote | None = None,
    references: list[BenchResult] | None = None,
) -> BenchResult:
    ctx = Context(backend="tensorflow", keras_version="3.15.1", device="CPU",
                  matmul=Matmul(1024, 1e11, 9e10), plan="quick", windows=5)  # fmt: skip
    res = {"ep4-cnn": fake_workload_result("ep4-cnn", train_rate, val_rate)}
    settings = bench_settings({})
    r = assemble(load_workloads(), ctx, res, settings, load_places(), references=references or [],
                 created="2026-11-26T00:00:00+00:00", hostname="box")  # fmt: skip
    return dataclasses.replace(r, machine=machine, dlcheck_version=version or r.dlcheck_version)


def test_packaged_workloads_match_the_course() -> None:
    ws = {w.id: w for w in load_workloads()}
    ep4 = ws["ep4-cnn"]
    assert (ep4.train, ep4.validation, ep4.batch_size, ep4.epochs) == (878, 293, 32, 10)
    assert ep4.input_shape == [64, 64, 3] and ep4.headline and ep4.params == 514510
    assert ws["ep5-densenet"].trainable_params == 53808 and ws["ep5-densenet"].early_stopping
    assert ws["ep2-dense"].validation == 0 and ws["ep3-dense"].epochs == 200
    assert find_workload("ep4").id == "ep4-cnn" and find_workload("5").id == "ep5-densenet"
    with pytest.raises(UserError, match="unknown workload"):
        find_workload("resnet")


def test_prediction_from_synthetic_measurements() -> None:
    w = find_workload("ep4-cnn")
    r = fake_workload_result("ep4-cnn", train_rate=100.0, val_rate=293.0, warmup=3.0)
    p = predict_episode(w, r, BenchSettings())
    # 10 epochs x (878/100 + 293/293) s, plus warm-up 3 - 46/100 and 1 - 37/293
    expected = 10 * (8.78 + 1.0) + (3 - 0.46) + (1 - 37 / 293)
    assert p.seconds == pytest.approx(expected)
    assert p.train_seconds == pytest.approx(87.8)
    assert p.validation_seconds == pytest.approx(10.0)
    assert p.verdict == "WARN"  # 101 s: over 60, under 300


def test_episode_without_validation_predicts_training_only() -> None:
    w = find_workload("ep2-dense")
    r = fake_workload_result("ep2-dense", train_rate=2730.0, val_rate=None, warmup=1.0)
    p = predict_episode(w, r, BenchSettings())
    assert p.validation_seconds == 0
    assert p.seconds == pytest.approx(100 * 0.1 + 1.0 - 46 / 2730)


@pytest.mark.parametrize(
    ("train_rate", "verdict"), [(400.0, "PASS"), (60.0, "WARN"), (20.0, "FAIL")]
)
def test_verdict_thresholds(train_rate: float, verdict: str) -> None:
    r = fake_result(train_rate=train_rate, val_rate=1000.0)
    assert r.verdict.verdict == verdict
    assert r.headline.verdict == verdict
    assert r.headline.train_images_per_s == pytest.approx(train_rate)
    if verdict == "PASS":
        assert r.verdict.places == []
    else:
        assert [p.id for p in r.verdict.places] == ["colab", "kaggle", "studiolab", "hpc"]


def test_places_get_predicted_time_from_a_reference_measured_there() -> None:
    colab = fake_result(train_rate=2000.0, machine=MachineNote("colab-t4", "test", "colab"))
    slow = fake_result(train_rate=20.0, references=[colab])
    pointer = {p.id: p for p in slow.verdict.places}
    assert pointer["colab"].predicted_seconds == colab.headline.predicted_episode4_s
    assert pointer["colab"].reference == "colab-t4"
    assert pointer["kaggle"].predicted_seconds is None


def test_bench_settings_validation() -> None:
    assert bench_settings({"bench": {"pass_seconds": 30, "warn_seconds": 90}}).warn_seconds == 90
    with pytest.raises(UserError):
        bench_settings({"bench": {"pass_seconds": 300, "warn_seconds": 60}})
    with pytest.raises(UserError):
        bench_settings({"bench": "fast"})


def test_fmt_seconds() -> None:
    assert fmt_seconds(45) == "45 s"
    assert fmt_seconds(150) == "2.5 min"
    assert fmt_seconds(7200) == "2.0 h"
    assert fmt_seconds(None) == "unknown"


def test_json_round_trip_is_lossless(tmp_path: Path) -> None:
    r = fake_result(machine=MachineNote("dev", "2-core VM"))
    data = r.to_json_dict()
    assert data["schema"] == "dlcheck.bench" and data["schema_version"] == 1
    assert data["kind"] == "bench"
    for key in ("dlcheck_version", "created", "hostname", "context", "results", "predictions",
                "verdict", "headline"):  # fmt: skip
        assert key in data
    assert set(data["headline"]) == {
        "workload", "train_images_per_s", "predicted_episode4_s", "verdict"
    }  # fmt: skip
    path = tmp_path / "r.json"
    path.write_text(r.to_json())
    back = load_result(path)
    assert back == dataclasses.replace(r, source=str(path))
    assert json.loads(path.read_text()) == json.loads(back.to_json())


def test_results_from_other_versions_load_and_compare(tmp_path: Path, capsys) -> None:
    old = fake_result(train_rate=100.0).to_json_dict()
    old["dlcheck_version"] = "0.0.9"
    del old["context"]["load_average"]  # an older writer lacked it
    old["results"]["ep4-cnn"]["future_field"] = {"x": 1}  # and a newer one adds fields
    a, b = tmp_path / "laptop.json", tmp_path / "cloud.json"
    a.write_text(json.dumps(old))
    b.write_text(fake_result(train_rate=250.0).to_json())
    comp = compare([load_result(a), load_result(b)])
    assert any("0.0.9" in n for n in comp.notes)
    row = next(r for r in comp.rows if r.figure == "train img/s")
    assert row.cells[1].ratio == pytest.approx(2.5, rel=0.02)
    assert row.cells[1].significant is True
    with pytest.raises(SystemExit) as exc:
        main(["bench", "compare", str(a), str(b), "--plot", str(tmp_path / "p.png")])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "laptop" in out and "cloud" in out and "2.5" in out
    png = (tmp_path / "p.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_machine_twice_is_within_noise(tmp_path: Path) -> None:
    comp = compare([fake_result(train_rate=100.0), fake_result(train_rate=100.5)])
    row = next(r for r in comp.rows if r.figure == "train img/s")
    assert row.cells[1].significant is False


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema": "dlcheck.report", "schema_version": 1}', "not a dlcheck bench result"),
        ('{"schema": "dlcheck.bench", "schema_version": 99}', "newer than this dlcheck"),
        ('{"schema": "dlcheck.bench", "schema_version": 1, "results": 3}', "malformed"),
    ],
)
def test_malformed_file_is_one_line_exit_2(tmp_path: Path, capsys, content, problem) -> None:
    good = tmp_path / "good.json"
    good.write_text(fake_result().to_json())
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(SystemExit) as exc:
        main(["bench", "compare", str(good), str(bad)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and problem in err and "bad.json" in err
    assert "Traceback" not in err


def test_compare_needs_two_files_and_existing_ones(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.json"
    good.write_text(fake_result().to_json())
    for args in ([str(good)], [str(good), str(tmp_path / "missing.json")]):
        with pytest.raises(SystemExit) as exc:
            main(["bench", "compare", *args])
        assert exc.value.code == 2
        assert capsys.readouterr().err.count("\n") == 1


def test_reference_results_shipped_and_identical_to_benchmarks() -> None:
    refs = reference_results()
    assert refs, "no reference results packaged"
    root = Path(__file__).resolve().parents[1]
    for ref in refs:
        assert ref.machine is not None and ref.machine.description
        name = ref.source.removeprefix("<reference ").removesuffix(">")
        packaged = root / "dlcheck" / "bench" / "references" / name
        assert packaged.read_bytes() == (root / "benchmarks" / "results" / name).read_bytes()
        assert "ep4-cnn" in ref.results and ref.headline.predicted_episode4_s


def test_result_from_dict_rejects_non_objects() -> None:
    with pytest.raises(UserError):
        result_from_dict([1, 2], "x.json")


def test_check_mentions_bench_when_no_benchmark_ran() -> None:
    import io

    from dlcheck.profile import load_profile
    from dlcheck.records import Facts
    from dlcheck.render.text import render_text, report_footer
    from dlcheck.report import judge

    report = judge(Facts(), load_profile(), load_places())
    view = io.StringIO()
    render_text(report, file=view, width=100)
    assert "dlcheck bench" in view.getvalue()  # in a step, else in the footer (never twice)
    assert view.getvalue().count("`dlcheck bench`") == 1
    with_bench = judge(Facts(sections={"benchmark": {}}), load_profile(), load_places())
    assert not any("dlcheck bench" in line for line in report_footer(with_bench))
