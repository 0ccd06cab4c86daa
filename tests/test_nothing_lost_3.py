"""Issue 27 ("Nothing lost, third round"): every exit path, every output path, every child
process. Each case of its "Why" as a user, a sysadmin or a service manager meets it, and the
general rule behind it: one check of every output before the work starts
(``dlcheck.output.check_outputs``), one registry of child processes killed as a group on every
exit (``dlcheck.subprocesses``), removal by proof that knows every folder and installer file a
run made, and every option with a fixed set of values a ``click.Choice``."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robust_helpers import assert_one_line, cli, hostile
from test_nothing_lost import _opts, _plant, offline  # noqa: F401 - the fixture

from dlcheck.envs import create as create_mod
from dlcheck.envs.create import CreateError, create

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
REPORTS = DATA / "reports"
POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX")


def _sh(command: str, env: dict[str, str] | None = None, timeout: float = 120):
    """``command`` through /bin/sh (the test's shell, never dlcheck's)."""
    return subprocess.run(  # noqa: S603
        ["/bin/sh", "-c", command],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
    )


def _dlcheck() -> str:
    return f"'{sys.executable}' -m dlcheck"


# ----------------------------------------------------------- 1. standard output closed ---

K1 = "round 3: closed standard output"

CLOSED = [
    ["check", "--no-frameworks"],
    ["check", "--from", str(REPORTS / "debian-fresh.check.json")],
    ["env", "recommend", "--from", str(REPORTS / "debian-fresh.check.json")],
    ["report", str(DATA / "fleet" / "lab")],
]


@POSIX
@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("args", CLOSED, ids=lambda a: " ".join(a[:2]))
def test_closed_standard_output_is_one_line_never_a_traceback(args: list[str]) -> None:
    """Why: `dlcheck check >&-` (a cron job, a unit with stdout closed) ended in
    `AttributeError: 'NoneType' object has no attribute 'flush'`. Now one line before any
    work, exit 2."""
    quoted = " ".join(f"'{a}'" for a in args)
    with hostile(1, K1):
        got = _sh(f"exec {_dlcheck()} {quoted} >&-")
        assert_one_line(got.returncode, got.stderr, "standard output", "closed", "-o FILE")


@POSIX
@pytest.mark.slow
@pytest.mark.e2e
def test_closed_standard_output_with_a_file_works(tmp_path: Path) -> None:
    """With -o FILE, standard output is not needed: the report is written."""
    out = tmp_path / "me.json"
    report = REPORTS / "debian-fresh.check.json"
    with hostile(1, K1):
        got = _sh(f"exec {_dlcheck()} check --from '{report}' --json -o '{out}' >&-")
        assert "Traceback" not in got.stderr, got.stderr
        assert got.returncode in (0, 1, 3), got.stderr
        assert json.loads(out.read_text())["schema"]


def test_a_closed_stdout_in_process_is_refused_before_the_work(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same in this process (sys.stdout is None, as Python sets it when fd 1 is closed):
    refused before the probes start."""
    import dlcheck.pipeline

    def probed(*a: object, **k: object) -> None:
        raise AssertionError("the work started")

    monkeypatch.setattr(dlcheck.pipeline, "build_report", probed)
    monkeypatch.setattr(sys, "stdout", None)
    with hostile(1, K1):
        code, _, err = cli(capsys, "check", "--no-frameworks")
        assert_one_line(code, err, "standard output", "closed")


# ------------------------------------------------ 2. every output checked before work ---

K2 = "round 3: outputs checked before the work"


def _never(*a: object, **k: object) -> None:
    raise AssertionError("the work started before the outputs were checked")


