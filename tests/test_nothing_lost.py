"""Issue 19: every case of its "Why", as users and machines produce them, ends as promised:
nothing the user made is lost or overwritten, bad input is one line and exit 2, no traceback,
no hang, no empty output. Runs of `dlcheck env create` are offline (a tiny lock of local
wheels, a fake ipykernel that writes its kernel spec like the real one) with HOME and the
Jupyter folder in a temporary folder: the real home and kernels are never touched."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robust_helpers import assert_one_line, cli, hostile
from wheels import make_wheel

from dlcheck.envs import create as create_mod
from dlcheck.envs.create import (
    CreateError,
    CreateOptions,
    acquire_lock,
    check_kernel,
    create,
    kernel_display_name,
    kernel_name,
    lock_path,
    venv_missing,
)
from dlcheck.envs.installed import (
    normal_version,
    parse_pyvenv_cfg,
    pyvenv_version,
    scan_environment,
)
from dlcheck.envs.setups import current_subdir, load_catalog
from dlcheck.removal import MARKER

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
CATALOG = load_catalog()
SUBDIR = current_subdir()
HERE = f"{sys.version_info[0]}.{sys.version_info[1]}"
KEEP = "keep me: the user's work"

FAKE_IPYKERNEL = '''"""A stand-in for `python -m ipykernel install --user`: writes the kernel
spec as ipykernel does (JUPYTER_DATA_DIR/kernels/NAME/kernel.json), waits FAKE_IPYKERNEL_SLEEP."""
import json, os, sys, time
args = sys.argv[1:]
name = args[args.index("--name") + 1]
display = args[args.index("--display-name") + 1]
folder = os.path.join(os.environ["JUPYTER_DATA_DIR"], "kernels", name)
os.makedirs(folder, exist_ok=True)
spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": display, "language": "python", "metadata": {"debugger": True}}
with open(os.path.join(folder, "kernel.json"), "w") as fh:
    json.dump(spec, fh)
time.sleep(float(os.environ.get("FAKE_IPYKERNEL_SLEEP", "0")))  # as if copying its logos
print(f"Installed kernelspec {name} in {folder}")
'''


@pytest.fixture()
def offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """envs/cpu/pylock.txt pinning two local wheels (tinypkg, a fake ipykernel); pip with no
    index; HOME and the Jupyter folder temporary. ``env`` is the same for a subprocess."""
    if SUBDIR not in CATALOG.setups["cpu"].pip_platforms or HERE not in CATALOG.pythons:
        pytest.skip("needs a platform and Python the cpu lock is made for")
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    tiny = make_wheel(wheels, "tinypkg", "1.0", {"tinypkg/__init__.py": "VERSION = '1.0'\n"})
    kern = make_wheel(
        wheels,
        "ipykernel",
        "6.29.5",
        {"ipykernel/__init__.py": "", "ipykernel/__main__.py": FAKE_IPYKERNEL},
    )
    me = make_wheel(wheels, "dlcheck", "0.1.0", {"dlcheck_stub/__init__.py": ""})
    envs = tmp_path / "envs" / "cpu"
    envs.mkdir(parents=True)
    platforms = ",".join(CATALOG.setups["cpu"].pip_platforms)
    lines = [f"# dlcheck-lock: setup=cpu platforms={platforms} pythons={','.join(CATALOG.pythons)}"]
    for name, version, whl in (("ipykernel", "6.29.5", kern), ("tinypkg", "1.0", tiny)):
        digest = hashlib.sha256(whl.read_bytes()).hexdigest()
        lines.append(f"{name}=={version} \\\n    --hash=sha256:{digest}")
    (envs / "pylock.txt").write_text("\n".join(lines) + "\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "DLCHECK_ENVS_DIR": str(tmp_path / "envs"),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "JUPYTER_DATA_DIR": str(tmp_path / "jupyter"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(create_mod, "dlcheck_source", lambda: ([str(me)], "a test wheel"))
    monkeypatch.setattr(create_mod, "setup_disk_gib", lambda name: 0.01)
    return {"root": tmp_path, "env": env, "kernels": tmp_path / "jupyter" / "kernels"}


def _opts(prefix: Path, **kw: object) -> CreateOptions:
    base = {"setup": "cpu", "prefix": str(prefix), "python": sys.executable, "kernel": "none"}
    base.update(kw)
    base.setdefault("installer", "pip")
    return CreateOptions(**base)  # type: ignore[arg-type]


def _plant(folder: Path, name: str = "analysis.ipynb") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(KEEP)
    return folder / name


# --------------------------------------------------- 1. a folder of the user's files ---


def test_project_folder_with_a_saved_result_is_never_removed(
    offline: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """Why, case 1: a project holds notebooks and the `dlcheck-env.json` the user saved with
    `env verify --json -o`; `env create --prefix project` removed the whole folder."""
    project = Path(str(offline["root"])) / "project"
    kept = _plant(project)
    (project / "pyvenv.cfg").write_text("version = 3.12.1\n")  # an old venv in it, too
    saved = project / MARKER
    saved.write_text(json.dumps({"schema": "dlcheck.env-verify", "verdict": "MISMATCH"}))
    with hostile(2, "nothing-lost"):
        for extra in ([], ["--force"]):
            code, _, err = cli(
                capsys, "env", "create", "--setup", "cpu", "--prefix", str(project),
                "--kernel", "none", "--python", sys.executable, *extra,
            )  # fmt: skip
            assert_one_line(code, err, "cannot prove it made this folder", "nothing removed")
        assert kept.read_text() == KEEP and saved.exists()


def test_force_on_the_running_environment_is_refused(
    offline: dict[str, object], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why, case 2: `--force` from the activated environment on itself removed it and built
    nothing. Here the running environment is faked by a proven dlcheck environment whose
    folder is sys.prefix."""
    from test_removal import _dlcheck_env

    env = _dlcheck_env(Path(str(offline["root"])) / ".venv-cpu", state="complete")
    monkeypatch.setattr(sys, "prefix", str(env))
    with hostile(1, "nothing-lost"):
        code, _, err = cli(
            capsys, "env", "create", "--setup", "cpu", "--prefix", str(env), "--force",
            "--kernel", "none", "--python", sys.executable,
        )  # fmt: skip
        assert_one_line(code, err, "the running Python's environment", "never removes it")
    assert (env / MARKER).exists() and (env / "pyvenv.cfg").exists()


