"""`dlcheck report`: aggregation of many machines' saved results."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from recorded import FLEET_PROFILE, bench_result, not_ready, ready, sample, warnings, write

from dlcheck.cli import main
from dlcheck.errors import UserError
from dlcheck.fleet import read
from dlcheck.fleet.aggregate import anon_id, group_of
from dlcheck.fleet.build import build_fleet
from dlcheck.fleet.render import render_csv, render_json, render_markdown, to_json_dict


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_row_per_machine_and_summary(lab: Path) -> None:
    fleet = build_fleet([str(lab)], str(FLEET_PROFILE))  # the lab's reports were judged so
    names = [r.machine for r in fleet.rows]
    assert len(names) == 15 and len(set(names)) == 15
    s = fleet.summary
    assert s.machines == 15
    # READY: pc00, pc09, an anonymous one; WITH WARNINGS: pc01, 04, 07, 10, pc06 (its benchmark
    # says WARN), an anonymous one; NOT READY: pc02, 05, 08, 11, an anonymous one, and pc03
    # (environment MISMATCH, benchmark FAIL)
    by = {r.machine: r for r in fleet.rows}
    assert by["pc00"].verdict == "READY"
    assert by["pc00"].env == "MATCH (cpu)" and "850 img/s" in by["pc00"].bench
    assert by["pc00"].ep4_seconds == 12.0
    assert by["pc03"].check_verdict == "READY" and by["pc03"].verdict == "NOT READY"
    assert "environment" in by["pc03"].failing and "benchmark" in by["pc03"].failing
    assert by["pc03"].env == "MISMATCH: 2 missing (cpu)"
    assert by["pc06"].verdict == "READY WITH WARNINGS"  # a WARN benchmark
    assert by["pc01"].verdict == "READY WITH WARNINGS" and by["pc01"].failing == ()
    assert by["pc02"].verdict == "NOT READY" and "cpu-arch" in by["pc02"].failing
    assert s.by_verdict == {"READY": 3, "READY WITH WARNINGS": 6, "NOT READY": 6}
    assert s.ready == 9
    top = {fid: n for fid, _, n in s.common_failures}
    assert top["cpu-arch"] == 5 and top["tensorflow"] == 5
    assert s.common_failures[0][2] == 5
    assert [m for m, _ in s.fastest][0] == "pc00"
    assert [m for m, _ in s.slowest][0] == "pc03"
    assert s.skipped == 0 and s.files_read == 20
    assert fleet.exit_code == 1
    # NOT READY rows come first
    assert fleet.rows[0].verdict == "NOT READY" and fleet.rows[-1].verdict != "NOT READY"


def test_anonymised_reports_get_stable_ids_that_hide_the_file_name(lab: Path) -> None:
    fleet = build_fleet([str(lab)])
    anon = [r for r in fleet.rows if r.anonymized]
    assert len(anon) == 3
    for r in anon:
        assert r.machine.startswith("anon-") and "laptop" not in r.machine
    assert build_fleet([str(lab)]).rows == fleet.rows  # stable
    assert anon_id(group_of(str(lab / "anon" / "laptop0.json"))) in {r.machine for r in anon}


def test_anonymize_flag_hides_every_host_name(lab: Path) -> None:
    fleet = build_fleet([str(lab)], anonymize=True)
    text = render_markdown(fleet) + render_csv(fleet) + render_json(fleet)
    rows_text = json.dumps(to_json_dict(fleet)["machines"], default=str)
    assert all(r.machine.startswith("anon-") for r in fleet.rows)
    assert '"machine": "pc0' not in rows_text
    assert "| pc0" not in text


def test_all_ready_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(4):
        write(tmp_path / f"m{i}.json", ready(f"m{i}") if i % 2 else warnings(f"m{i}"))
    code, out, _ = run_cli(capsys, "report", str(tmp_path), "--format", "csv")
    assert code == 0
    assert out.count("\n") == 5


def test_exit_codes_and_one_line_errors(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "report", str(lab))
    assert code == 1 and "9 of 15 machines ready" in out and err == ""
    code, _, err = run_cli(capsys, "report", str(lab / "missing.json"))
    assert code == 2 and err.count("\n") == 1 and "no such file" in err
    code, _, err = run_cli(capsys, "report")
    assert code == 2 and "Missing argument" in err
    code, _, err = run_cli(capsys, "report", str(lab), "--format", "pdf")
    assert code == 2 and "Traceback" not in err
    code, _, err = run_cli(capsys, "report", str(lab), "-o", str(lab / "no" / "dir" / "x.html"))
    assert code == 2 and "cannot write" in err


def test_output_file_each_format(lab: Path, tmp_path: Path, capsys) -> None:
    for fmt in ("text", "markdown", "csv", "html", "json"):
        out = tmp_path / f"fleet.{fmt}"
        code, stdout, _ = run_cli(capsys, "report", str(lab), "--format", fmt, "-o", str(out))
        assert code == 1 and stdout == ""
        body = out.read_text(encoding="utf-8")
        assert "pc03" in body, fmt
    assert json.loads((tmp_path / "fleet.json").read_text())["summary"]["ready"] == 9


def test_nothing_readable_is_not_ready(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.json").write_text("{", encoding="utf-8")
    code, out, _ = run_cli(capsys, "report", str(tmp_path), "--format", "markdown")
    assert code == 1 and "0 of 0 machines ready" in out and "a.json" in out


def test_newest_result_of_a_machine_wins(tmp_path: Path) -> None:
    old = sample("ready-no-course.check", "pc1")  # same hardware: the same machine, checked again
    old["created"] = "2026-11-01T00:00:00+00:00"
    new = ready("pc1")
    new["created"] = "2026-11-25T00:00:00+00:00"
    write(tmp_path / "z-old.json", old)
    write(tmp_path / "a-new.json", new)
    fleet = build_fleet([str(tmp_path)], str(FLEET_PROFILE))
    assert [(r.machine, r.verdict) for r in fleet.rows] == [("pc1", "READY")]
    assert fleet.rows[0].sources == (str(tmp_path / "a-new.json"),)


def test_per_host_folders_merge(tmp_path: Path) -> None:
    write(tmp_path / "n1" / "check.json", ready(None))
    write(tmp_path / "n1" / "bench.json", bench_result(None, 400.0, 30.0))
    write(tmp_path / "n2" / "check.json", not_ready(None))
    fleet = build_fleet([str(tmp_path)], str(FLEET_PROFILE))
    assert len(fleet.rows) == 2
    merged = [r for r in fleet.rows if r.bench]
    assert len(merged) == 1 and merged[0].verdict == "READY"


def test_bench_only_machine_is_unknown_not_ready(tmp_path: Path) -> None:
    write(tmp_path / "node1.bench.json", bench_result("node1", 500.0, 20.0, "PASS"))
    fleet = build_fleet([str(tmp_path)])
    (row,) = fleet.rows
    assert row.verdict == "UNKNOWN" and "no-check-report" in row.failing
    assert fleet.exit_code == 1


def test_profile_reevaluates_every_check_report(lab: Path, tmp_path: Path, capsys) -> None:
    prof = tmp_path / "hpc.toml"
    prof.write_text(
        '[profile]\nname = "big"\ntitle = "Big nodes"\nversion = "1"\n\n'
        '[[requirement]]\nid = "cores16"\ntitle = "16 cores"\nlevel = "required"\n'
        'check = "usable_cores"\nmin = 16\nadvice = "Use a bigger node."\n',
        encoding="utf-8",
    )
    fleet = build_fleet([str(lab)], profile_path=str(prof))
    checked = [r for r in fleet.rows if r.check_verdict]
    assert checked and all(r.check_verdict == "NOT READY" for r in checked)
    assert all(r.failing[0] == "cores16" for r in checked)
    assert fleet.summary.common_failures[0] == ("cores16", "16 cores", 15)
    big = tmp_path / "big"
    write(big / "n.json", sample("ready-32-cores.check", "n"))
    assert build_fleet([str(big)], profile_path=str(prof)).exit_code == 0
    # default profile: the 32-core machine was READY anyway, the lab was not
    assert fleet.profile == str(prof)
    prof.write_text("[profile]\nname = 1\n", encoding="utf-8")
    with pytest.raises(UserError):
        build_fleet([str(lab)], profile_path=str(prof))
    code, _, err = run_cli(capsys, "report", str(lab), "--profile", str(prof))
    assert code == 2 and "requirement" in err


def test_parallel_reading_gives_the_same_fleet(lab: Path, monkeypatch) -> None:
    (lab / "zz-broken.json").write_text('{"schema": "dlcheck.report", "sch', encoding="utf-8")
    try:
        one = build_fleet([str(lab)])
        monkeypatch.setattr(read, "PARALLEL_FROM", 3)
        monkeypatch.setattr(read, "CHUNK", 2)
        monkeypatch.setattr(read, "_usable_cpus", lambda: 2)
        monkeypatch.setattr(read.threading, "active_count", lambda: 1)
        pools: list[str] = []
        real = read.mp.get_context

        def spy(method: str):  # noqa: ANN202
            pools.append(method)
            return real(method)

        monkeypatch.setattr(read.mp, "get_context", spy)
        two = build_fleet([str(lab)])
        assert pools == ["fork"]  # the worker processes really read the files
        assert two == one and len(two.skipped) == 1
        prof = lab.parent / "one-req.toml"
        prof.write_text(
            '[[requirement]]\nid = "ram"\ntitle = "64 GiB"\nlevel = "required"\n'
            'check = "memory"\nmin_gib = 64\nadvice = "More RAM."\n',
            encoding="utf-8",
        )
        rejudged = build_fleet([str(lab)], profile_path=str(prof))
        monkeypatch.setattr(read, "PARALLEL_FROM", 10**9)
        assert build_fleet([str(lab)], profile_path=str(prof)) == rejudged
        assert rejudged.summary.common_failures[0][:2] == ("ram", "64 GiB")
    finally:
        os.remove(lab / "zz-broken.json")


def test_big_fleet_gets_a_plain_table(lab: Path, monkeypatch) -> None:
    import io

    from dlcheck.fleet import render

    monkeypatch.setattr(render, "RICH_ROWS", 3)
    buf = io.StringIO()
    # wide enough for the table with the long strings of CI's step 25 (310 columns)
    render.render_text(build_fleet([str(lab)], str(FLEET_PROFILE)), file=buf, width=400)
    lines = buf.getvalue().splitlines()[1:]  # under the title
    assert lines[0].split()[:2] == ["Machine", "Verdict"] and set(lines[1]) <= {"-", " "}
    body = lines[2:17]
    assert len(body) == 15 and all("READY" in ln for ln in body)
    assert any(ln.startswith("pc03 ") and "NOT READY" in ln for ln in body)
    assert "9 of 15 machines ready" in buf.getvalue()


def test_results_as_the_real_writers_write_them(tmp_path: Path) -> None:
    """env verify and bench files made by their own classes, so a change of either format
    shows up here."""
    from dlcheck.bench.results import (
        BenchResult,
        Context,
        Headline,
        Predictions,
    )
    from dlcheck.bench.results import TrainingGrade as BenchVerdict
    from dlcheck.envs.verify import PackageDiff, VerifyResult

    env = VerifyResult(
        lock_path="envs/cpu/linux-64.txt",
        lock_format="pip",
        setup="cpu",
        platform="linux-64",
        prefix="/opt/dl",
        python_version="3.12.7",
        lock_python="3.12",
        checked=134,
        missing=[PackageDiff("tensorflow-cpu", "pip", "2.21.0")],
        created="2026-11-20T10:00:00+00:00",
        hostname="real1",
    )
    bench = BenchResult(
        dlcheck_version="0.1.0",
        created="2026-11-20T10:05:00+00:00",
        hostname="real1",
        context=Context(),
        results={},
        predictions=Predictions(),
        verdict=BenchVerdict("WARN", "ep4-cnn", 88.0, 60.0, 300.0, "usable"),
        headline=Headline("ep4-cnn", 114.5, 88.1, "WARN"),
    )
    write(tmp_path / "real1.check.json", ready("real1"))
    write(tmp_path / "real1.env.json", env.to_json_dict())
    write(tmp_path / "real1.bench.json", bench.to_json_dict())
    fleet = build_fleet([str(tmp_path)])
    assert not fleet.skipped
    (row,) = fleet.rows
    assert row.env == "MISMATCH: 1 missing (cpu)"
    assert row.repair == "dlcheck env create --setup cpu"  # shown apart: never wrapped
    assert row.bench == "ep4-cnn: 114 img/s" and row.bench_verdict == "WARN"
    assert row.ep4_seconds == pytest.approx(88.1)
    assert row.verdict == "NOT READY" and row.failing == ("environment",)
    assert len(row.sources) == 3


def test_shipped_bench_references_read_as_named_references_not_machines() -> None:
    """The reference results shipped with dlcheck (no host name; a machine note instead)
    are what a lab is compared with: named, never rows of the lab (issue 20)."""
    folder = Path(__file__).resolve().parents[1] / "dlcheck" / "bench" / "references"
    refs = sorted(folder.glob("*.json"))
    if not refs:
        pytest.skip("no reference results shipped yet")
    fleet = build_fleet([str(folder)])
    assert not fleet.skipped and not fleet.rows
    assert sorted(b.host for b in fleet.references) == sorted(p.stem for p in refs)
    assert all(b.ep4_seconds and b.ep4_seconds > 0 and b.reference for b in fleet.references)


def test_newer_verdict_words_map_onto_the_fleet_scale() -> None:
    """bench's BORDERLINE is a warning (re-run on a quiet machine); check's NOT VERIFIED is
    unknown, never ready and never silently not-ready."""
    from dlcheck.fleet.parts import _verdict_of

    assert _verdict_of("BORDERLINE") == "READY WITH WARNINGS"
    assert _verdict_of("NOT VERIFIED") == "UNKNOWN"
    assert _verdict_of("NOT READY") == "NOT READY"
    assert _verdict_of("MATCH") == "READY"


def test_a_not_verified_check_is_a_row_never_ready(capsys, tmp_path) -> None:
    """A saved check whose required finding is unknown (NOT VERIFIED, exit 3) is read, shown
    as such, and makes `report` exit 1; it is not a malformed file."""
    data = Path(__file__).parent / "data" / "machines" / "no-packages-section.json"
    saved = tmp_path / "pc01.check.json"
    rc, _, _ = run_cli(capsys, "check", "--from", str(data), "--json", "-o", str(saved))
    assert rc == 3
    rc, out, _ = run_cli(capsys, "report", str(saved), "--format", "json")
    doc = json.loads(out)
    assert rc == 1 and not doc["skipped"], doc["skipped"]
    (row,) = doc["machines"]
    assert row["check_verdict"] == "NOT VERIFIED" and row["verdict"] == "NOT VERIFIED"


def test_a_row_reads_only_its_facts_typed_as_the_report_types_them(tmp_path: Path) -> None:
    """The row's facts are a projection of dlcheck.records.Facts: a kept field is checked
    against Facts' type, a field the row does not keep is not read at all, and every kept
    field may be missing (a GPU without a vendor still makes a row)."""
    import copy

    base = ready("pc1")
    loose = copy.deepcopy(base)
    loose["facts"]["packages"]["versions"] = "not an object"  # not kept: never read
    loose["facts"]["gpu"]["gpus"] = [{"name": "Quadro T1000"}]  # vendor missing
    wrong = copy.deepcopy(base)
    wrong["facts"]["cpu"]["logical_cores"] = "eight"  # Facts says int
    write(tmp_path / "loose.check.json", loose)
    write(tmp_path / "wrong.check.json", wrong)
    fleet = build_fleet([str(tmp_path)])
    (row,) = fleet.rows
    assert row.gpu == "Quadro T1000"
    (skipped,) = fleet.skipped
    assert "wrong.check.json" in skipped.path
    assert "facts.cpu.logical_cores" in skipped.reason


def test_a_result_without_hardware_is_not_pinned_on_one_of_several_same_named_machines() -> None:
    """tests/data/fleet/samples: five check reports of machines called pc1 (one a Pentium
    N3700 that cannot run TensorFlow) and a benchmark and an env result that name only pc1.
    They stay a machine of their own (no check report), not the first pc1's."""
    import json
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "dlcheck", "report", "tests/data/fleet", "--json"],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    pc1 = [m for m in json.loads(proc.stdout)["machines"] if m["machine"].startswith("pc1 ")]
    assert len(pc1) == 6
    with_bench = [m for m in pc1 if m["benchmark"]]
    assert len(with_bench) == 1 and with_bench[0]["check_verdict"] is None
    assert not with_bench[0]["cpu"] and "no-check-report" in with_bench[0]["failing"]


def test_named_files_none_readable_is_bad_input(capsys, tmp_path) -> None:
    """`dlcheck report FILE` whose one file is broken: one line naming it, exit 2 (bad input,
    as every command says of a bad file); in a folder, a broken file is listed as skipped
    beside the readable ones and the exit follows the machines."""
    broken = tmp_path / "pc01.check.json"
    broken.write_text("{not json", encoding="utf-8")
    rc, out, err = run_cli(capsys, "report", str(broken))
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "pc01.check.json" in err and "Traceback" not in err
    other = tmp_path / "pc02.check.json"
    other.write_text("[]", encoding="utf-8")
    rc, _, err = run_cli(capsys, "report", str(broken), str(other))
    assert rc == 2 and "and 1 more files" in err
    rc, out, _ = run_cli(capsys, "report", str(tmp_path), "--format", "json")
    assert rc == 1 and len(json.loads(out)["skipped"]) == 2