def test_bench_save_into_a_missing_folder_is_refused_before_measuring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why: `bench --quick --save missing/folder/me.bench.json` measured for 18 s, then failed
    to write and printed nothing."""
    import dlcheck.bench.suite as suite

    monkeypatch.setattr(suite, "build_bench", _never)
    target = tmp_path / "missing" / "folder" / "me.bench.json"
    with hostile(2, K2):
        code, _, err = cli(capsys, "bench", "--quick", "--save", str(target))
        assert_one_line(code, err, "missing", "no such folder")
        code, _, err = cli(capsys, "bench", "--quick", "-o", str(target))
        assert_one_line(code, err, "missing", "no such folder")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--no-frameworks"],
        ["check", "--from", str(REPORTS / "debian-fresh.check.json")],
        ["env", "recommend", "--from", str(REPORTS / "debian-fresh.check.json")],
        ["env", "verify", "--setup", "cpu"],
        ["report", str(DATA / "fleet" / "lab")],
        [
            "bench",
            "compare",
            str(DATA / "bench" / "dev-2core-epyc-vm-2026-11-26.json"),
            str(DATA / "bench" / "recorded-busy-ep4-quick.json"),
        ],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_every_command_checks_its_output_before_the_work(
    args: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The rule: one function checks every output of every command (its folder exists, it
    is no folder, no input, a link is followed) before the work starts."""
    import dlcheck.bench.compare
    import dlcheck.envs.installed
    import dlcheck.fleet.build
    import dlcheck.pipeline
    import dlcheck.probes
    import dlcheck.report

    for mod, name in (
        (dlcheck.pipeline, "build_report"),
        (dlcheck.report, "load_report_facts"),
        (dlcheck.probes, "collect_facts"),
        (dlcheck.envs.installed, "scan_environment"),
        (dlcheck.fleet.build, "build_fleet"),
        (dlcheck.bench.compare, "compare"),
    ):
        monkeypatch.setattr(mod, name, _never)
    target = tmp_path / "no-such-folder" / "out.txt"
    with hostile(1, K2):
        code, _, err = cli(capsys, *args, "-o", str(target))
        assert_one_line(code, err, "no-such-folder", "no such folder")


def test_a_measured_result_is_kept_when_its_output_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A measurement is never thrown away because one of its outputs failed: the folder of
    --save vanishes during the run; the result is kept (the path said) and still shown."""
    import dlcheck.bench.suite as suite
    from dlcheck.bench.results import load_result

    recorded = load_result(str(DATA / "bench" / "dev-2core-epyc-vm-2026-11-26.json"))
    folder = tmp_path / "results"
    folder.mkdir()

    def measured(options: object, display: object = None, **_: object) -> object:
        folder.rmdir()  # the folder goes away while the benchmark runs
        return type("Run", (), {"interrupted": False})()

    monkeypatch.setattr(suite, "build_bench", measured)
    monkeypatch.setattr(suite, "judge_bench", lambda run, references=None: recorded)
    with hostile(1, K2):
        code, out, err = cli(capsys, "bench", "--quick", "--save", str(folder / "me.bench.json"))
        assert code == 2 and "Traceback" not in err, err
        assert "kept" in err, err
        kept = err.split("kept in ", 1)[1].split()[0].rstrip(";,)")
        assert json.loads(Path(kept).read_text())["schema"] == "dlcheck.bench"
        assert out.strip(), "the result is still shown"
        Path(kept).unlink()


def test_a_check_report_is_kept_when_its_file_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rule for `check`: the folder of -o goes away while the machine is probed;
    the report is kept (the path said), and `check --from` reads it."""
    import dlcheck.pipeline

    real = dlcheck.pipeline.build_report
    folder = tmp_path / "reports"
    folder.mkdir()

    def probed(*a: object, **k: object) -> object:
        if folder.exists():
            folder.rmdir()
        return real(*a, **k)

    monkeypatch.setattr(dlcheck.pipeline, "build_report", probed)
    report = str(REPORTS / "debian-fresh.check.json")
    with hostile(1, K2):
        code, _, err = cli(capsys, "check", "--from", report, "--markdown", "-o",
                           str(folder / "me.md"))  # fmt: skip
        assert_one_line(code, err, "kept in")
        kept = err.split("kept in ", 1)[1].split()[0]
        code, out, _ = cli(capsys, "check", "--from", kept, "--quiet")
        assert "READY" in out
        Path(kept).unlink()


