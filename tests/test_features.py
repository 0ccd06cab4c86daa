"""The features plugged into the spine (dlcheck/features.py): facts sections judged by check
kinds like every other, so `--from` judges them again; `dlcheck check --bench`."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dlcheck.bench.facts import SECTION, BenchmarkFacts, EpisodeTime, benchmark_section
from dlcheck.places import load_places
from dlcheck.profile import load_profile
from dlcheck.records import Facts, to_dict
from dlcheck.report import judge
from dlcheck.verdict import READY, READY_WITH_WARNINGS, UNKNOWN, WARN, overall

# a real `dlcheck bench --all` run (the first dev-2core reference): 49 s for episode 4
REFERENCE = Path(__file__).parent / "data" / "bench" / "dev-2core-epyc-vm-2026-11-26.json"


def _finding(facts: Facts, rid: str, profile=None):  # noqa: ANN001, ANN202
    report = judge(facts, profile or load_profile(), load_places())
    return next(f for f in report.findings if f.id == rid), report


def _with_bench(seconds: float, low: float | None = None, high: float | None = None) -> Facts:
    b = BenchmarkFacts(
        source="x.bench.json", episodes=[EpisodeTime("ep4-cnn", 4, seconds, low, high)]
    )
    return Facts(sections={SECTION: b.to_dict()})


@pytest.mark.parametrize(
    ("seconds", "low", "high", "verdict", "words"),
    [
        (45.0, 40.0, 50.0, "PASS", "about 45 s (40 s to 50 s)"),
        (120.0, None, None, "WARN", "about 2.0 min"),
        (900.0, 800.0, 1000.0, "WARN", "too slow"),
        (58.0, 50.0, 70.0, "UNKNOWN", "too close to call between PASS and WARN"),
    ],
)
def test_training_time_grades_the_benchmark_section(seconds, low, high, verdict, words) -> None:  # noqa: ANN001
    f, _ = _finding(_with_bench(seconds, low, high), "training-time")
    assert f.verdict == verdict and words in f.observed
    assert f.input_missing is False
    assert (f.advice is None) == (verdict == "PASS")


def test_without_a_benchmark_it_is_not_judged_and_does_not_count() -> None:
    facts = _with_bench(45.0)
    plain = Facts()
    f, report = _finding(plain, "training-time")
    assert f.verdict == UNKNOWN and f.input_missing and f.advice is None
    assert "dlcheck check --bench" in f.observed
    env, _ = _finding(plain, "environment-lock")
    assert env.verdict == UNKNOWN and env.input_missing
    # not counted: the verdict is that of the other findings alone
    others = [x for x in report.findings if not x.input_missing]
    assert report.verdict == overall(others)
    counts = report.counts()
    assert counts["NOT_JUDGED"] == 2 and sum(counts.values()) == len(report.findings)
    assert overall([dataclasses.replace(others[0], verdict="PASS")]) == READY
    # and a measured benchmark is judged into the same table
    g, _ = _finding(facts, "training-time")
    assert g.verdict == "PASS"


def test_environment_section_holds_facts_and_the_check_judges_them() -> None:
    section = {
        "setup": "cpu",
        "platform": "linux-64",
        "counts": {"checked": 80, "missing": 0, "different": 1, "extra": 0},
        "different": ["six 1.16.0 (lock 1.17.0)"],
    }
    f, _ = _finding(Facts(sections={"environment": section}), "environment-lock")
    assert f.verdict == WARN and "1 different" in f.observed and "six 1.16.0" in f.observed
    assert "dlcheck env verify --setup cpu" in (f.advice or "")
    section["counts"]["different"] = 0
    section["different"] = []
    f, _ = _finding(Facts(sections={"environment": section}), "environment-lock")
    assert f.verdict == "PASS" and "80 packages match" in f.observed
    # a report of an older dlcheck stored a verdict: ignored, the counts decide
    section["verdict"] = "MISMATCH"
    f, _ = _finding(Facts(sections={"environment": section}), "environment-lock")
    assert f.verdict == "PASS"


def test_benchmark_section_from_a_real_bench_result() -> None:
    data = benchmark_section(REFERENCE)
    b = BenchmarkFacts.from_dict(data)
    assert b.source == REFERENCE.name and b.episode("ep4-cnn") is not None
    assert BenchmarkFacts.from_dict(json.loads(json.dumps(data))) == b


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dlcheck", "check", "--no-frameworks", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def _training(out: str) -> dict:
    return next(f for f in json.loads(out)["findings"] if f["id"] == "training-time")


def test_check_bench_and_from_rejudge_it(tmp_path: Path) -> None:
    shutil.copy(REFERENCE, tmp_path / "other.bench.json")
    proc = _cli("--bench", "other.bench.json", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert _training(proc.stdout)["verdict"] == "PASS"  # 49 s for ep4-cnn on that machine
    (tmp_path / "me.json").write_text(proc.stdout, encoding="utf-8")
    # --from judges the saved section again, against another profile
    strict = (Path(__file__).parents[1] / "dlcheck" / "data" / "profile-default.toml").read_text()
    strict = strict.replace("pass_seconds = 60", "pass_seconds = 30")
    (tmp_path / "strict.toml").write_text(strict, encoding="utf-8")
    proc = _cli("--from", "me.json", "--profile", "strict.toml", cwd=tmp_path)
    assert _training(proc.stdout)["verdict"] == WARN
    # a saved me.bench.json next to me.json replaces it; a bad one is one line, exit 2
    (tmp_path / "me.bench.json").write_text("{}", encoding="utf-8")
    proc = _cli("--from", "me.json", cwd=tmp_path)
    assert proc.returncode == 2 and "me.bench.json" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _cli("--bench", "missing.bench.json", cwd=tmp_path)
    assert proc.returncode == 2 and "missing.bench.json" in proc.stderr


def test_a_plain_check_is_not_made_worse_by_the_new_requirements() -> None:
    facts = _with_bench(45.0)
    with_bench, _ = _finding(facts, "training-time")
    assert with_bench.verdict == "PASS"
    # READY stays READY without a benchmark: the not-judged findings do not warn
    pas = [dataclasses.replace(with_bench, id="x", verdict="PASS")]
    skipped = dataclasses.replace(with_bench, verdict=UNKNOWN, input_missing=True)
    assert overall([*pas, skipped]) == READY
    assert overall([*pas, dataclasses.replace(skipped, input_missing=False)]) == READY_WITH_WARNINGS
    assert to_dict(skipped)["input_missing"] is True