def test_symlink_prefix_is_refused_before_anything(
    offline: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    """Why, case 4b: a prefix that is a link: a failed run said "removed" and left it all,
    and every later run failed. Now: one line at once, the target untouched."""
    root = Path(str(offline["root"]))
    target = root / "real"
    kept = _plant(target)
    link = root / "link"
    link.symlink_to(target, target_is_directory=True)
    with hostile(1, "nothing-lost"):
        code, _, err = cli(
            capsys, "env", "create", "--setup", "cpu", "--prefix", str(link), "--force",
            "--kernel", "none", "--python", sys.executable,
        )  # fmt: skip
        assert_one_line(code, err, "is a symbolic link")
    assert kept.read_text() == KEEP and link.is_symlink()


@pytest.mark.slow
@pytest.mark.e2e
def test_failed_create_in_the_users_empty_folder_keeps_the_folder(
    offline: dict[str, object],
) -> None:
    """An empty folder the user made (a mount point, say) is filled, and on failure emptied
    again, never removed: only what this run made goes."""
    root = Path(str(offline["root"]))
    lock = root / "envs" / "cpu" / "pylock.txt"
    lock.write_text(lock.read_text().replace("sha256:", "sha256:0", 1))  # a wrong hash
    folder = root / "mount"
    folder.mkdir()
    with pytest.raises(CreateError) as exc:
        create(_opts(folder))
    assert "removed the unfinished environment" in str(exc.value)
    assert folder.is_dir() and not any(folder.iterdir())


# ------------------------------------------------------------ 2. one run per prefix ---


def test_second_create_on_a_prefix_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    """Why, case 3: two `env create` on one prefix; the second wiped the first's work."""
    prefix = tmp_path / "env"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])  # noqa: S603
    try:
        lock_path(prefix).write_text(f"dlcheck env create lock\npid {holder.pid}\n")
        with hostile(1, "nothing-lost"):
            with pytest.raises(CreateError, match=rf"another dlcheck .* \(pid {holder.pid}\)"):
                acquire_lock(prefix)
    finally:
        holder.kill()
        holder.wait()
    # its holder gone: a stale lock is taken over
    got = acquire_lock(prefix)
    assert f"pid {os.getpid()}" in got.read_text()
    # a file of that name that dlcheck did not write is not removed
    got.write_text("my notes")
    with pytest.raises(CreateError, match="a lock file dlcheck did not write"):
        acquire_lock(prefix)
    assert got.read_text() == "my notes"