# -------------------------------------------------------------------- 3. a link as -o ---

K3 = "round 3: a link as the output"


@POSIX
def test_output_through_a_symbolic_link_writes_its_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why: `-o me.md` where me.md links to a shared file replaced the link with a regular
    file and left the shared file stale. The decision (docs/output.md): the target is written
    atomically, the link stays."""
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "lab.md"
    target.write_text("old\n")
    link = tmp_path / "me.md"
    link.symlink_to(target)
    with hostile(1, K3):
        code, _, err = cli(
            capsys, "check", "--from", str(REPORTS / "debian-fresh.check.json"), "--markdown",
            "-o", str(link),
        )  # fmt: skip
        assert code in (0, 1, 3), err
        assert link.is_symlink() and os.readlink(link) == str(target)
        assert target.read_text().startswith("#"), target.read_text()[:100]
        assert [p.name for p in shared.iterdir()] == ["lab.md"]  # no temporary file left


@POSIX
def test_a_link_to_a_missing_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "me.md"
    link.symlink_to(tmp_path / "gone" / "lab.md")
    with hostile(1, K3):
        code, _, err = cli(
            capsys, "check", "--from", str(REPORTS / "debian-fresh.check.json"), "-o", str(link)
        )
        assert_one_line(code, err, "gone", "no such folder")
    assert link.is_symlink()


@POSIX
def test_a_link_to_an_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "me.json"
    report.write_bytes((REPORTS / "debian-fresh.check.json").read_bytes())
    link = tmp_path / "out.json"
    link.symlink_to(report)
    with hostile(1, K3):
        code, _, err = cli(capsys, "check", "--from", str(report), "--json", "-o", str(link))
        assert_one_line(code, err, "input")
    assert report.read_bytes() == (REPORTS / "debian-fresh.check.json").read_bytes()


# ------------------------------------------------------- 4. every child dies with us ---

K4 = "round 3: children die with dlcheck"

FAKE_FRAMEWORK = """import os, sys, time
with open(os.path.join(os.environ["FAKE_PIDS"], str(os.getpid())), "w") as fh:
    fh.write("started")
