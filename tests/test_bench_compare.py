"""bench compare: missing workloads, the baseline, error bars, scales, and the notes on
backends, thread counts and load (saved results, no framework)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_bench_results import fake_result, fake_workload_result

from dlcheck.bench.compare import compare
from dlcheck.bench.load import LoadReport
from dlcheck.cli import main


def two_files(tmp_path: Path) -> tuple[Path, Path]:
    a = fake_result(train_rate=100.0)
    a = dataclasses.replace(a, results={**a.results, "ep2-dense": fake_workload_result(
        "ep2-dense", 3000.0, None)})  # fmt: skip
    b = fake_result(train_rate=200.0)
    b = dataclasses.replace(
        b,
        context=dataclasses.replace(b.context, threads={"tf_intra_op": "1"}, usable_cores=1.0),
        load=LoadReport(usable_cores=1.0, other_share=0.5, busy=True, notes=["busy"]),
    )
    pa, pb = tmp_path / "laptop.json", tmp_path / "cloud.json"
    pa.write_text(a.to_json())
    pb.write_text(b.to_json())
    return pa, pb


@pytest.mark.slow  # the plot imports matplotlib
def test_missing_workload_is_missing_not_zero(tmp_path: Path, capsys) -> None:
    pa, pb = two_files(tmp_path)
    png = tmp_path / "p.png"
    with pytest.raises(SystemExit) as exc:
        main(["bench", "compare", str(pa), str(pb), "--plot", str(png), "--scale", "linear"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if "ep2-dense train" in x)
    assert "missing" in line and " 0.0" not in line
    assert "Ratios are relative to laptop" in out
    assert "Different thread counts" in out and "tf_intra_op=1" in out
    assert "Load conditions differ" in out and "cloud: busy" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cells_carry_the_measured_spread(tmp_path: Path) -> None:
    from dlcheck.bench.results import load_result

    comp = compare([load_result(p) for p in two_files(tmp_path)])
    row = next(r for r in comp.rows if r.workload == "ep4-cnn" and r.figure == "train img/s")
    for c in row.cells:
        assert c.low is not None and c.low <= c.value <= c.high
    missing = next(r for r in comp.rows if r.workload == "ep2-dense").cells[1]
    assert missing.value is None and missing.low is None
    assert comp.baseline == "laptop"


def test_plot_without_matplotlib_is_one_line_exit_2(tmp_path: Path, capsys, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name: str, *a: object) -> object:
        return None if name == "matplotlib" else real(name, *a)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    pa, pb = two_files(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["bench", "compare", str(pa), str(pb), "--plot", str(tmp_path / "p.png")])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "matplotlib" in captured.err
    assert not (tmp_path / "p.png").exists()


def test_old_and_new_measurements_are_told_apart(tmp_path: Path) -> None:
    from test_bench_calibrate import STEADY, result_of

    from dlcheck.bench.results import load_result

    # the first dev-2core reference, a real run of the dlcheck before per-part components
    old = load_result(
        Path(__file__).parent / "data" / "bench" / "dev-2core-epyc-vm-2026-11-26.json"
    )
    new = fake_result(train_rate=300.0)
    new = dataclasses.replace(new, results={"ep4-cnn": result_of(STEADY, [0.4] * 8)})
    comp = compare([old, new])
    assert any("older dlcheck" in n and old.label() in n for n in comp.notes)
    assert not any("older dlcheck" in n for n in compare([new, new]).notes)
