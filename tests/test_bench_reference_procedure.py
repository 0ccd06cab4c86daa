"""benchmarks/results/README.md's procedure: a result measured elsewhere (the cloud notebook's
cloud.bench.json) becomes a packaged reference only as its raw file, kept byte for byte, with
its provenance; the reference differs from the raw file only in `machine` and `hostname`."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# a real `dlcheck bench --all` result (the 2-core development VM), standing in for a download
REAL = RESULTS / "dev-2core-epyc-vm.json"
ONLY_CHANGED = {"machine", "hostname"}


def make_reference():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import make_reference as module
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def body(path: Path) -> dict:
    return {k: v for k, v in json.loads(path.read_text()).items() if k not in ONLY_CHANGED}


def tree(tmp_path: Path) -> Path:
    for folder in ("benchmarks/results", "dlcheck/bench/references"):
        (tmp_path / folder).mkdir(parents=True)
    return tmp_path


def raw_colab(tmp_path: Path) -> Path:
    """The real result, made by this test to say it ran in Colab (as the notebook's download
    would), with a host name as a learner's runtime has; every figure is the VM's own."""
    from dlcheck.bench.results import load_result

    r = load_result(REAL)
    r = dataclasses.replace(r, machine=None, hostname="1a2b3c4d5e6f",
                            context=dataclasses.replace(r.context, where=["colab"]))  # fmt: skip
    raw = tmp_path / "cloud.bench.json"
    raw.write_text(r.to_json() + "\n")
    return raw


def test_a_cloud_result_becomes_a_reference_unchanged(tmp_path: Path) -> None:
    mr = make_reference()
    root = tree(tmp_path / "repo")
    raw = raw_colab(tmp_path)
    args = mr.argparse.Namespace(id="colab-t4", description="Colab, free tier", place="colab",
                                 backend="tensorflow", raw=str(raw))  # fmt: skip
    out = mr.make(args, root)
    kept = root / "benchmarks" / "results" / "raw" / "colab-t4.bench.json"
    assert kept.read_bytes() == raw.read_bytes()  # the raw file, byte for byte
    assert body(out) == body(kept)  # every figure, context and date as measured
    ref = json.loads(out.read_text())
    assert ref["hostname"] is None and ref["machine"]["place"] == "colab"
    packaged = root / "dlcheck" / "bench" / "references" / "colab-t4.json"
    assert packaged.read_bytes() == out.read_bytes()


def test_a_place_the_file_does_not_prove_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    mr = make_reference()
    root = tree(tmp_path / "repo")
    monkeypatch.setattr(mr, "ROOT", root)  # main() writes nowhere near the checkout
    raw = raw_colab(tmp_path)
    args = mr.argparse.Namespace(id="x", description="d", place="kaggle", backend="tensorflow",
                                 raw=str(raw))  # fmt: skip
    with pytest.raises(SystemExit, match="does not say it ran in kaggle"):
        mr.make(args, root)
    assert not (root / "benchmarks" / "results" / "x.json").exists()
    bad = tmp_path / "bad.bench.json"
    bad.write_text('{"schema": "dlcheck.bench", "schema_version": 1, "results": 3}')
    assert mr.main(["x", "d", "--from", str(bad)]) == 2
    assert "malformed" in capsys.readouterr().err


def test_every_kept_raw_file_matches_its_reference() -> None:
    """In the repository: a reference made from a raw file has the raw file's figures."""
    for kept in sorted((RESULTS / "raw").glob("*.bench.json")):
        ref = RESULTS / (kept.name[: -len(".bench.json")] + ".json")
        assert ref.exists(), f"{kept.name}: no reference made from it"
        assert body(ref) == body(kept), f"{ref.name} differs from its raw file"