time.sleep(120)
"""


def _fake_framework(where: Path, name: str = "jax") -> Path:
    """A framework whose import hangs (and says its pid), found by distribution metadata."""
    site = where / "site"
    (site / name).mkdir(parents=True)
    (site / name / "__init__.py").write_text(FAKE_FRAMEWORK)
    info = site / f"{name}-0.4.30.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.4.30\n")
    (info / "RECORD").write_text("")
    return site


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@POSIX
@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize(
    ("signum", "code"),
    [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGHUP, 129)],
    ids=["TERM", "INT", "HUP"],
)
def test_a_signal_during_the_framework_probes_kills_every_probe(
    tmp_path: Path, signum: int, code: int
) -> None:
    """Why: SIGTERM (or SIGINT to dlcheck alone, as `timeout` sends it) during the framework
    probes exited and left the probe processes running, re-parented to init."""
    psutil = pytest.importorskip("psutil")
    pids = tmp_path / "pids"
    pids.mkdir()
    site = _fake_framework(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(site), "FAKE_PIDS": str(pids)}
    env.pop("DLCHECK_CI", None)
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "dlcheck", "check", "--json", "--framework-timeout", "300"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
        preexec_fn=_stop_signals_default,
    )  # fmt: skip
    children: list[int] = []
    try:
        end = time.monotonic() + 120
        while not any(pids.iterdir()):
            assert proc.poll() is None and time.monotonic() < end, "the probe never started"
            time.sleep(0.05)
        children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        assert children
        with hostile(1, K4):
            proc.send_signal(signum)
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == code, err
            assert "Traceback" not in err, err
            end = time.monotonic() + 10
            while any(_alive(p) for p in children) and time.monotonic() < end:
                time.sleep(0.05)
            assert not [p for p in children if _alive(p)], "children left running"
    finally:
        if proc.poll() is None:
            proc.kill()
        for p in children:
            if _alive(p):
                os.kill(p, signal.SIGKILL)


def _stop_signals_default() -> None:
    """In the child: the stop signals as a terminal's shell leaves them, whatever this test
    run inherited (CI started under `nohup` ignores SIGHUP, a background job SIGINT, and
    dlcheck rightly keeps an ignored signal ignored)."""
    for num in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
        signal.signal(num, signal.SIG_DFL)


def test_the_registry_kills_every_child_and_its_children(tmp_path: Path) -> None:
    """The rule: every subprocess goes through one registry; ``kill_children`` stops each
    (and what each started) on every exit path."""
    from dlcheck import subprocesses

    code = (
        "import subprocess, sys, time; "
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        "print('ready', flush=True); time.sleep(120)"
    )
    proc = subprocesses.start_process([sys.executable, "-c", code])
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    psutil = pytest.importorskip("psutil")
    family = [proc.pid, *(c.pid for c in psutil.Process(proc.pid).children(recursive=True))]
    assert len(family) == 2
    assert proc in subprocesses.live_children()
    with hostile(1, K4):
        subprocesses.kill_children()
        proc.wait(10)
        end = time.monotonic() + 10
        while any(_alive(p) for p in family) and time.monotonic() < end:
            time.sleep(0.05)
        assert not [p for p in family if _alive(p)]
        assert proc not in subprocesses.live_children()


def test_run_command_goes_through_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_command (nvidia-smi, sysctl, dot -V, an environment's Python) is a registered
    child too, killed with its group when it overruns."""
    from dlcheck import subprocesses

    seen: list[object] = []
    real = subprocesses.start_process

    def spy(*a: object, **k: object) -> object:
        p = real(*a, **k)  # type: ignore[arg-type]
        seen.append(p)
        return p

    monkeypatch.setattr(subprocesses, "start_process", spy)
    with hostile(1, K4):
        got = subprocesses.run_command([sys.executable, "-c", "import time; time.sleep(30)"], 0.5)
        assert got.error and "timed out" in got.error
        assert seen and seen[0].poll() is not None  # type: ignore[attr-defined]


# ------------------------------------------------ 5. what env create made, it removes ---

K5 = "round 3: env create leaves nothing"


def test_uv_lock_file_is_known_to_the_removal(tmp_path: Path) -> None:
    """Why: a failed `--uv` run left its environment because uv wrote `.lock` into it; every
    later run on that prefix was refused."""
    from dlcheck import removal

    prefix = tmp_path / "env"
    made = removal.Made.mkdir(prefix)
    (prefix / "bin").mkdir()
    (prefix / "pyvenv.cfg").write_text("home = /usr\n")
    (prefix / ".lock").write_text("")
    with hostile(1, K5):
        assert removal.proof_of_environment(prefix, made) is None
        assert removal.remove_environment(prefix, made).removed
    assert not prefix.exists()


def test_mistyped_python_leaves_nothing(
    offline: dict[str, object],  # noqa: F811
) -> None:
    """Why: a mistyped --python left an empty folder; a new nested prefix left the parent
    folders it created. What a run made, it removes: folders included."""
    root = Path(str(offline["root"]))
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    for prefix in (root / "my env", root / "new parent" / "sous-dossier é" / "my env"):
        with hostile(1, K5), pytest.raises(CreateError):
            create(_opts(prefix, python=str(root / "no-such-python3.12")))
        assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