# ------------------------------------------------- 3. every interruption cleans up ---


def _start(offline: dict[str, object], prefix: Path, kernel: str = "course") -> subprocess.Popen:
    env = {**os.environ, **offline["env"], "FAKE_IPYKERNEL_SLEEP": "30"}  # type: ignore[dict-item]
    env.pop("DLCHECK_CI", None)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "dlcheck", "env", "create", "--setup", "cpu", "--prefix",
         str(prefix), "--python", sys.executable, "--pip", "--kernel", kernel],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _wait_for(proc: subprocess.Popen, words: str, timeout: float = 120) -> list[str]:
    seen: list[str] = []
    end = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < end:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        if words in line:
            return seen
    raise AssertionError(f"no {words!r} in {seen}")


STAGES = [
    "creating the venv",
    "installing the locked packages",
    "installing dlcheck itself",
    "registering the Jupyter kernel",
]
SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize(("signum", "code"), SIGNALS, ids=["INT", "TERM", "HUP"])
def test_signal_at_each_stage_removes_what_this_run_made(
    offline: dict[str, object], stage: str, signum: int, code: int
) -> None:
    """Why, case 4: SIGTERM left the half-made environment (only Ctrl-C was cleaned up), and
    the kernel of a failed create stayed registered. Each signal at each stage: exit
    130/143/129, no environment, no kernel, the user's files beside it whole."""
    root = Path(str(offline["root"]))
    kept = _plant(root, "notes.md")
    prefix = root / "env"
    with hostile(1, "nothing-lost"):
        proc = _start(offline, prefix)
        try:
            _wait_for(proc, stage)
            kernels = Path(str(offline["kernels"]))
            if stage.startswith("registering"):  # signalled once the spec is written
                end = time.monotonic() + 30
                while not (kernels / "course" / "kernel.json").exists():
                    assert time.monotonic() < end, "the fake ipykernel wrote no spec"
                    time.sleep(0.05)
            proc.send_signal(signum)
            _, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == code, err
        assert "Traceback" not in err and "removed the unfinished environment" in err, err
        assert not prefix.exists(), list(prefix.iterdir())
        assert not (kernels / "course").exists(), err
        assert not lock_path(prefix).exists()
        assert kept.read_text() == KEEP


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_concurrent_create_is_refused_and_the_first_finishes(offline: dict[str, object]) -> None:
    """Why, case 3, for real: the second `env create` on the same prefix is refused at once
    (exit 2, the first's pid) and takes nothing of the first's work; the first finishes."""
    root = Path(str(offline["root"]))
    prefix = root / "env"
    first = _start(offline, prefix)
    try:
        _wait_for(first, "installing the locked packages")
        env = {**os.environ, **offline["env"]}  # type: ignore[dict-item]
        with hostile(1, "nothing-lost"):
            second = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "dlcheck", "env", "create", "--setup", "cpu",
                 "--prefix", str(prefix), "--python", sys.executable, "--pip", "--force",
                 "--kernel", "none"],
                capture_output=True, text=True, env=env, timeout=120,
            )  # fmt: skip
            assert_one_line(second.returncode, second.stderr, f"(pid {first.pid})")
        first.send_signal(signal.SIGTERM)  # no need to wait for the fake kernel's sleep
        first.communicate(timeout=120)
        assert first.returncode == 143 and not prefix.exists()
    finally:
        if first.poll() is None:
            first.kill()


