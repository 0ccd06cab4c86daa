"""The reliability promise, tried as a hostile machine and a careless user would.

Every reader gets hostile documents (Hypothesis, and hand-made special files: FIFO, link to
/dev/zero, dangling link, folder); every view gets hostile strings; every CLI format of every
command runs with hostile input. A hang fails the test (per-test timeout) instead of
blocking CI. The tally of hostile inputs thrown and ended as promised is printed at the end
of the run (tests/conftest.py).
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from recorded import bench_result, env_result, judged, ready, sample, sample_facts, vary, write
from robust_helpers import (
    HOSTILE_TEXT,
    SPECIAL_KINDS,
    assert_clean_text,
    assert_one_line,
    assert_safe_csv,
    assert_safe_html,
    assert_safe_markup,
    cli,
    hostile,
    make_special,
    proc,
    strict_json,
)

from dlcheck.errors import UserError
from dlcheck.userfiles import parse_json, parse_toml, parse_yaml, read_json, read_text

pytestmark = pytest.mark.timeout(60)

DATA = Path(__file__).parent / "data" / "env"
REFERENCE = next((Path(__file__).parents[1] / "dlcheck" / "bench" / "references").glob("*.json"))
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _lock_and_prefix(tmp_path: Path, extra: dict[str, str] | None = None) -> tuple[str, str]:
    """A conda lock and a prefix that differs from it (so every section has lines)."""
    prefix = tmp_path / "prefix"
    meta = prefix / "conda-meta"
    meta.mkdir(parents=True)
    records = {"python": "3.12.7", "numpy": "2.0.0", **(extra or {})}
    for i, (name, version) in enumerate(records.items()):
        rec = {"name": name, "version": version, "build": "b", "channel": "conda-forge"}
        (meta / f"r{i}.json").write_text(json.dumps(rec), encoding="utf-8")
    (prefix / "lib" / "python3.12" / "site-packages").mkdir(parents=True)
    return str(DATA / "conda-lock-full.yml"), str(prefix)


# ---- 1. special files, at every place a file is read ---------------------------------------


def _readers(tmp_path: Path, bad: str) -> list[list[str]]:
    good_report = str(write(tmp_path / "good.json", ready("pc1")))
    lock, prefix = _lock_and_prefix(tmp_path)
    return [
        ["check", "--from", bad],
        ["check", "--from", good_report, "--profile", bad],
        ["check", "--from", good_report, "--places", bad],
        ["env", "recommend", "--from", bad],
        ["env", "verify", "--lock", bad, "--prefix", prefix],
        ["bench", "compare", str(REFERENCE), bad],
        ["report", good_report, "--profile", bad],
    ]


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_special_file_anywhere_is_one_line_never_a_hang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    bad = str(make_special(kind, tmp_path / f"{kind}.json"))
    for args in _readers(tmp_path, bad):
        with hostile():
            code, out, err = cli(capsys, *args)
            assert_one_line(code, err, bad)


@pytest.mark.parametrize("kind", SPECIAL_KINDS)
def test_special_file_in_a_report_folder_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    folder = tmp_path / "lab"
    write(folder / "pc1.json", ready("pc1"))
    make_special(kind, folder / f"{kind}.json")
    with hostile():
        code, out, err = cli(capsys, "report", str(folder), "--format", "json")
        doc = strict_json(out)
        assert code == 0 and err == ""
        assert [m["machine"] for m in doc["machines"]] == ["pc1"]
        if kind != "folder":  # a folder is walked (and holds nothing)
            assert len(doc["skipped"]) == 1 and doc["skipped"][0]["path"].endswith(f"{kind}.json")


def test_special_files_in_conda_meta_are_listed_not_hung(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock, prefix = _lock_and_prefix(tmp_path)
    for kind in ("fifo", "zero", "dangling", "empty"):
        make_special(kind, Path(prefix) / "conda-meta" / f"{kind}.json")
    with hostile(4):
        code, out, err = cli(capsys, "env", "verify", "--lock", lock, "--prefix", prefix, "--json")
        assert code == 1 and "Traceback" not in err
        strict_json(out)


def test_cap_is_enforced_by_reading_not_by_st_size(tmp_path: Path, monkeypatch) -> None:
    from dlcheck import userfiles

    real = userfiles.os.stat

    class Tiny:  # a file system that lies about the size
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_size = st.st_mode, 0

    big = tmp_path / "big.json"
    big.write_bytes(b" " * 5000 + b"{}")
    monkeypatch.setattr(userfiles.os, "stat", lambda p, *a, **k: Tiny(real(p, *a, **k)))
    with hostile(), pytest.raises(UserError, match="too large"):
        read_text(big, limit=1000)


# ---- 2. hostile documents: every reader -------------------------------------------------

NASTY_JSON = {
    "nan.json": '{"schema": "dlcheck.report", "schema_version": 1, "x": NaN}',
    "inf.json": '{"schema": "dlcheck.report", "schema_version": 1, "x": -Infinity}',
    "overflow.json": '{"schema": "dlcheck.report", "schema_version": 1, "x": 1e400}',
    "bigint.json": '{"schema": "dlcheck.report", "schema_version": ' + "9" * 5000 + "}",
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deepobj.json": '{"a":' * 5000 + "1" + "}" * 5000,
    "notutf8.json": b"\xff\xfe\xfa{}",
    "utf16nobom.json": '{"a": 1}'.encode("utf-16-le"),
    "truncated.json": '{"schema": "dlcheck.report", "facts": {',
    "array.json": "[1, 2, 3]",
    "negbytes.json": None,  # built below
    "strbytes.json": None,
    "wrongkind.json": None,
    "future.json": '{"schema": "dlcheck.report", "schema_version": 99}',
}


def _nasty_files(tmp_path: Path) -> dict[str, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, body in NASTY_JSON.items():
        p = tmp_path / name
        if name == "negbytes.json":
            d = ready("neg")
            d["facts"]["memory"]["total_bytes"] = -5
            body = json.dumps(d)
        elif name == "strbytes.json":
            d = ready("str")
            d["facts"]["cpu"]["usable_cores"] = [1, 2]
            body = json.dumps(d)
        elif name == "wrongkind.json":
            body = json.dumps(bench_result("b", 10.0, 10.0))
        if isinstance(body, bytes):
            p.write_bytes(body)
        else:
            p.write_text(body, encoding="utf-8")
        out[name] = p
    return out


def test_hostile_json_is_one_line_in_every_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, path in _nasty_files(tmp_path).items():
        for args in (
            ["check", "--from", str(path)],
            ["env", "recommend", "--from", str(path), "--json"],
            ["bench", "compare", str(REFERENCE), str(path)],
        ):
            with hostile():
                code, out, err = cli(capsys, *args)
                assert_one_line(code, err, name)
                assert out == ""


def test_one_hostile_file_never_kills_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _nasty_files(tmp_path / "lab")
    (tmp_path / "lab" / "wrongkind.json").unlink()  # a bench result: a row in a report
    del files["wrongkind.json"]
    write(tmp_path / "lab" / "pc1.json", ready("pc1"))
    with hostile(len(files)):
        code, out, err = cli(capsys, "report", str(tmp_path / "lab"), "--json")
        doc = strict_json(out)
        assert code == 0 and err == ""
        assert {Path(s["path"]).name for s in doc["skipped"]} == set(files)


def test_utf16_with_bom_and_utf8_with_bom_are_read(tmp_path: Path) -> None:
    text = json.dumps(ready("bom"))
    for enc, name in (("utf-8-sig", "a.json"), ("utf-16", "b.json")):
        (tmp_path / name).write_text(text, encoding=enc)
        with hostile():
            assert read_json(tmp_path / name)["facts"]["platform"]["hostname"] == "bom"


@FAST
@given(st.text(max_size=300))
def test_parse_json_any_text(text: str) -> None:
    with hostile():
        try:
            parse_json(text, "f.json")
        except UserError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("f.json: ")


_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(HOSTILE_TEXT),
)
_json_tree = st.recursive(
    _json_leaf,
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=10), kids, max_size=4)
    ),
    max_leaves=20,
)
_SECTIONS = ("platform", "cpu", "memory", "gpu", "disk", "python", "packages")


def _mutated_report(draw: Any) -> dict[str, Any]:
    d = copy.deepcopy(_BASE)
    section = draw(st.sampled_from(_SECTIONS))
    keys = list(d["facts"][section]) or ["x"]
    key = draw(st.sampled_from(keys))
    d["facts"][section][key] = draw(_json_tree)
    if draw(st.booleans()):
        d["facts"]["platform"]["hostname"] = draw(st.sampled_from(HOSTILE_TEXT))
    return d


_BASE = sample("ready-rtx4090.check", "base")


@FAST
@given(st.data())
def test_hostile_report_documents_read_or_refused_and_every_view_is_safe(data: Any) -> None:
    from dlcheck.fleet.aggregate import FleetBuilder
    from dlcheck.fleet.parts import max_versions
    from dlcheck.fleet.render import render_csv, render_html, render_json, render_markdown
    from dlcheck.fleet.render import render_text as fleet_text
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.render.html import render_html as check_html
    from dlcheck.render.markdown import render_markdown as check_md
    from dlcheck.render.text import render_text as check_text
    from dlcheck.report import facts_from_report_dict, judge

    doc = _mutated_report(data.draw)
    with hostile():
        try:
            facts = facts_from_report_dict(json.loads(json.dumps(doc)), "h.json")
        except UserError as exc:
            assert_clean_text(str(exc))
            return
        report = judge(facts, load_profile(), load_places())
        import io

        buf = io.StringIO()
        check_text(report, file=buf, width=120)
        assert_clean_text(buf.getvalue())
        assert_safe_markup(check_md(report))
        assert_safe_html(check_html(report))
        strict_json(report.to_json())
        # the same document through dlcheck report
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "h.json"
            p.write_text(json.dumps(doc), encoding="utf-8")
            from dlcheck.fleet.parts import read_part

            part = read_part(str(p), max_versions())
        fleet = FleetBuilder().add_all([part]).build()
        buf = io.StringIO()
        fleet_text(fleet, file=buf, width=200)
        assert_clean_text(buf.getvalue())
        assert_safe_markup(render_markdown(fleet))
        assert_safe_html(render_html(fleet))
        assert_safe_csv(render_csv(fleet))
        strict_json(render_json(fleet))


@FAST
@given(st.text(max_size=300))
def test_parse_toml_any_text(text: str) -> None:
    with hostile():
        try:
            parse_toml(text, "p.toml")
        except UserError as exc:
            assert "\n" not in str(exc)


@FAST
@given(
    st.dictionaries(
        st.sampled_from(["id", "title", "level", "check", "advice", "min_gib", "min", "places"]),
        _json_leaf,
        max_size=8,
    )
)
def test_profile_values_of_any_type_are_one_line(req: dict[str, Any]) -> None:
    from dlcheck.profile import parse_profile

    with hostile():
        try:
            parse_profile({"requirement": [req]}, "p.toml")
        except UserError as exc:
            assert "\n" not in str(exc)


@FAST
@given(st.text(max_size=200))
@pytest.mark.slow
def test_parse_yaml_any_text(text: str) -> None:
    with hostile():
        try:
            parse_yaml(text, "l.yml")
        except UserError as exc:
            assert "\n" not in str(exc)


@pytest.mark.slow
def test_yaml_aliases_are_bounded() -> None:
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        laughs.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with hostile(), pytest.raises(UserError, match="aliases"):
        parse_yaml("\n".join(laughs), "laughs.yml")
    deep = "[" * 10_000 + "]" * 10_000
    with hostile(), pytest.raises(UserError):
        parse_yaml(deep, "deep.yml")


def test_toml_deep_and_huge_numbers(tmp_path: Path, capsys) -> None:
    cases = {
        "deep.toml": "a = " + "[" * 5000 + "]" * 5000,
        "bigint.toml": "a = " + "1" * 6000,
        "nan.toml": '[[requirement]]\nid="m"\ntitle="t"\nlevel="required"\ncheck="memory"\n'
        'min_gib=nan\nadvice="x"\n',
        "inf.toml": '[[requirement]]\nid="m"\ntitle="t"\nlevel="required"\ncheck="memory"\n'
        'min_gib=inf\nadvice="x"\n',
        "places5.toml": '[[requirement]]\nid="m"\ntitle="t"\nlevel="required"\ncheck="memory"\n'
        'min_gib=1\nplaces=5\nadvice="x {places}"\n',
        "bench5.toml": 'bench = 5\n[[requirement]]\nid="m"\ntitle="t"\nlevel="required"\n'
        'check="memory"\nmin_gib=1\nadvice="x"\n',
        "name1.toml": '[profile]\nname = 1\n[[requirement]]\nid="m"\ntitle="t"\n'
        'level="required"\ncheck="memory"\nmin_gib=1\nadvice="x"\n',
    }
    report = str(write(tmp_path / "r.json", ready("pc1")))
    for name, body in cases.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
        with hostile():
            code, _, err = cli(capsys, "check", "--from", report, "--profile", str(tmp_path / name))
            assert_one_line(code, err, name)
    places = tmp_path / "places.toml"
    places.write_text('checked = 5\n[[place]]\nid = "c"\nname = "C"\nurl = 3\n', encoding="utf-8")
    with hostile():
        code, _, err = cli(capsys, "check", "--from", report, "--places", str(places))
        assert_one_line(code, err, "places.toml")


# ---- 3. options ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "0", "-1", "abc", "1e400", "86401"])
@pytest.mark.parametrize("option", ["--timeout", "--framework-timeout"])
def test_timeouts_must_be_finite_and_positive(capsys, option: str, value: str) -> None:
    with hostile():
        code, out, err = cli(capsys, "check", option, value)
        assert_one_line(code, err, option)


# ---- 4. every CLI format of every command with hostile machine text ---------------------


def _evil_facts(text: str) -> dict[str, Any]:
    d = judged(vary(sample_facts(), text, gpu=text, cpu_model=text, os_name=text))
    d["facts"]["gpu"]["nvidia_status"] = "error"
    d["facts"]["gpu"]["nvidia_error"] = text
    d["facts"]["gpu"]["nvidia_advice"] = text
    d["facts"]["platform"]["kernel"] = text
    d["facts"]["packages"]["versions"][text[:50] or "x"] = text
    return d


@pytest.mark.parametrize("text", HOSTILE_TEXT)
@pytest.mark.slow
def test_every_format_of_every_command_is_safe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    rep = write(tmp_path / "evil.json", _evil_facts(text))
    write(tmp_path / "lab" / "evil.json", _evil_facts(text))
    env = env_result(text, ok=False)
    env["setup"] = text
    write(tmp_path / "lab" / "evil.env.json", env)
    bench = json.loads(REFERENCE.read_text(encoding="utf-8"))
    bench["hostname"] = text
    bench["machine"] = {**(bench.get("machine") or {}), "id": text, "cpu": text}
    write(tmp_path / "lab" / "evil.bench.json", bench)
    bench_file = write(tmp_path / "evil.bench.json", bench)
    lock, prefix = _lock_and_prefix(tmp_path, {text[:80] or "x": text[:80] or "1"})
    runs: list[tuple[list[str], str]] = []
    for fmt in ("text", "json", "markdown"):
        runs.append((["check", "--from", str(rep), "--format", fmt], fmt))
        runs.append((["env", "recommend", "--from", str(rep), "--format", fmt], fmt))
        runs.append((["env", "verify", "--lock", lock, "--prefix", prefix, "--format", fmt], fmt))
    for fmt in ("text", "markdown", "csv", "html", "json"):
        runs.append((["report", str(tmp_path / "lab"), "--format", fmt], fmt))
        runs.append((["report", str(tmp_path / "lab"), "--anonymize", "--format", fmt], fmt))
    runs.append((["bench", "compare", str(REFERENCE), str(bench_file)], "text"))
    for args, fmt in runs:
        with hostile():
            code, out, err = cli(capsys, *args)
            assert "Traceback" not in err, (args, err)
            assert code in (0, 1, 2), (args, code, err)
            assert_clean_text(err)
            if code == 2:
                assert_one_line(code, err)
                continue
            assert out, args
            if fmt == "json":
                strict_json(out)
                assert_clean_text(out)
            elif fmt == "csv":
                assert_safe_csv(out)
            elif fmt == "markdown":
                assert_safe_markup(out)
            elif fmt == "html":
                assert_safe_html(out)
            else:
                assert_clean_text(out)


# ---- 5. output: one way out ---------------------------------------------------------------


def test_output_refuses_an_input_and_keeps_it(tmp_path: Path, capsys) -> None:
    rep = write(tmp_path / "me.json", ready("pc1"))
    before = rep.read_bytes()
    for args in (
        ["check", "--from", str(rep), "-o", str(rep)],
        ["check", "--from", str(rep), "--json", "-o", str(rep)],
        ["env", "recommend", "--from", str(rep), "-o", str(rep)],
        ["report", str(rep), "-o", str(rep)],
        ["report", str(tmp_path), "--json", "-o", str(tmp_path / "fleet.json")],
        ["bench", "compare", str(REFERENCE), str(rep), "-o", str(rep)],
    ):
        with hostile():
            code, out, err = cli(capsys, *args)
            assert_one_line(code, err)
            assert rep.read_bytes() == before
    assert not (tmp_path / "fleet.json").exists()


@pytest.mark.parametrize("target", ["/dev/full", "folder", "no-such-dir/x.json", "readonly/x.json"])
def test_write_errors_are_one_line(tmp_path: Path, capsys, target: str) -> None:
    rep = write(tmp_path / "me.json", ready("pc1"))
    (tmp_path / "folder").mkdir()
    ro = tmp_path / "readonly"
    ro.mkdir()
    ro.chmod(0o500)
    if target == "readonly/x.json" and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    out_path = target if target.startswith("/") else str(tmp_path / target)
    for args in (
        ["check", "--from", str(rep), "-o", out_path],
        ["check", "--from", str(rep), "--markdown", "-o", out_path],
        ["env", "recommend", "--from", str(rep), "--json", "-o", out_path],
        ["report", str(rep), "--format", "csv", "-o", out_path],
    ):
        with hostile():
            code, _, err = cli(capsys, *args)
            assert_one_line(code, err, out_path)


def test_output_is_atomic_and_leaves_no_temporary_file(tmp_path: Path, monkeypatch, capsys) -> None:
    from dlcheck import output

    rep = write(tmp_path / "me.json", ready("pc1"))
    target = tmp_path / "out.md"
    target.write_text("old\n", encoding="utf-8")

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", crash)
    with hostile():
        code, _, err = cli(capsys, "check", "--from", str(rep), "--markdown", "-o", str(target))
        assert code == 130 and "Traceback" not in err
        assert target.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["me.json", "out.md"]
    monkeypatch.undo()
    code, _, _ = cli(capsys, "check", "--from", str(rep), "--markdown", "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("## dlcheck")


@pytest.mark.e2e
def test_full_stdout_and_closed_stdout(tmp_path: Path) -> None:
    rep = str(write(tmp_path / "me.json", ready("pc1")))
    with open("/dev/full", "wb") as full, hostile():
        p = proc("check", "--from", rep, "--json", stdout=full)
        err = p.stderr.decode()
        assert_one_line(p.returncode, err, "cannot write")
    with hostile():
        pipe = subprocess.Popen(
            [sys.executable, "-m", "dlcheck", "report", rep, "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert pipe.stdout is not None and pipe.stderr is not None
        pipe.stdout.read(5)
        pipe.stdout.close()  # `| head -c 5`
        assert pipe.wait(timeout=30) in (0, 1)
        assert pipe.stderr.read() == b""


@pytest.mark.slow
@pytest.mark.e2e
def test_cp1252_stream_writes_a_readable_utf8_file(tmp_path: Path) -> None:
    rep = str(write(tmp_path / "me.json", _evil_facts("café ✓ 日本")))
    for fmt in ("markdown", "text", "json"):
        with hostile(), open(tmp_path / f"out.{fmt}", "wb") as fh:
            p = proc(
                "check",
                "--from",
                rep,
                "--format",
                fmt,
                stdout=fh,
                env={"PYTHONIOENCODING": "cp1252"},
            )
            assert p.returncode in (0, 1) and b"Traceback" not in p.stderr, p.stderr
        text = (tmp_path / f"out.{fmt}").read_bytes().decode("utf-8")
        if fmt == "json":
            text = strict_json(text)["facts"]["platform"]["hostname"]
        assert "café ✓ 日本" in text


# ---- 6. report: never lose a machine ------------------------------------------------------


def test_three_laptops_named_ubuntu_are_three_rows(tmp_path: Path, capsys) -> None:
    for i, ram in enumerate((8, 16, 32)):
        write(
            tmp_path / f"learner{i}.json",
            judged(vary(sample_facts(), "ubuntu", ram_gib=ram)),
        )
    with hostile(2):
        code, out, err = cli(capsys, "report", str(tmp_path), "--json")
        doc = strict_json(out)
        assert len(doc["machines"]) == 3
        assert all(m["machines_with_this_name"] == 3 for m in doc["machines"])
        assert all("ubuntu" in m["machine"] and "of 3" in m["machine"] for m in doc["machines"])


def test_anonymize_hides_host_names_in_every_column_and_path(tmp_path: Path, capsys) -> None:
    write(tmp_path / "hosts" / "alice-laptop.check.json", ready("alice-laptop"))
    write(tmp_path / "hosts" / "alice-laptop.env.json", env_result("alice-laptop"))
    (tmp_path / "hosts" / "bob-pc.json").write_text("{broken", encoding="utf-8")
    for fmt in ("text", "markdown", "csv", "html", "json"):
        with hostile():
            code, out, err = cli(capsys, "report", str(tmp_path), "--anonymize", "--format", fmt)
            assert "alice" not in out and "bob" not in out, (fmt, out)


def test_unreadable_folder_is_listed_as_skipped(tmp_path: Path, monkeypatch, capsys) -> None:
    from dlcheck.fleet import read

    write(tmp_path / "ok" / "pc1.json", ready("pc1"))
    locked = tmp_path / "locked"
    locked.mkdir()
    real = read.os.scandir

    def scandir(path: Any) -> Any:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(read.os, "scandir", scandir)
    with hostile():
        code, out, err = cli(capsys, "report", str(tmp_path), "--json")
        doc = strict_json(out)
        assert [s["path"] for s in doc["skipped"]] == [str(locked)]
        assert "Permission denied" in doc["skipped"][0]["reason"]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.slow
@pytest.mark.e2e
def test_interrupt_over_many_files(tmp_path: Path, sig: int, status: int) -> None:
    """Ctrl-C (to the whole process group, as a terminal sends it) or SIGTERM while worker
    processes read: no hang, no worker traceback, the promised status, no output file."""
    psutil = pytest.importorskip("psutil")
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one CPU: no worker processes")
    from recorded import write_many

    (tmp_path / "lab").mkdir()
    write_many(tmp_path / "lab", 2600)
    out = tmp_path / "fleet.html"
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dlcheck",
            "report",
            str(tmp_path / "lab"),
            "--format",
            "html",
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not psutil.Process(p.pid).children():
        if p.poll() is not None:
            break
        time.sleep(0.02)
    with hostile():
        if p.poll() is None:
            if sig == signal.SIGINT:
                os.killpg(p.pid, sig)
            else:
                os.kill(p.pid, sig)
        _, err = p.communicate(timeout=60)
        text = err.decode()
        if p.returncode in (0, 1):  # finished first: nothing to interrupt (a fast machine)
            pytest.skip("the report finished before the signal")
        assert p.returncode == status, text
        assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
        assert not out.exists()
        assert not [q for q in tmp_path.iterdir() if q.name.startswith(".fleet.html")]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 0, -1, "5"])
def test_python_api_refuses_bad_timeouts(value: Any) -> None:
    import dlcheck

    with hostile(), pytest.raises(UserError, match="timeout"):
        dlcheck.check(timeout=value)