@pytest.mark.slow
@pytest.mark.e2e
def test_failed_install_in_a_new_nested_prefix_removes_its_parents(
    offline: dict[str, object],  # noqa: F811
) -> None:
    root = Path(str(offline["root"]))
    lock = root / "envs" / "cpu" / "pylock.txt"
    lock.write_text(lock.read_text().replace("sha256:", "sha256:0", 1))  # a wrong hash
    kept = _plant(root / "new parent" / "sibling")  # a folder of the user's beside it
    prefix = root / "new parent" / "sous-dossier é" / "deeper" / "my env"
    with hostile(1, K5), pytest.raises(CreateError) as exc:
        create(_opts(prefix))
    assert "removed the unfinished environment" in str(exc.value)
    assert not (root / "new parent" / "sous-dossier é").exists()
    assert kept.exists()


def test_the_parents_a_run_made_are_removed_only_when_empty_and_its_own(tmp_path: Path) -> None:
    from dlcheck import removal

    top = tmp_path / "a"
    made = removal.make_parents(top / "b" / "c" / "env")
    assert [Path(m.path).name for m in made] == ["a", "b", "c"]
    (top / "b" / "notes.md").write_text("mine")
    with hostile(1, K5):
        left = removal.remove_parents(made)
        assert (top / "b" / "notes.md").exists() and not (top / "b" / "c").exists()
        assert left and "b" in left[0]


DEBIAN_VENV = r"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
cat <<'EOF'
The virtual environment was not created successfully because ensurepip is not
available.  On Debian/Ubuntu systems, you need to install the python3-venv
package using the following command.

    apt install python3.12-venv

You may need to use sudo with that command.  After installing the python3-venv
package, recreate your virtual environment.

Failing command: /tmp/x/bin/python3
EOF
exit 1
fi
exec "{python}" "$@"
"""


@POSIX
def test_debian_python_without_venv_names_the_apt_line(
    offline: dict[str, object],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Why (still open from round two): `env create` on a Debian/Ubuntu Python without
    python3-venv said "Failing command: .../bin/python3". Faked by a Python whose `-m venv`
    fails with Debian's own message (ensurepip importable, its wheels absent)."""
    root = Path(str(offline["root"]))
    fake = root / "python3.12"
    fake.write_text(DEBIAN_VENV.replace("{python}", sys.executable))
    fake.chmod(0o755)
    found = create_mod.PythonFound(str(fake), "3.12.3", "given with --python")
    monkeypatch.setattr(create_mod, "find_python", lambda *a, **k: found)
    prefix = root / "env"
    with hostile(1, K5), pytest.raises(CreateError) as exc:
        create(_opts(prefix, python=str(fake)))
    msg = str(exc.value)
    assert "apt install python3.12-venv" in msg, msg
    assert "Failing command" not in msg
    assert not prefix.exists()


# -------------------------------------------------------- 6. every fixed set a Choice ---

K6 = "round 3: fixed sets and course flavours"

CHOICES = [
    ["check", "--no-frameworks", "--course", ""],
    ["env", "recommend", "--course", ""],
    ["env", "verify", "--course", ""],
    ["env", "create", "--course", ""],
    ["report", "--course", "", str(DATA / "fleet" / "lab")],
    ["env", "recommend", "--setup", ""],
    ["env", "verify", "--setup", "nope"],
    ["check", "--no-frameworks", "--setup", ""],
    ["data", "check", "--course", ""],
    ["data", "fetch", "--course", "nope"],
]