# ------------------------------------------------------------------------ 4. kernels ---


def test_kernel_names_and_specs_dlcheck_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why, case 5: `--kernel NAME` overwrote a kernel dlcheck did not make, and a second
    `env create` in another clone repointed `dlcheck-cpu`."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    a, b = tmp_path / "clone-a" / ".venv-cpu", tmp_path / "clone-b" / ".venv-cpu"
    assert kernel_name(None, "cpu", a) != kernel_name(None, "cpu", b)
    assert (kernel_name(None, "cpu", a) or "").startswith("dlcheck-cpu-")
    assert kernel_display_name("cpu", a) != kernel_display_name("cpu", b)
    kernels = tmp_path / "jupyter" / "kernels"
    theirs = kernels / "python3"
    theirs.mkdir(parents=True)
    spec = json.dumps({"argv": ["/usr/bin/python3"], "display_name": "Python 3"})
    (theirs / "kernel.json").write_text(spec)
    with hostile(3, "nothing-lost"):
        for force in (False, True):
            with pytest.raises(CreateError, match="dlcheck did not write it; dlcheck never"):
                check_kernel("python3", a, force)
        ours = kernels / "course"
        ours.mkdir()
        meta = {"dlcheck": {"prefix": os.path.realpath(b), "token": "T", "setup": "cpu"}}
        (ours / "kernel.json").write_text(json.dumps({"argv": [], "metadata": meta}))
        with pytest.raises(CreateError, match="belongs to the environment .*pass --force"):
            check_kernel("course", a, False)
    assert check_kernel("course", a, True) == ours  # --force: pointed here
    assert check_kernel("course", b, False) == ours  # its own environment: rebuilt
    assert (theirs / "kernel.json").read_text() == spec


