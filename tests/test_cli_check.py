"""The real CLI, end to end on this machine, as a separate process."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlcheck.records import Facts
from dlcheck.report import SCHEMA, SCHEMA_VERSION

pytestmark = pytest.mark.e2e  # the real CLI or the framework child, as processes


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    if args and args[0] == "check" and "--from" not in args:
        # Framework probes import TensorFlow (seconds); they have their own tests.
        args = (*args, "--no-frameworks")
    return subprocess.run(
        [sys.executable, "-m", "dlcheck", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *words: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.fixture(scope="module")
def report_json(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rep") / "me.json"
    proc = run("check", "--json", "-o", str(path))
    assert proc.returncode in (0, 1), proc.stderr
    return path


def test_json_report_is_versioned_and_complete(report_json):
    data = json.loads(report_json.read_text())
    assert data["schema"] == SCHEMA and data["schema_version"] == SCHEMA_VERSION
    assert data["verdict"] in ("READY", "READY WITH WARNINGS", "NOT READY")
    assert data["exit_code"] == (1 if data["verdict"] == "NOT READY" else 0)
    facts = data["facts"]
    for section in ("platform", "python", "cpu", "memory", "disk", "gpu", "packages"):
        assert section in facts
    assert facts["python"]["version"].startswith(f"{sys.version_info[0]}.{sys.version_info[1]}")
    assert facts["cpu"]["usable_cores"] >= 1
    assert facts["memory"]["effective_bytes"] > 0
    assert facts["disk"]["free_bytes"] > 0
    assert facts["packages"]["versions"]["click"]  # dlcheck's own dependency is installed
    ids = [f["id"] for f in data["findings"]]
    assert "cpu-arch" in ids and "tensorflow" in ids
    for f in data["findings"]:
        assert f["verdict"] in ("PASS", "WARN", "FAIL", "UNKNOWN")
        assert (f["advice"] is None) == (f["verdict"] == "PASS" or f["input_missing"])


def test_text_report(report_json):
    proc = run("check")
    assert proc.returncode in (0, 1)
    assert "Verdict:" in proc.stdout and "requirements passed" in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour when not a terminal / NO_COLOR
    assert proc.stderr == ""
    # the default shows what needs action only; --all adds every requirement
    every = run("check", "--all")
    passed = json.loads(report_json.read_text())["counts"]["PASS"]
    assert every.stdout.count("PASS") >= passed > proc.stdout.count("PASS")


def test_markdown_report():
    proc = run("check", "--markdown")
    assert proc.returncode in (0, 1)
    assert proc.stdout.startswith("## dlcheck: ")
    assert "| Result | Requirement | Found | Needed |" not in proc.stdout
    assert "requirements passed" in proc.stdout
    every = run("check", "--markdown", "--all")
    assert "| Result | Requirement | Found | Needed |" in every.stdout


def test_from_round_trips_its_own_json(report_json, tmp_path):
    again = tmp_path / "again.json"
    proc = run("check", "--from", str(report_json), "--json", "-o", str(again))
    assert proc.returncode in (0, 1), proc.stderr
    first, second = json.loads(report_json.read_text()), json.loads(again.read_text())
    assert first["facts"] == second["facts"]
    assert first["findings"] == second["findings"]
    assert second["source"] == str(report_json)


def save_report(path: Path, facts: Facts) -> None:
    """A report as `dlcheck check --json -o` writes it (the one writer, dlcheck.documents)."""
    from dlcheck.output import write_file
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.report import judge

    write_file(str(path), judge(facts, load_profile(), load_places()).to_json() + "\n")


def test_from_with_another_profile_changes_the_verdict(recorded_machine, tmp_path):
    saved = tmp_path / "m1.json"
    facts = recorded_machine("macbook-air-m1")
    save_report(saved, facts)
    strict = tmp_path / "strict.toml"
    strict.write_text(
        '[profile]\nname = "strict"\n\n[[requirement]]\nid = "ram16"\ntitle = "16 GiB RAM"\n'
        'level = "required"\ncheck = "memory"\nmin_gib = 16\nadvice = "Use the lab PC."\n'
    )
    assert run("check", "--from", str(saved)).returncode == 0
    proc = run("check", "--from", str(saved), "--profile", str(strict), "--json")
    data = json.loads(proc.stdout)
    assert proc.returncode == 1 and data["verdict"] == "NOT READY"
    # one voice: the finding's advice is its plan step's text, in the profile's own words
    step = data["plan"]["steps"][0]
    assert data["findings"][0]["step"] == step["id"] and "Use the lab PC." in step["action"]["text"]
    assert data["findings"][0]["advice"].startswith(step["title"] + ": ")
    assert data["facts"]["platform"]["hostname"] == "Annas-MacBook-Air.local"


@pytest.mark.slow
def test_anonymize_removes_host_user_and_home(recorded_machine, tmp_path):
    saved = tmp_path / "m1.json"
    save_report(saved, recorded_machine("macbook-air-m1"))
    for fmt in ("--json", "--markdown", "--format=text"):
        out = run("check", "--from", str(saved), "--anonymize", fmt).stdout
        assert "Annas-MacBook-Air" not in out and "/Users/anna" not in out, fmt
    live = run("check", "--anonymize", "--json").stdout
    data = json.loads(live)
    assert data["anonymized"] is True and data["facts"]["platform"]["hostname"] is None
    assert str(Path.home()) not in live or str(Path.home()) == "/"


def test_hostile_hostname_is_escaped_in_markdown(recorded_machine, tmp_path):
    from dataclasses import replace

    facts = recorded_machine("macbook-air-m1")
    facts = replace(facts, platform=replace(facts.platform, hostname="<script>x</script>|*pwn*"))
    saved = tmp_path / "evil.json"
    save_report(saved, facts)
    md = run("check", "--from", str(saved), "--markdown").stdout
    assert "<script>" not in md and "&lt;script>x&lt;/script>" in md
    assert "\\|\\*pwn\\*" in md
    text = run("check", "--from", str(saved)).stdout
    assert "<script>x</script>|*pwn*" in text  # literal in a terminal, not rich markup


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["file not found"]),
        ("{not json", ["not valid JSON"]),
        ('{"schema": "something.else"}', ["not a dlcheck report"]),
        ('{"schema": "dlcheck.report", "schema_version": 99, "facts": {}}', ["newer", "upgrade"]),
        (
            '{"schema": "dlcheck.report", "schema_version": 1, '
            '"facts": {"cpu": {"usable_cores": "x"}}}',
            ["malformed facts", "usable_cores"],
        ),
    ],
)
@pytest.mark.slow
def test_bad_report_is_one_line_exit_2(tmp_path, content, words):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content)
    proc = run("check", "--from", str(path))
    assert_one_line_error(proc, str(path), *words)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["file not found"]),
        ("[[requirement]\n", ["not valid TOML"]),
        ("[profile]\nname='x'\n", ["no [[requirement]]"]),
        (
            '[[requirement]]\nid="a"\ntitle="t"\nlevel="must"\ncheck="memory"\nmin_gib=4\nadvice="x"\n',
            ["level 'must'"],
        ),
        (
            '[[requirement]]\nid="a"\ntitle="t"\nlevel="required"\ncheck="quantum"\nadvice="x"\n',
            ["unknown check 'quantum'"],
        ),
        (
            '[[requirement]]\nid="a"\ntitle="t"\nlevel="required"\ncheck="memory"\nadvice="x"\n',
            ["missing 'min_gib'"],
        ),
        (
            '[[requirement]]\nid="a"\ntitle="t"\nlevel="required"\ncheck="package"\nany_of=["x"]\n'
            'min="banana"\nadvice="x"\n',
            ["not a version"],
        ),
        ('[[requirement]]\nid="a"\nlevel="required"\ncheck="gpu"\nadvice="x"\n', ["lacks title"]),
    ],
)
@pytest.mark.slow
def test_bad_profile_is_one_line_exit_2(tmp_path, content, words):
    path = tmp_path / "profile.toml"
    if content is not None:
        path.write_text(content)
    proc = run("check", "--profile", str(path))
    assert_one_line_error(proc, str(path), *words)


def test_bad_places_file(tmp_path):
    path = tmp_path / "places.toml"
    path.write_text("checked = '2026'\n")
    assert_one_line_error(run("check", "--places", str(path)), str(path), "no [[place]]")


def test_unknown_option_and_conflicting_formats():
    assert_one_line_error(run("check", "--jsn"), "--jsn")
    assert_one_line_error(run("check", "--json", "--markdown"), "choose one")
    assert_one_line_error(run("frobnicate"), "frobnicate")


@pytest.mark.slow
def test_hanging_nvidia_smi_becomes_unknown(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "nvidia-smi"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    start = time.monotonic()
    proc = run("check", "--json", "--timeout", "1.5", env=env)
    elapsed = time.monotonic() - start
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    gpu = {f["id"]: f for f in data["findings"]}["gpu"]
    if data["facts"]["gpu"]["gpus"]:
        pytest.skip("a real NVIDIA GPU answered through NVML")
    assert gpu["verdict"] == "UNKNOWN" and "timed out" in gpu["observed"]
    assert elapsed < 25  # the 30 s sleep was cut, the report still arrived
    assert data["facts"]["cpu"]["usable_cores"] >= 1  # other probes unaffected


def test_a_hung_probe_is_abandoned(monkeypatch):
    import dlcheck.probes.disk as disk
    from dlcheck.probes import collect_facts

    monkeypatch.setattr(disk, "probe_disk", lambda path=None: time.sleep(10))
    start = time.monotonic()
    facts = collect_facts(timeout=0.5)
    assert time.monotonic() - start < 5
    assert isinstance(facts, Facts)
    assert facts.disk.free_bytes is None and "did not finish" in facts.disk.error
    assert facts.memory.effective_bytes  # the rest of the report arrived


def test_a_failing_probe_becomes_an_error_record(monkeypatch):
    import dlcheck.probes.memory as memory
    from dlcheck.probes import collect_facts

    def boom(*a, **k):
        raise PermissionError("no /proc here")

    monkeypatch.setattr(memory, "probe_memory", boom)
    facts = collect_facts(timeout=3)
    assert "no /proc here" in facts.memory.error
    assert facts.cpu.logical_cores


def test_python_api_and_html_repr():
    import dlcheck

    report = dlcheck.check(frameworks=False)
    assert report.verdict in ("READY", "READY WITH WARNINGS", "NOT READY")
    html = report._repr_html_()
    assert html.startswith("<div") and ("Next steps" in html or report.verdict == "READY")
    counts = report.counts()
    assert f"{counts['PASS']} passed" in html  # the counts, as on the terminal
    line = repr(report)
    assert "\n" not in line and len(line) < 200 and report.verdict in line


def test_version_and_help():
    assert run("--version").stdout.strip().startswith("dlcheck, version")
    assert "--from" in run("check", "--help").stdout