@pytest.mark.parametrize("args", CHOICES, ids=lambda a: " ".join(a))
def test_an_empty_or_unknown_value_of_a_fixed_set_is_refused(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why: `--course ''` was accepted by check and env recommend (judged as TensorFlow),
    judged as torch by report, refused for an unrelated reason by env verify."""
    import dlcheck.pipeline

    monkeypatch.setattr(dlcheck.pipeline, "build_report", _never)
    with hostile(1, K6):
        code, _, err = cli(capsys, *args)
        assert_one_line(code, err, "Invalid value for '--")


def test_the_course_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    report = str(REPORTS / "torch-linux-laptop.check.json")
    with hostile(1, K6):
        code, out, err = cli(capsys, "check", "--from", report, "--course", "TORCH", "--json")
        assert "Traceback" not in err and code in (0, 1, 3), err
        assert json.loads(out)["profile"]["course"] == "torch"


def test_from_a_report_of_another_course_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """Why: `check --from <torch report> --course tensorflow` never said the report was
    checked as the other course (`dlcheck report --course` does)."""
    report = str(REPORTS / "torch-linux-laptop.check.json")
    with hostile(1, K6):
        _, _, err = cli(capsys, "check", "--from", report, "--course", "tensorflow")
        assert "checked as the torch course" in err and "tensorflow" in err, err
    _, _, err = cli(capsys, "check", "--from", report)
    assert "checked as" not in err, err


# ------------------------------------------------------ 7. the promises of --help kept ---

K7 = "round 3: --help kept, machine text cut"


def test_verbose_shows_the_probes_log_when_the_import_succeeds() -> None:
    """Why: `check -v` promises the framework probes' standard-error tails (TensorFlow's own
    log) and showed nothing when the import succeeded."""
    from dlcheck.frameworks.probe import MARKER, parse_child_output

    record = {"name": "tensorflow", "status": "ok", "version": "2.18.0"}
    stdout = f"{MARKER} {json.dumps(record)}\n"
    stderr = (
        "I0000 00:00:1733.0 cpu_feature_guard.cc:210] This TensorFlow binary is optimized to "
        "use available CPU instructions\n"
        "oneDNN custom operations are on. You may see slightly different numerical results\n"
    )
    with hostile(1, K7):
        out = parse_child_output(["tensorflow"], stdout, stderr, 0, False, 60.0)
        assert any("oneDNN custom operations" in ln for ln in out[0].stderr_tail), out[0]


def test_long_machine_text_is_cut_by_the_sanitizer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why: `check --path <5,000 characters>` printed the path twice over 201 lines."""
    from dlcheck.sanitize import DEFAULT_LIMIT

    path = str(tmp_path / ("x" * 5000))
    with hostile(1, K7):
        code, out, err = cli(capsys, "check", "--no-frameworks", "--path", path)
        assert "Traceback" not in err
        assert out.count("x") <= 2 * DEFAULT_LIMIT + 200, out.count("x")
        assert len(out.splitlines()) < 120


def test_a_long_existing_path_is_cut_in_every_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same for a path that exists (the disk line names where it measured): the facts
    keep it whole, every view cuts it at the sanitizer's limit."""
    from dlcheck.sanitize import DEFAULT_LIMIT

    deep = tmp_path
    for i in range(12):
        deep = deep / (f"{i:02d}" + "d" * 230)
    try:
        deep.mkdir(parents=True)
    except OSError:
        pytest.skip("this file system does not take a path this long")
    with hostile(1, K7):
        for fmt in ("text", "markdown"):
            code, out, err = cli(capsys, "check", "--no-frameworks", "--path", str(deep),
                                 "--format", fmt)  # fmt: skip
            assert "Traceback" not in err
            assert out.count("d") <= DEFAULT_LIMIT + 400, (fmt, out.count("d"))
        _, out, _ = cli(capsys, "check", "--no-frameworks", "--path", str(deep), "--json")
        assert json.loads(out)["facts"]["disk"]["path"] == str(deep)  # the facts: whole


# --------------------------------------------------------- 8. glyphs a terminal lacks ---

K8 = "round 3: terminal glyphs"