@pytest.mark.slow
@pytest.mark.e2e
def test_kernel_carries_metadata_and_a_failed_create_removes_it(
    offline: dict[str, object], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(str(offline["root"]))
    kernels = Path(str(offline["kernels"]))
    prefix = root / "env"
    assert create(_opts(prefix, kernel=None)) == 0
    name = kernel_name(None, "cpu", prefix)
    data = json.loads((kernels / str(name) / "kernel.json").read_text())
    assert data["metadata"]["dlcheck"]["prefix"] == os.path.realpath(prefix)
    assert data["metadata"]["debugger"] is True  # ipykernel's own metadata kept
    out = capsys.readouterr().out
    assert f'Jupyter kernel: "{kernel_display_name("cpu", prefix)}" ({name})' in out
    assert data["display_name"] == kernel_display_name("cpu", prefix)

    class Mismatch:
        matches = False

        def summary(self) -> str:
            return "MISMATCH: tinypkg differs"

    monkeypatch.setattr(create_mod, "_verify", lambda *a: Mismatch())
    other = root / "other"
    with hostile(1, "nothing-lost"), pytest.raises(CreateError) as exc:
        create(_opts(other, kernel="course-x"))
    assert "removed the unfinished environment" in str(exc.value)
    assert not (kernels / "course-x").exists() and not other.exists()
    assert (kernels / str(name) / "kernel.json").exists()  # the first one's kernel stays


# ---------------------------------------------------------- 5. every input is an input ---


def _bench_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two saved `bench` results (the writer's own JSON, as tests/test_bench_compare.py)."""
    from test_bench_compare import two_files

    folder = tmp_path / "bench"
    folder.mkdir(exist_ok=True)
    return two_files(folder)


def test_bench_file_beside_a_from_report_is_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why, case 6: `check --from me.json --json -o me.bench.json` overwrote the bench result
    it had just read beside me.json."""
    me = tmp_path / "me.json"
    shutil.copy(DATA / "reports" / "fresh-linux-laptop.check.json", me)
    bench = tmp_path / "me.bench.json"
    shutil.copy(_bench_pair(tmp_path)[0], bench)
    before = bench.read_bytes()
    with hostile(1, "nothing-lost"):
        code, _, err = cli(capsys, "check", "--from", str(me), "--json", "-o", str(bench))
        assert_one_line(code, err, "me.bench.json", "one of this command's inputs")
    assert bench.read_bytes() == before


def test_plot_over_an_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Why, case 6: `bench compare a.json b.json --plot a.json` replaced a.json with a PNG."""
    pytest.importorskip("matplotlib")
    a, b = _bench_pair(tmp_path)
    before = a.read_bytes()
    with hostile(2, "nothing-lost"):
        code, _, err = cli(capsys, "bench", "compare", str(a), str(b), "--plot", str(a))
        assert_one_line(code, err, a.name, "one of this command's inputs")
        out = tmp_path / "out.md"
        code, _, err = cli(
            capsys, "bench", "compare", str(a), str(b), "--markdown", "-o", str(out),
            "--plot", str(out),
        )  # fmt: skip
        assert_one_line(code, err, "one of this command's inputs")
    assert a.read_bytes() == before


def test_plot_is_written_atomically(tmp_path: Path) -> None:
    """``write_with``: a plot that fails half way leaves the old file, and no temporary."""
    from dlcheck.errors import UserError
    from dlcheck.output import write_with

    target = tmp_path / "chart.png"
    target.write_bytes(b"old chart")

    def broken(tmp: str) -> None:
        Path(tmp).write_bytes(b"half a")
        raise OSError(28, "No space left on device")

    with hostile(1, "nothing-lost"), pytest.raises(UserError, match="No space left"):
        write_with(str(target), broken, (), ".png")
    assert target.read_bytes() == b"old chart"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.png"]
    seen: list[str] = []
    write_with(str(target), lambda t: (seen.append(t), Path(t).write_bytes(b"new"))[-1], (), ".png")
    assert target.read_bytes() == b"new" and seen[0].endswith(".png")


# ----------------------------------------------------- 6. environments made by any tool ---

CFGS = {
    "venv-3.11.cfg": "3.11.7",
    "uv-0.13.cfg": "3.11.7",
    "virtualenv-21.cfg": "3.11.7",
    "poetry-1.8.cfg": "3.12.0",
    "pipenv-2024.cfg": "3.12.3",
    "conda-python-venv.cfg": "3.12.7",
    "windows-venv.cfg": "3.12.1",
}


@pytest.mark.parametrize(("name", "version"), sorted(CFGS.items()))
def test_pyvenv_cfg_of_every_tool(name: str, version: str) -> None:
    text = (DATA / "env" / "pyvenv" / name).read_bytes().decode()
    assert pyvenv_version(parse_pyvenv_cfg(text)) == version


def test_malformed_versions_are_never_used() -> None:
    from dlcheck.envs.verify import marker_environment

    assert normal_version("3.12.0.final.0") == "3.12.0"
    assert normal_version("3.13.0rc1") == "3.13.0"
    for bad in ("", "final", "three.twelve", None, ".3.12"):
        assert normal_version(bad) is None
        assert marker_environment(bad) is None
    env = marker_environment("3.12.0.final.0")
    assert env == {"python_version": "3.12", "python_full_version": "3.12.0"}


def _fake_env(prefix: Path, cfg: str, dists: dict[str, str]) -> Path:
    site = prefix / "lib" / "python3.12" / "site-packages"
    site.mkdir(parents=True)
    shutil.copy(DATA / "env" / "pyvenv" / cfg, prefix / "pyvenv.cfg")
    for name, version in dists.items():
        (site / f"{name}-{version}.dist-info").mkdir()
    return prefix


def test_verify_a_poetry_environment_judges_every_marker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why, case 7: `env verify --prefix` of a virtualenv/poetry/pipenv environment
    (version_info = 3.12.0.final.0) judged every Python marker false, checked fewer packages
    and said MATCH with numpy at the wrong version."""
    prefix = _fake_env(tmp_path / "poetry-env", "poetry-1.8.cfg", {"numpy": "1.26.4", "six": "1"})
    lock = tmp_path / "pylock.txt"
    lock.write_text(
        f"# dlcheck-lock: setup=cpu platform={SUBDIR} python=3.12\n"
        'numpy==2.1.3 ; python_full_version >= "3.10"\n'
        'six==1 ; python_version >= "3.8"\n'
    )
    assert scan_environment(prefix).python_version == "3.12.0"
    with hostile(1):
        code, out, err = cli(
            capsys, "env", "verify", "--lock", str(lock), "--prefix", str(prefix), "--json"
        )
    data = json.loads(out)
    assert code == 1 and data["verdict"] != "MATCH", (err, data)
    assert data["counts"]["checked"] == 2
    assert [d["name"] for d in data["different"]] == ["numpy"]


def test_unknown_version_asks_the_environments_interpreter(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = final\n")
    (prefix / "bin" / "python").symlink_to(sys.executable)
    running = ".".join(map(str, sys.version_info[:3]))
    assert scan_environment(prefix).python_version == running
    (prefix / "bin" / "python").unlink()  # nothing to ask: unknown, never a guess
    assert scan_environment(prefix).python_version is None


# ----------------------------------------------------- 7. anonymise values, not keys ---


@pytest.mark.parametrize("user", ["cpu", "python", "gpu", "disk"])
def test_anonymize_a_user_named_like_a_key(user: str, recorded_machine) -> None:  # noqa: ANN001
    """Why, case 8: --anonymize when the user is named cpu (python, gpu, disk) renamed the
    facts' keys: "unknown model", NOT VERIFIED."""
    from dlcheck.anonymize import anonymize_facts
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile
    from dlcheck.records import to_dict
    from dlcheck.report import judge

    facts = recorded_machine("fresh-linux-laptop")
    with hostile(1):
        anon = anonymize_facts(facts, user=user, home=f"/home/{user}", host="lab-pc-0042")

        def keys(d: object, out: set[str]) -> set[str]:
            if isinstance(d, dict):
                for k, v in d.items():
                    out.add(k)
                    keys(v, out)
            elif isinstance(d, list):
                for v in d:
                    keys(v, out)
            return out

        assert keys(to_dict(anon), set()) == keys(to_dict(facts), set())
        profile, places = load_profile(None), load_places(None)
        before = judge(facts, profile, places, False, None)
        after = judge(anon, profile, places, True, None)
        assert after.verdict == before.verdict
        assert [f.verdict for f in after.findings] == [f.verdict for f in before.findings]


def _machine_names(monkeypatch: pytest.MonkeyPatch, home: Path) -> dict[str, str]:
    import socket

    names = {"host": "lab-pc-0042", "user": "ada-lovelace", "home": str(home)}
    monkeypatch.setattr(socket, "gethostname", lambda: names["host"])
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, names["user"])
    monkeypatch.setenv("HOME", str(home))
    return names


def _leaks(text: str, names: dict[str, str]) -> list[str]:
    return [k for k, v in names.items() if v in text]


def test_anonymize_every_format_of_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why, case 9: `env verify` and `bench` had no --anonymize. Each command that writes
    machine data, in each of its formats, run with the host, user and home planted: none of
    them appears. (`bench` itself needs TensorFlow: its result record is anonymised by the
    same call the command makes, on a recorded result.)"""
    home = tmp_path / "home" / "ada-lovelace"
    names = _machine_names(monkeypatch, home)
    prefix = _fake_env(home / "course" / ".venv", "venv-3.11.cfg", {"numpy": "1.0"})
    lock = home / "my locks" / "pylock.txt"
    lock.parent.mkdir()
    lock.write_text(f"# dlcheck-lock: setup=cpu platform={SUBDIR} python=3.12\nnumpy==2.1.3\n")
    report = json.loads((DATA / "reports" / "fresh-linux-laptop.check.json").read_text())
    report["facts"]["platform"]["hostname"] = names["host"]
    report["facts"]["python"]["executable"] = f"{home}/course/.venv/bin/python"
    me = tmp_path / "me.json"
    me.write_text(json.dumps(report))
    a, b = _bench_pair(tmp_path)
    for dst in (a, b):
        data = json.loads(dst.read_text())
        data["hostname"] = names["host"]
        data["source"] = f"{home}/results/{dst.name}"
        dst.write_text(json.dumps(data))
    runs = [
        *[("check", "--from", str(me), "--anonymize", "--format", f) for f in ("json", "text",
          "markdown", "csv")],
        *[("env", "verify", "--lock", str(lock), "--prefix", str(prefix), "--anonymize",
           "--format", f) for f in ("json", "text", "markdown")],
        *[("env", "recommend", "--from", str(me), "--anonymize", "--format", f)
          for f in ("json", "text", "markdown")],
        *[("bench", "compare", str(a), str(b), "--anonymize", "--format", f)
          for f in ("text", "markdown", "csv")],
    ]  # fmt: skip
    for args in runs:
        with hostile(1):
            code, out, err = cli(capsys, *args)
            assert code in (0, 1, 3), (args, err)
            assert out.strip() and not _leaks(out + err, names), (args, _leaks(out, names))
    # the control: without --anonymize the names are there, so the greps above can fail
    code, out, _ = cli(capsys, "env", "verify", "--lock", str(lock), "--prefix", str(prefix))
    assert "home" in _leaks(out, names)
    from dlcheck.anonymize import anonymize_record
    from dlcheck.bench.results import load_result

    result = anonymize_record(load_result(a))
    assert not _leaks(result.to_json(), names) and names["host"] in a.read_text()


def test_every_command_that_writes_machine_data_has_anonymize() -> None:
    from click.testing import CliRunner

    from dlcheck.cli import cli as root

    for args in (["check"], ["env", "verify"], ["env", "recommend"], ["bench"],
                 ["bench", "compare"], ["report"]):  # fmt: skip
        out = CliRunner().invoke(root, [*args, "--help"]).output
        assert "--anonymize" in out, args


# ------------------------------------------------------------------ 8. paste-able ---


def test_printed_commands_are_quoted_for_the_shell() -> None:
    """Why, case 10: "Activate it: source .../my env/bin/activate" and `-r my
    locks/pylock.txt` were printed unquoted."""
    from dlcheck.shellquote import activate_command, quote

    with hostile(4):
        cmd = activate_command("/home/jane/my env", windows=False)
        assert shlex.split(cmd) == ["source", "/home/jane/my env/bin/activate"]
        win = activate_command("C:\\Users\\Jane Doe\\course env", windows=True)
        assert '"C:\\Users\\Jane Doe\\course env\\Scripts\\activate.bat"' in win
        assert '& "C:\\Users\\Jane Doe\\course env\\Scripts\\Activate.ps1"' in win
        assert quote("C:\\Users\\$pecial", windows=True) == "'C:\\Users\\$pecial'"
        assert quote("plain", windows=True) == "plain"


def test_verify_repair_command_is_quoted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = _fake_env(tmp_path / "my env", "venv-3.11.cfg", {"numpy": "1.0"})
    lock = tmp_path / "my locks" / "pylock.txt"
    lock.parent.mkdir()
    lock.write_text(f"# dlcheck-lock: setup=cpu platform={SUBDIR} python=3.12\nnumpy==2.1.3\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "env", "verify", "--lock", str(lock), "--prefix", str(prefix))
    line = next(ln.strip() for ln in out.splitlines() if "--require-hashes -r" in ln)
    assert shlex.split(line)[-1] == os.path.join("my locks", "pylock.txt"), line


def test_missing_ensurepip_names_the_os_package(tmp_path: Path) -> None:
    """Why, case 11: a Python without ensurepip (Ubuntu without python3.X-venv) got
    "Failing command: .../bin/python3"."""
    fake = tmp_path / "python3.12"
    fake.write_text(
        "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'ensurepip'\" >&2\nexit 1\n"
    )
    fake.chmod(0o755)
    found = create_mod.PythonFound(str(fake), "3.12.3", "given with --python")
    with hostile(1), pytest.raises(CreateError) as exc:
        venv_missing(found)
    msg = str(exc.value)
    assert "no ensurepip module" in msg and ("python3.12-venv" in msg or "python.org" in msg)
    venv_missing(create_mod.PythonFound(sys.executable, HERE, "the running Python"))


# ----------------------------------------------------------- 9. bounded everything ---


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_keras_json_that_blocks_never_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why, case 12: a keras.json that blocks (a FIFO; a hung network home) hung plain
    `dlcheck check`: read outside the probe's time limit, not through the safe reader."""
    from dlcheck.frameworks import probe

    keras = tmp_path / ".keras"
    keras.mkdir()
    os.mkfifo(keras / "keras.json")
    with hostile(2):
        t0 = time.monotonic()
        backend, source = probe.keras_backend({}, home=tmp_path, timeout=2)
        assert time.monotonic() - t0 < 2 and "named pipe" in source and backend == "tensorflow"

        def hang(*a: object, **k: object) -> str:
            time.sleep(30)
            return ""

        monkeypatch.setattr("dlcheck.userfiles.read_text", hang)
        (keras / "keras.json").unlink()
        (keras / "keras.json").write_text('{"backend": "jax"}')
        t0 = time.monotonic()
        backend, source = probe.keras_backend({}, home=tmp_path, timeout=0.5)
        assert time.monotonic() - t0 < 3 and "no answer within 0.5 s" in source
    monkeypatch.undo()
    assert probe.keras_backend({}, home=tmp_path) == ("jax", str(keras / "keras.json"))


@pytest.mark.slow
def test_report_over_a_folder_tree_1100_deep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Why, case 13: `report` over a folder tree 1,100 deep ended in a RecursionError."""
    shutil.copy(DATA / "reports" / "fresh-linux-laptop.check.json", tmp_path / "top.json")
    fd = os.open(tmp_path, os.O_RDONLY)
    try:  # a relative walk: the deep path is longer than a path the kernel accepts at once
        for _ in range(1100):
            os.mkdir("d", dir_fd=fd)
            new = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = new
    finally:
        os.close(fd)
    with hostile(1):
        code, out, err = cli(capsys, "report", str(tmp_path), "--format", "json")
        assert code in (0, 1), err
        assert "Traceback" not in err and "RecursionError" not in out + err
        data = json.loads(out)
        assert data["summary"]["machines"] == 1
        assert any("folders deep" in s["reason"] for s in data["skipped"]), data["skipped"]
    # and dlcheck's own removal goes as deep (shutil.rmtree recurses: a RecursionError here)
    from dlcheck.removal import _rmtree

    assert _rmtree(tmp_path / "d") == [] and not (tmp_path / "d").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_marker_that_is_a_fifo_or_a_device_never_hangs(tmp_path: Path) -> None:
    """The marker and the lock file of `env create` are read by the safe reader too."""
    from dlcheck.envs.installed import read_marker

    with hostile(3, "nothing-lost"):
        os.mkfifo(tmp_path / MARKER)
        assert read_marker(tmp_path) == {"state": "unreadable"}
        with pytest.raises(CreateError, match="cannot prove"):
            check_prefix_of(tmp_path)
        (tmp_path / MARKER).unlink()
        (tmp_path / MARKER).symlink_to("/dev/zero")
        assert read_marker(tmp_path) == {"state": "unreadable"}
        os.mkfifo(lock_path(tmp_path / "env"))
        with pytest.raises(CreateError, match="a lock file dlcheck did not write"):
            acquire_lock(tmp_path / "env")


def check_prefix_of(prefix: Path) -> str:
    from dlcheck.envs.create import check_prefix

    (prefix / "pyvenv.cfg").write_text("version = 3.12.1\n")
    return check_prefix(prefix, True, "h", "cpu")