def test_progress_glyphs_fall_back_to_ascii() -> None:
    """Why: with PYTHONIOENCODING=cp437 (a Windows console) the status line printed
    `\\u280b Probing this machine\\u2026`."""
    from dlcheck.render.progress import Progress

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp437", errors="backslashreplace")
    with hostile(1, K8):
        with Progress(True, stream) as progress:
            progress.update("Probing this machine…")
            time.sleep(0.35)
        stream.flush()
        text = raw.getvalue().decode("cp437")
        assert "Probing this machine..." in text, text
        assert "\\u" not in text and "\\x" not in text, text


@POSIX
@pytest.mark.slow
@pytest.mark.e2e
def test_progress_on_a_cp437_terminal(tmp_path: Path) -> None:
    """The same on a real terminal (a pseudo-terminal as standard error)."""
    import pty

    primary, secondary = pty.openpty()
    env = {**os.environ, "PYTHONIOENCODING": "cp437", "NO_COLOR": "1"}
    env.pop("DLCHECK_CI", None)
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "dlcheck", "check", "--no-frameworks", "--json"],
        stdout=subprocess.PIPE, stderr=secondary, env=env,
    )  # fmt: skip
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.communicate(timeout=120)
    os.close(primary)
    text = b"".join(chunks).decode("cp437")
    with hostile(1, K8):
        assert "Probing this machine" in text, text
        assert "\\u" not in text, text


# ------------------------------------------------------------------- 9. the fleet table ---

K9 = "round 3: fleet table"

LAB = DATA / "fleet" / "lab"


def _fleet(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return cli(capsys, "report", *args)


def test_report_judges_every_report_as_check_from_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 26, item 5: a hand-edited report with 1 core and 3 GiB was "READY WITH
    WARNINGS" in the fleet table and NOT READY under `check --from`. One judgement: today's
    profile of the report's course; the row says where the saved verdict differs."""
    data = json.loads((LAB / "pc00.check.json").read_text())
    data["facts"]["cpu"]["usable_cores"] = 1.0
    data["facts"]["cpu"]["logical_cores"] = 1
    for key in ("total_bytes", "effective_bytes", "available_bytes"):
        data["facts"]["memory"][key] = 3 * 1024**3
    data["verdict"] = "READY WITH WARNINGS"
    edited = tmp_path / "pc00.check.json"
    edited.write_text(json.dumps(data))
    with hostile(1, K9):
        _, out, _ = cli(capsys, "check", "--from", str(edited), "--json")
        from_verdict = json.loads(out)["verdict"]
        _, out, err = _fleet(capsys, str(edited), "--json")
        row = json.loads(out)["machines"][0]
        assert row["check_verdict"] == from_verdict == "NOT READY", (row, err)
        assert row["saved_verdict"] == "READY WITH WARNINGS"
        _, text, _ = _fleet(capsys, str(edited))
        assert "saved as READY WITH WARNINGS" in " ".join(text.split()), text


def _one_host(tmp_path: Path, prefix: str | None) -> Path:
    folder = tmp_path / "lab"
    folder.mkdir()
    (folder / "pc00.check.json").write_bytes((LAB / "pc00.check.json").read_bytes())
    env = json.loads((LAB / "pc00.env.json").read_text())
    env["prefix"] = prefix
    (folder / "pc00.env.json").write_text(json.dumps(env))
    return folder


def test_check_and_env_verify_of_two_environments_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why: a check report and an `env verify` result of one host made in two different
    environments showed "Environment: MATCH" beside the check's failures."""
    folder = _one_host(tmp_path, "/home/ana/other-env")
    with hostile(1, K9):
        _, out, _ = _fleet(capsys, str(folder), "--json")
        env = json.loads(out)["machines"][0]["environment"]
        assert "/home/ana/other-env" in env and "/opt/dl" in env, env
        assert "differ" in env, env
    (tmp_path / "same").mkdir()
    _one_host(tmp_path / "same", "/opt/dl")
    _, out, _ = _fleet(capsys, str(tmp_path / "same" / "lab"), "--json")
    env = json.loads(out)["machines"][0]["environment"]
    assert "differ" not in env, env


def test_the_text_table_never_wraps_a_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why: the text table wrapped `repair: dlcheck env create --setup` / `cpu`, which
    check.md promises never happens."""
    folder = tmp_path / "lab"
    folder.mkdir()
    for name in ("pc03.check.json", "pc03.env.json", "pc00.check.json"):
        (folder / name).write_bytes((LAB / name).read_bytes())
    env = json.loads((folder / "pc03.env.json").read_text())
    command = "dlcheck env create --setup cpu --force"
    env["repair"] = {"route": "recreate", "commands": [command]}
    (folder / "pc03.env.json").write_text(json.dumps(env))
    with hostile(1, K9):
        _, out, _ = _fleet(capsys, str(folder), "-o", str(tmp_path / "fleet.txt"))
        text = (tmp_path / "fleet.txt").read_text()
        assert command in text.splitlines()[0] or any(command in ln for ln in text.splitlines())


def test_html_environment_column_from_a_check_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why: the HTML table's Environment column was empty where a check report found its
    locked setup."""
    with hostile(1, K9):
        _, out, _ = _fleet(capsys, str(REPORTS / "env-create-cpu.check.json"), "--format", "html")
        import re

        heads = re.findall(r"<th scope='col'>([^<]*)</th>", out)
        row = re.findall(r"<td[^>]*>([^<]*)</td>", out.split("<tbody>")[1])
        cell = row[heads.index("Environment") - 1]  # the first column is a <th>
        assert "cpu" in cell, (heads, row)


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "html", "json"])
def test_each_row_says_when_its_machine_was_checked(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why: no row said when its machine was checked."""
    with hostile(1, K9):
        _, out, _ = _fleet(capsys, str(LAB / "pc00.check.json"), "--format", fmt)
        assert "2026-11-20" in out, out


# ------------------------------------------------------------- 10. the cloud notebook ---

K10 = "round 3: cloud notebook"

NOTEBOOK = ROOT / "benchmarks" / "notebooks" / "dlcheck-cloud.ipynb"


def _cell(nb: dict, tag: str) -> str:
    cells = [c for c in nb["cells"] if tag in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, tag
    return "".join(cells[0]["source"])


@pytest.mark.parametrize(
    "pasted",
    [
        (REPORTS / "debian-fresh.check.json").read_text(),  # a check report, not a bench result
        "me.bench.json",  # a file name pasted instead of its text
        "{not json",
    ],
    ids=["check-report", "a-name", "not-json"],
)
def test_notebook_cells_after_a_bad_laptop_result_say_what_to_do(
    pasted: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why: the cloud notebook fed a check report or pasted non-JSON as the laptop's result:
    dlcheck's one line, then the next cell's `FileNotFoundError: 'compare.md'` traceback.
    The cells after the settings run here as the notebook runs them (one namespace), the
    benchmark of this runtime replaced by a recorded result."""
    pytest.importorskip("IPython")
    nb = json.loads(NOTEBOOK.read_text())
    monkeypatch.chdir(tmp_path)
    cloud = tmp_path / "cloud.bench.json"
    cloud.write_bytes((DATA / "bench" / "dev-2core-epyc-vm-2026-11-26.json").read_bytes())
    space: dict[str, object] = {"__name__": "__main__"}
    out = io.StringIO()
    import contextlib

    with hostile(1, K10), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        exec(_cell(nb, "parameters"), space)  # noqa: S102 - the notebook's own cells
        space.update(LAPTOP_JSON=pasted, INSTALL=False)
        exec(_cell(nb, "helpers"), space)  # noqa: S102
        space["CLOUD"] = cloud
        for tag in ("laptop", "compare", "compare-markdown"):
            exec(_cell(nb, tag), space)  # noqa: S102
    said = out.getvalue()
    assert "Traceback" not in said
    assert "dlcheck bench --all --save me.bench.json" in said, said
