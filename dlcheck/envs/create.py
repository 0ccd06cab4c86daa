"""`dlcheck env create`: make the course environment this machine should have, from the lock
that matches it, in one command.

Steps: pick the setup (as `env recommend` does, or --setup), find a Python the lock is made
for, create a venv, install the lock with hashes (uv when present, else pip), install dlcheck
itself (--no-deps), register a named Jupyter kernel, verify the result against the lock and
give the one command that activates it.

An environment being made carries a marker file (MARKER) that says "incomplete" until the last
step has passed; `env verify` reports such an environment as INCOMPLETE, never as a match.
The marker names the folder (its real path, device and inode) and a token that the
environment's pyvenv.cfg carries too: the proof `dlcheck.removal` needs before it removes
anything (a copy of a marker, or a saved `env verify` result of that name, is no proof).
One run per prefix (a lock file beside it with the holder's pid). A failure, Ctrl-C, SIGTERM
or SIGHUP removes what this run created, its Jupyter kernel included. Every fault is one
line: exit 2 (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP).

Build, then render: ``plan_create`` decides what can be decided before anything is touched
(setup, lock, folder, kernel; then, holding the prefix, the Python, the installer, the free
space) and ``carry_out`` does it, one ``Step`` (a command, a timeout) after another. Neither
prints: they tell a view what happens in event records (``PythonChosen`` ... ``Finished``,
``Stopped``), which ``dlcheck.envs.render.CreateView`` prints. What differs between Windows,
macOS and the other POSIX systems is one record, ``OS``, chosen once at import.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import typing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Union

from dlcheck import removal
from dlcheck.envs.installed import MARKER, read_marker
from dlcheck.errors import UserError
from dlcheck.removal import Made, Refused
from dlcheck.sanitize import clean
from dlcheck.shellquote import activate_command as _activate
from dlcheck.subprocesses import kill_group, start_process

MARKER_SCHEMA = "dlcheck.env-create"
PROBE_TIMEOUT = 20.0
VENV_TIMEOUT = 300.0
INSTALL_TIMEOUT = 3600.0
KERNEL_TIMEOUT = 120.0
# Asked of every candidate interpreter: what it is, in one JSON line.
_PROBE = (
    "import json, platform, struct, sys; print(json.dumps({"
    "'executable': sys.executable, 'version': '.'.join(map(str, sys.version_info[:3])), "
    "'implementation': sys.implementation.name, 'system': platform.system(), "
    "'machine': platform.machine(), 'bits': struct.calcsize('P') * 8}))"
)


class CreateError(UserError):
    """A fault of `env create`: one line, exit status 2."""

    def __init__(self, problem: str) -> None:
        super().__init__(None, problem)


# ------------------------------------------------------------ the platform, chosen once ---


def _pid_alive_posix(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _pid_alive_windows(pid: int) -> bool:
    import ctypes  # os.kill(pid, 0) would terminate it there

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return False
    try:
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _kernels_xdg(env: dict[str, str], home: Path) -> Path:
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "jupyter" / "kernels"


def _kernels_macos(env: dict[str, str], home: Path) -> Path:
    return home / "Library" / "Jupyter" / "kernels"


def _kernels_windows(env: dict[str, str], home: Path) -> Path:
    return Path(env.get("APPDATA") or home / "AppData" / "Roaming") / "jupyter" / "kernels"


@dataclass(frozen=True)
class Platform:
    """What `env create` does differently on Windows, macOS and the other POSIX systems."""

    venv_python: str  # the interpreter of a venv, relative to its folder
    base_python: str  # the interpreter of a pyenv version or a conda base, relative to it
    exe: str  # the suffix of a program file
    py_launcher: bool  # Python's py launcher (py -3.X) may start a Python
    kernels: Callable[[dict[str, str], Path], Path]  # Jupyter's user kernels (env, home)
    pid_alive: Callable[[int], bool]  # does this process still run?


POSIX = Platform("bin/python", "bin/python3", "", False, _kernels_xdg, _pid_alive_posix)
MACOS = Platform("bin/python", "bin/python3", "", False, _kernels_macos, _pid_alive_posix)
WINDOWS = Platform(
    "Scripts/python.exe", "python.exe", ".exe", True, _kernels_windows, _pid_alive_windows
)
# The one platform switch of this module (psutil's pattern): plain calls on OS from here on.
OS = WINDOWS if os.name == "nt" else MACOS if sys.platform == "darwin" else POSIX


# ------------------------------------------------------------------------ the marker ---


def _write_marker(prefix: Path, data: dict[str, Any]) -> None:
    removal.write_json_atomic(prefix / MARKER, data)


class Interrupted(BaseException):
    """A signal stopped the run (SIGTERM, SIGHUP); ``code`` is the exit status."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.code = 128 + signum
        self.name = {15: "terminated (SIGTERM)", 1: "hung up (SIGHUP)"}.get(signum, "stopped")


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


class _Signals:
    """SIGTERM and SIGHUP raise Interrupted while a create runs (SIGINT: KeyboardInterrupt);
    ``quiet()`` ignores all three while the cleanup runs, so it is never cut short."""

    NAMES = ("SIGTERM", "SIGHUP")

    def __init__(self) -> None:
        self.saved: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        for name in self.NAMES:
            num = getattr(signal, name, None)
            if num is None:
                continue
            try:
                self.saved[num] = signal.signal(num, _raise_interrupted)
            except (ValueError, OSError):  # not the main thread
                pass
        return self

    def quiet(self) -> None:
        for name in ("SIGINT", *self.NAMES):
            num = getattr(signal, name, None)
            if num is not None:
                try:
                    self.saved.setdefault(num, signal.getsignal(num))
                    signal.signal(num, signal.SIG_IGN)
                except (ValueError, OSError):
                    pass

    def __exit__(self, *exc: object) -> None:
        for num, handler in self.saved.items():
            try:
                signal.signal(num, handler if handler is not None else signal.SIG_DFL)
            except (ValueError, OSError):
                pass


# ------------------------------------------------------------------ one run per prefix ---

LOCK_HEAD = "dlcheck env create lock\n"


def lock_path(prefix: Path) -> Path:
    return prefix.parent / f".{prefix.name}.dlcheck-create.lock"


def _pid_alive(pid: int) -> bool:
    return pid > 0 and OS.pid_alive(pid)


def acquire_lock(prefix: Path) -> Path:
    """The lock file of ``prefix`` (O_EXCL, holding this pid); CreateError when another
    dlcheck that still runs holds it. A lock whose holder is gone is taken over."""
    path = lock_path(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        try:
            fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            from dlcheck.userfiles import read_text

            try:
                text = read_text(path, 4096)
                pid = int(text.split("pid ")[-1].split()[0]) if "pid " in text else 0
            except (UserError, ValueError, IndexError):
                pid = 0
            if pid and _pid_alive(pid) and pid != os.getpid():
                raise CreateError(
                    f"{prefix}: another dlcheck is creating this environment (pid {pid}); "
                    f"wait for it, or stop it (its lock: {path})"
                ) from None
            if not removal.remove_file(path, LOCK_HEAD):  # its holder is gone: a stale lock
                raise CreateError(f"{path}: a lock file dlcheck did not write; remove it") from None
            continue
        except OSError as exc:
            raise CreateError(f"{path}: cannot make the lock file: {exc.strerror or exc}") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"{LOCK_HEAD}pid {os.getpid()}\n")
        return path
    raise CreateError(f"{path}: the lock file keeps changing; another dlcheck is running")


# ------------------------------------------------------------------- finding Python ---


@dataclass(frozen=True)
class PythonFound:
    executable: str
    version: str  # 3.X.Y
    how: str  # "the running Python", "py -3.12", "python3.12 on PATH", "pyenv", "conda"

    @property
    def short(self) -> str:
        return ".".join(self.version.split(".")[:2])


def _ask_python(
    command: Sequence[str], code: str, timeout: float
) -> subprocess.CompletedProcess[str] | None:
    """``command -c code`` (a registered child: dlcheck.subprocesses), its output captured;
    None when it cannot start or hangs (then it is killed with what it started)."""
    args = [*command, "-c", code]
    try:
        proc = start_process(args)
    except (OSError, ValueError):
        return None
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        proc.wait()
        return None
    return subprocess.CompletedProcess(args, proc.returncode, out or "", err or "")


def probe_python(command: Sequence[str], timeout: float = PROBE_TIMEOUT) -> dict[str, Any] | None:
    """Run ``command -c PROBE``; its answer, or None when it is not a working Python."""
    proc = _ask_python(command, _PROBE, timeout)
    if proc is None or proc.returncode != 0:
        return None
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return data if isinstance(data, dict) else None


def _subdir_of(info: dict[str, Any]) -> str | None:
    from dlcheck.envs.setups import conda_subdir
    from dlcheck.probes.system import normalise_arch

    return conda_subdir(info.get("system"), normalise_arch(str(info.get("machine") or "")))


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".") if x.isdigit())


def python_candidates(
    versions: Sequence[str], env: dict[str, str] | None = None
) -> Iterable[tuple[list[str], str]]:
    """Commands that may start a Python of ``versions`` (3.X, in order of preference), with
    how each was found: py launcher (Windows), python3.X on PATH, pyenv, conda."""
    env = dict(os.environ if env is None else env)
    path = env.get("PATH")
    for v in versions:
        if OS.py_launcher and shutil.which("py", path=path):
            yield [str(shutil.which("py", path=path)), f"-{v}"], f"py -{v}"
        exe = shutil.which(f"python{v}", path=path)
        if exe:
            yield [exe], f"python{v} on PATH"
        root = Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
        if root.is_dir():
            found = sorted(
                (p for p in root.glob(f"{v}.*") if p.name.replace(".", "").isdigit()),
                key=lambda p: _version_key(p.name),
                reverse=True,
            )
            for p in found:
                bin_ = p / OS.base_python
                if bin_.exists():
                    yield [str(bin_)], f"pyenv {p.name}"
    bases: list[Path] = []
    if env.get("CONDA_PREFIX"):
        bases.append(Path(env["CONDA_PREFIX"]))
    if env.get("CONDA_EXE"):
        bases.append(Path(env["CONDA_EXE"]).resolve().parents[1])
    for base in bases:
        exe_path = base / OS.base_python
        if exe_path.exists():
            yield [str(exe_path)], f"conda ({base})"


def find_python(
    allowed: Sequence[str],
    preferred: str,
    subdir: str,
    given: str | None = None,
    candidates: Callable[[Sequence[str]], Iterable[tuple[list[str], str]]] = python_candidates,
    probe: Callable[[Sequence[str]], dict[str, Any] | None] = probe_python,
) -> PythonFound:
    """A CPython of one of ``allowed`` (3.X) built for ``subdir``: ``given``, else the running
    Python, else the first candidate found. CreateError when there is none."""

    def fits(info: dict[str, Any] | None) -> str | None:
        if info is None:
            return "it does not run"
        short = ".".join(str(info.get("version", "")).split(".")[:2])
        if info.get("implementation") != "cpython":
            return f"it is {clean(info.get('implementation'), 40)}, not CPython"
        if short not in allowed:
            return f"it is Python {short}; the lock is for {', '.join(allowed)}"
        if _subdir_of(info) != subdir:
            return f"it is built for {_subdir_of(info) or 'another platform'}, not {subdir}"
        return None

    if given:
        info = probe([given])
        why = fits(info)
        if why:
            raise CreateError(f"--python {clean(given, 200)}: cannot use it: {why}")
        assert info is not None
        return PythonFound(str(info["executable"]), str(info["version"]), "given with --python")
    running = {
        "executable": sys.executable,
        "version": ".".join(map(str, sys.version_info[:3])),
        "implementation": sys.implementation.name,
        "system": __import__("platform").system(),
        "machine": __import__("platform").machine(),
    }
    if fits(running) is None:
        return PythonFound(sys.executable, str(running["version"]), "the running Python")
    order = [preferred, *sorted((v for v in allowed if v != preferred), key=_version_key)[::-1]]
    seen: set[str] = set()
    for command, how in candidates([v for v in order if v in allowed]):
        info = probe(command)
        if info is None or fits(info) is not None:
            continue
        exe = str(info["executable"])
        if exe in seen:
            continue
        seen.add(exe)
        return PythonFound(exe, str(info["version"]), how)
    where = "py launcher, " if OS.py_launcher else ""
    raise CreateError(
        f"no Python {' or '.join(allowed)} for {subdir} found (the running one, {where}"
        f"python3.X on PATH, pyenv, conda): install Python {preferred} from python.org, "
        "or pass --python PATH"
    )


# ------------------------------------------------------------ what a run tells its view ---
# Event records, in the order a run gives them; dlcheck.envs.render.CreateView prints them.


@dataclass(frozen=True)
class PythonChosen:
    python: PythonFound


@dataclass(frozen=True)
class Starting:
    setup: str
    prefix: Path
    lock: Path
    installer: str


@dataclass(frozen=True)
class StepStarted:
    what: str


@dataclass(frozen=True)
class StepOutput:
    line: str  # the step's latest line of output, stripped


@dataclass(frozen=True)
class SelfInstallFailed:
    """dlcheck itself did not install: the environment is complete without it."""

    what: str
    error: str


@dataclass(frozen=True)
class StepsOver:
    """No step runs any more (finished, failed or stopped): a live status line ends."""


@dataclass(frozen=True)
class AlreadyMade:
    setup: str
    prefix: Path
    lock_name: str
    activate: str


@dataclass(frozen=True)
class Finished:
    summary: str  # env verify's one line
    lock_name: str
    kernel: str | None
    kernel_display: str | None
    activate: str


@dataclass(frozen=True)
class Stopped:
    """A signal stopped the run (Ctrl-C, SIGTERM, SIGHUP): why, and what the cleanup did."""

    why: str
    cleanup: str


Event = Union[
    PythonChosen,
    Starting,
    StepStarted,
    StepOutput,
    SelfInstallFailed,
    StepsOver,
    AlreadyMade,
    Finished,
    Stopped,
]
# The view: given every event of a run, in order (a CreateView, or list.append to keep them).
# typing's Callable: collections.abc.Callable[...] needs Python 3.9 outside annotations.
Emit = typing.Callable[[Event], None]


# ---------------------------------------------------------------- running the steps ---


@dataclass(frozen=True)
class Step:
    """One command of the plan: what it does (as the view says it), the command, its limit."""

    what: str
    cmd: list[str]
    timeout: float


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held (POSIX) while the block runs; delivered after it. (A
    step started inside inherits the mask; it runs in a session of its own, never gets the
    terminal's Ctrl-C, and is stopped by SIGKILL from ``kill_group``.)"""
    held = {signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def run_step(
    cmd: Sequence[str],
    on_line: Callable[[str], None],
    timeout: float,
    env: dict[str, str] | None = None,
    log: IO[str] | None = None,
) -> tuple[int, list[str]]:
    """Run one step; give each line it prints to ``on_line`` (stripped, blank lines left
    out) and ``log``; return the exit status and its last lines. A step past ``timeout`` is
    killed (status -9)."""
    tail: deque[str] = deque(maxlen=200)
    timed_out = threading.Event()
    proc = None
    timer = None
    try:
        # A signal that lands while the step starts is held until `proc` is known, so that the
        # cleanup below always stops it (else it goes on writing into a removed prefix).
        with _signals_held():
            proc = start_process(cmd, env=env, merge_stderr=True, own_group=True)

        def _kill() -> None:
            timed_out.set()
            kill_group(proc)

        timer = threading.Timer(timeout, _kill)
        timer.daemon = True
        timer.start()
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            if log is not None:
                log.write(line + "\n")
            if line.strip():
                on_line(line.strip())
        rc = proc.wait()
    except BaseException:  # a signal or Ctrl-C: the step and all it started stop before cleanup
        if proc is not None:
            kill_group(proc)
            proc.wait()
        raise
    finally:
        if timer is not None:
            timer.cancel()
    if timed_out.is_set():
        tail.append(f"ERROR: no result after {timeout:g} s")
        return -9, list(tail)
    return rc, list(tail)


def error_line(lines: Sequence[str], default: str) -> str:
    """The line of an installer's output that says what went wrong, cleaned."""
    for prefix in ("ERROR:", "error:", "  × ", "× "):
        hits = [ln for ln in lines if ln.lstrip().startswith(prefix.strip())]
        if hits:
            return clean(hits[-1].strip(), 300)
    rest = [ln for ln in lines if ln.strip()]
    return clean(rest[-1].strip(), 300) if rest else default


def find_uv() -> str | None:
    """uv on PATH or next to the running Python."""
    uv = shutil.which("uv")
    if uv:
        return uv
    candidate = Path(sys.executable).with_name("uv" + OS.exe)
    return str(candidate) if candidate.exists() else None


def env_python(prefix: Path) -> Path:
    return prefix / OS.venv_python


def activate_command(prefix: Path) -> str:
    """The command that activates the environment, quoted for the user's shell."""
    return _activate(prefix)


def dlcheck_source() -> tuple[list[str], str]:
    """What to install dlcheck itself from: the checkout this runs from, else the wheel file
    this dlcheck was installed from (PEP 610 direct_url.json) if it is still there, else the
    same version from PyPI."""
    from dlcheck.version import __version__

    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "dlcheck" / "__init__.py").is_file():
        return [str(root)], f"this checkout ({root})"
    try:
        from importlib.metadata import distribution
        from urllib.parse import unquote, urlparse
        from urllib.request import url2pathname

        raw = distribution("dlcheck").read_text("direct_url.json") or ""
        url = urlparse(str(json.loads(raw).get("url", ""))) if raw else None
        if url is not None and url.scheme == "file":
            local = Path(url2pathname(unquote(url.path)))
            if local.exists():
                return [str(local)], f"the file it was installed from ({local})"
    except (OSError, ValueError, ImportError, AttributeError):
        pass
    return [f"dlcheck=={__version__}"], f"PyPI (dlcheck {__version__})"


def sha256_of(path: Path) -> str:
    from dlcheck.userfiles import read_bytes

    return hashlib.sha256(read_bytes(path)).hexdigest()


def _is_environment(path: Path) -> bool:
    return (path / "pyvenv.cfg").is_file() or (path / "conda-meta").is_dir()


def check_prefix(prefix: Path, force: bool, lock_sha: str, setup: str) -> str:
    """What to do with ``prefix``: "new" (absent), "fill" (an empty folder: kept, its contents
    ours), "rebuild" or "done". CreateError when it exists and must not be touched: dlcheck
    rebuilds only an environment it can prove it made (dlcheck.removal), --force or not."""
    if os.path.islink(prefix):
        raise CreateError(
            f"{prefix}: is a symbolic link; give the folder it points to "
            f"({clean(os.path.realpath(prefix), 200)}) or another --prefix"
        )
    if not prefix.exists():
        return "new"
    if not prefix.is_dir():
        raise CreateError(f"{prefix}: exists and is not a folder; choose another --prefix")
    try:
        if not any(prefix.iterdir()):
            return "fill"
    except OSError as exc:
        raise CreateError(f"{prefix}: cannot be read: {exc.strerror or exc}") from None
    marker = read_marker(prefix)
    if marker is None:
        if _is_environment(prefix):
            raise CreateError(
                f"{prefix}: an environment not made by `dlcheck env create`; dlcheck never "
                "removes it (--force included): choose another --prefix"
            )
        raise CreateError(
            f"{prefix}: exists, is not empty and is not an environment; choose another --prefix"
        )
    done = marker.get("state") == "complete"
    if done and not force:
        if marker.get("setup") != setup or marker.get("lock_sha256") != lock_sha:
            raise CreateError(
                f"{prefix}: made from another lock (setup {clean(marker.get('setup'), 40)}); pass "
                "--force to rebuild it from this one"
            )
        return "done"
    why = removal.proof_of_environment(prefix)
    if why:
        raise CreateError(
            f"{prefix}: has a {MARKER} but dlcheck cannot prove it made this folder ({why}); "
            "nothing removed: choose another --prefix"
        )
    try:
        removal.guard(prefix)
    except Refused as exc:
        raise CreateError(exc.problem if exc.path is None else str(exc)) from None
    return "rebuild"


@dataclass
class CreateOptions:
    setup: str | None = None
    prefix: str | None = None
    python: str | None = None
    kernel: str | None = None
    force: bool = False
    installer: str | None = None  # "uv", "pip" or None (uv when present)
    conda: bool = False


@dataclass
class _Run:
    """What this run made, for the cleanup: the folder (with its proof), the kernel spec."""

    prefix: Path
    token: str
    made: Made | None = None
    keep_folder: bool = False  # the user's empty folder: remove what is inside, keep it
    kernel_dir: Path | None = None  # a kernel spec this run wrote
    kernel_new: bool = False  # no kernel spec of that name existed before this run

    def cleanup(self) -> str:
        """Remove what this run made; the truth about it, in one phrase."""
        said = []
        if self.kernel_dir is not None:
            try:
                new_in = self.prefix if self.kernel_new else None
                out = removal.remove_kernel(self.kernel_dir, self.token, new_in)
                if not out.removed:
                    said.append(out.said("its Jupyter kernel"))
            except Refused as exc:
                said.append(f"left its Jupyter kernel ({exc})")
        if self.made is None and not self.keep_folder:
            return "; ".join([f"nothing of {self.prefix} was made", *said])
        try:
            out = removal.remove_environment(self.prefix, self.made, self.keep_folder)
            said.insert(0, out.said())
        except Refused as exc:
            said.insert(0, f"left the unfinished environment: {exc}")
        return "; ".join(said)


@dataclass
class Plan:
    """What this run will do, decided before anything is touched. The first fields come
    from the options and the setup (``plan_create``); the rest once the run holds the
    prefix's lock (``_prepare``), since they depend on what is in the folder."""

    opts: CreateOptions
    catalog: Any
    subdir: str
    name: str  # the setup
    setup: Any
    lock: Path
    lock_sha: str
    prefix: Path
    kernel: str | None
    state: str = ""  # "new", "fill", "rebuild" or "done" (check_prefix)
    kernel_dir: Path | None = None
    python: PythonFound | None = None  # None: the conda route brings its own
    installer: str = ""  # "uv", "pip" or "conda-lock"


def create(opts: CreateOptions, out: IO[str] | None = None, view: Emit | None = None) -> int:
    """The whole command: plan, then carry it out, every event given to ``view`` (by
    default a ``dlcheck.envs.render.CreateView`` printing to ``out``, standard output);
    returns the exit status (0 made or already made, 130/143/129 stopped by a signal).
    CreateError: a fault, one line, after removing what this run made."""
    if view is None:
        # The default view, imported at run time only (as Report's display hooks).
        from dlcheck.envs.render import CreateView

        view = CreateView(out or sys.stdout)
    plan = plan_create(opts)
    parents = removal.make_parents(plan.prefix)  # a new nested prefix: each folder recorded
    try:
        held = acquire_lock(plan.prefix)
        try:
            return carry_out(plan, view)
        finally:
            removal.remove_file(held, LOCK_HEAD)
    finally:
        removal.remove_parents(parents)  # those left empty by a failure, and only those


def plan_create(opts: CreateOptions) -> Plan:
    """The setup (``--setup`` or the one `env recommend` picks), its lock for this platform,
    the folder and the kernel name. CreateError when any of them cannot be."""
    from dlcheck.envs.setups import (
        current_subdir,
        find_setup_dir,
        load_catalog,
        lock_unavailable_reason,
        pip_lock_name,
    )

    catalog = load_catalog()
    subdir = current_subdir()
    if subdir is None:
        raise CreateError("this platform has no conda name; no lock is made for it")
    name = opts.setup or _recommended_setup(catalog)
    if name not in catalog.setups:
        raise CreateError(f"unknown setup {name!r}; known: {', '.join(sorted(catalog.setups))}")
    setup = catalog.setups[name]
    folder = find_setup_dir(name, catalog)
    if opts.conda:
        lock = folder / "conda-lock.yml"
        _conda_ready(lock)
    else:
        why = lock_unavailable_reason(catalog, setup, subdir, None)
        if why:
            raise CreateError(why)
        lock = folder / pip_lock_name(subdir)
        if not lock.is_file():
            raise CreateError(f"{lock}: the pip lock of setup {name} is missing")
    prefix = Path(opts.prefix or f".venv-{name}").expanduser().absolute()
    kernel = kernel_name(opts.kernel, name, prefix)
    return Plan(opts, catalog, subdir, name, setup, lock, sha256_of(lock), prefix, kernel)


def _prepare(plan: Plan, emit: Emit) -> None:
    """The rest of the plan, while this run holds the prefix: what the folder needs, the
    kernel spec, the Python, the free space and the installer. CreateError when the folder
    or the kernel must not be touched, or no Python, venv module or space is there."""
    opts = plan.opts
    plan.state = check_prefix(plan.prefix, opts.force, plan.lock_sha, plan.name)
    if plan.state == "done":
        return
    plan.kernel_dir = check_kernel(plan.kernel, plan.prefix, opts.force) if plan.kernel else None
    if not opts.conda:
        allowed = plan.setup.pythons_for(plan.subdir, plan.catalog)
        preferred = plan.catalog.python if plan.catalog.python in allowed else allowed[-1]
        plan.python = find_python(allowed, preferred, plan.subdir, opts.python)
        emit(PythonChosen(plan.python))
        venv_missing(plan.python)
    _check_disk(plan.prefix, setup_disk_gib(plan.name))
    plan.installer = _choose_installer(opts.installer) if not opts.conda else "conda-lock"


def carry_out(plan: Plan, emit: Emit) -> int:
    """Prepare, then make the environment; on a failure or a signal remove what this run
    made. Returns the exit status; CreateError (one line) for a fault."""
    _prepare(plan, emit)
    activate = activate_command(plan.prefix)
    if plan.state == "done":
        emit(AlreadyMade(plan.name, plan.prefix, plan.lock.name, activate))
        return 0
    emit(Starting(plan.name, plan.prefix, plan.lock, plan.installer))
    run = _Run(plan.prefix, secrets.token_hex(8), keep_folder=plan.state == "fill")
    with _Signals() as signals:
        try:
            result = _make(plan, run, emit)
        except KeyboardInterrupt:
            return _stopped(signals, emit, "interrupted", run, 130)
        except Interrupted as exc:
            return _stopped(signals, emit, exc.name, run, exc.code)
        except (CreateError, Refused) as exc:
            _quiet(signals, emit)
            raise CreateError(f"{exc}; {run.cleanup()}") from None
        except OSError as exc:
            _quiet(signals, emit)
            what = "no space left on the disk" if exc.errno == 28 else (exc.strerror or str(exc))
            raise CreateError(f"{what} while creating {plan.prefix}; {run.cleanup()}") from None
        except BaseException:  # a bug: the status line ends before its traceback
            emit(StepsOver())
            raise
    emit(StepsOver())
    display = kernel_display_name(plan.name, plan.prefix) if plan.kernel else None
    emit(Finished(result.summary(), plan.lock.name, plan.kernel, display, activate))
    return 0


def _make(plan: Plan, run: _Run, emit: Emit) -> Any:
    """The steps, in order; the verify result of the finished environment."""
    prefix = plan.prefix
    if plan.state == "rebuild":
        emit(StepStarted(f"removing the old environment {prefix}"))
        gone = removal.remove_environment(prefix)
        if not gone.removed:
            raise CreateError(gone.said("the old environment") + "; nothing built")
    started = time.monotonic()
    if plan.opts.conda:
        _build_conda(plan, run, emit)
    else:
        _build_venv(plan, run, emit)
    defaults = _kernel_env(plan.name)
    if defaults:  # KERAS_BACKEND=torch however Python starts here (dlcheck/envs/defaults.py)
        from dlcheck.envs.defaults import write_hook

        names = ", ".join(f"{k}={v}" for k, v in sorted(defaults.items()))
        emit(StepStarted(f"making {names} this environment's default"))
        write_hook(prefix, defaults)
    if plan.kernel:
        run.kernel_dir = plan.kernel_dir
        run.kernel_new = plan.kernel_dir is not None and not os.path.lexists(plan.kernel_dir)
        _register_kernel(emit, prefix, plan.kernel, plan.name, run)
    emit(StepStarted("checking the environment against its lock (dlcheck env verify)"))
    result = _verify(plan.lock, prefix, plan.subdir, plan.name)
    if not result.matches:
        raise CreateError(f"the new environment does not match {plan.lock} ({result.summary()})")
    _write_marker(
        prefix,
        {
            **_marker_base(prefix, run.token, plan.name, plan.lock_sha),
            "state": "complete",
            "lock": str(plan.lock),
            "python": plan.python.version if plan.python else None,
            "installer": plan.installer,
            "kernel": plan.kernel or None,
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(time.monotonic() - started, 1),
        },
    )
    return result


def _quiet(signals: _Signals, emit: Emit) -> None:
    """Before the cleanup: no signal cuts it short, and the status line has ended."""
    signals.quiet()
    emit(StepsOver())


def _stopped(signals: _Signals, emit: Emit, why: str, run: _Run, code: int) -> int:
    _quiet(signals, emit)
    emit(Stopped(why, run.cleanup()))
    return code


def _marker_base(prefix: Path, token: str, name: str, lock_sha: str) -> dict[str, Any]:
    return {
        "schema": MARKER_SCHEMA,
        "setup": name,
        "lock_sha256": lock_sha,
        "prefix": os.path.realpath(prefix),
        "folder": removal.folder_id(prefix),
        "token": token,
    }


# ------------------------------------------------------------------------ kernels ---


def prefix_hash(prefix: Path) -> str:
    """6 hex digits of the prefix's real path: two clones get two kernels."""
    return hashlib.sha256(os.path.realpath(prefix).encode("utf-8", "replace")).hexdigest()[:6]


def kernel_name(given: str | None, setup: str, prefix: Path | None = None) -> str | None:
    """The Jupyter kernel to register: ``given`` ("none" registers none) or
    dlcheck-<setup>-<hash of the prefix>."""
    if given is None:
        return f"dlcheck-{setup}" + (f"-{prefix_hash(prefix)}" if prefix is not None else "")
    if given.lower() == "none":
        return None
    if not given or not all(c.isalnum() or c in "._-" for c in given) or not given.isascii():
        raise CreateError(
            f"--kernel {clean(given, 60)!r}: a kernel name has only letters, digits, '.', '_' "
            "and '-'"
        )
    return given.lower()  # Jupyter lower-cases kernel names


def kernel_display_name(setup: str, prefix: Path) -> str:
    """The name JupyterLab shows in its launcher and kernel menu."""
    return f"Python ({setup}, {prefix.name} {prefix_hash(prefix)})"


def kernels_dir(env: dict[str, str] | None = None) -> Path:
    """Where ``ipykernel install --user`` puts kernel specs (jupyter_core's user data folder)."""
    env = dict(os.environ if env is None else env)
    if env.get("JUPYTER_DATA_DIR"):
        return Path(env["JUPYTER_DATA_DIR"]) / "kernels"
    return OS.kernels(env, Path(env.get("HOME") or Path.home()))


def check_kernel(kernel: str, prefix: Path, force: bool) -> Path:
    """The kernel spec folder to write; CreateError when a kernel of that name exists that
    dlcheck did not write (never overwritten) or that belongs to another environment (only
    with --force)."""
    spec = kernels_dir() / kernel
    if not os.path.lexists(spec):
        return spec
    owner = removal.kernel_owner(spec)
    if owner is None:
        raise CreateError(
            f"Jupyter kernel {kernel!r} ({spec}) exists and dlcheck did not write it; dlcheck "
            "never overwrites it: pass another --kernel NAME (or --kernel none)"
        )
    if owner.get("prefix") != os.path.realpath(prefix) and not force:
        raise CreateError(
            f"Jupyter kernel {kernel!r} belongs to the environment "
            f"{clean(owner.get('prefix'), 200)}; pass --force to point it here, or another "
            "--kernel NAME"
        )
    return spec


def _register_kernel(emit: Emit, prefix: Path, kernel: str, name: str, run: _Run) -> None:
    py = str(env_python(prefix))
    cmd = [py, "-m", "ipykernel", "install", "--user", "--name", kernel]
    cmd += ["--display-name", kernel_display_name(name, prefix)]
    with open(prefix / "dlcheck-create.log", "a", encoding="utf-8") as log:
        _step(Step(f"registering the Jupyter kernel {kernel}", cmd, KERNEL_TIMEOUT), emit, log)
    assert run.kernel_dir is not None
    spec = run.kernel_dir / "kernel.json"
    from dlcheck.userfiles import read_json

    try:
        data = read_json(spec, limit=1 << 20)
    except UserError as exc:
        raise CreateError(f"the Jupyter kernel was not written where expected: {exc}") from None
    if not isinstance(data, dict):
        raise CreateError(f"{spec}: not a kernel spec")
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    meta["dlcheck"] = {"prefix": os.path.realpath(prefix), "token": run.token, "setup": name}
    data["metadata"] = meta
    kernel_env = _kernel_env(name)
    if kernel_env:  # e.g. KERAS_BACKEND=torch: the notebook's Keras runs on the setup's backend
        env = data.get("env") if isinstance(data.get("env"), dict) else {}
        data["env"] = {**env, **kernel_env}
    removal.write_json_atomic(spec, data)


def _kernel_env(setup: str) -> dict[str, str]:
    from dlcheck.envs.setups import load_catalog

    s = load_catalog().setups.get(setup)
    return dict(s.kernel_env) if s is not None else {}


# ------------------------------------------------------------------ venv and ensurepip ---


def _os_venv_package(short: str) -> str:
    if Path("/etc/debian_version").exists():
        return f"install the OS package python{short}-venv (sudo apt install python{short}-venv)"
    return "install Python from python.org, or your system's venv package for it"


def venv_missing(python: PythonFound) -> None:
    """CreateError naming the OS package when ``python`` has no venv or ensurepip module
    (Debian and Ubuntu ship them apart, in python3.X-venv)."""
    proc = _ask_python([python.executable], "import venv, ensurepip", PROBE_TIMEOUT)
    if proc is None:
        return  # the venv step says what is wrong
    if proc.returncode != 0:
        missing = "ensurepip" if "ensurepip" in proc.stderr else "venv"
        raise CreateError(
            f"{python.executable}: Python {python.version} has no {missing} module, which "
            f"making a venv needs: {_os_venv_package(python.short)}; or pass --python"
        )


def setup_disk_gib(name: str) -> float:
    """Free space a setup needs while it is installed (downloads and the environment), as
    setups.toml says (``disk_gib``)."""
    from dlcheck.envs.setups import load_catalog

    return load_catalog().setups[name].disk_gib


def _check_disk(prefix: Path, need_gib: float) -> None:
    parent = prefix
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    try:
        free = shutil.disk_usage(parent).free
    except OSError:
        return
    if free < need_gib * 2**30:
        raise CreateError(
            f"{parent}: {free / 2**30:.1f} GiB free; the environment needs about "
            f"{need_gib:g} GiB: free some space or choose another --prefix"
        )


def _choose_installer(asked: str | None) -> str:
    if asked == "pip":
        return "pip"
    uv = find_uv()
    if asked == "uv" and not uv:
        raise CreateError("--uv: uv is not installed (python -m pip install uv)")
    return "uv" if uv else "pip"


def _recommended_setup(catalog: Any) -> str:
    from dlcheck.envs.recommend import recommend
    from dlcheck.envs.setups import conda_locks_present
    from dlcheck.probes import collect_facts

    rec = recommend(collect_facts(), catalog, conda_locks_present(catalog))
    if not rec.setup:
        raise CreateError(
            "no locked setup fits this machine ("
            + "; ".join(rec.reasons or ["unknown"])
            + "): see `dlcheck env recommend`"
        )
    return rec.setup


def _conda_ready(lock: Path) -> None:
    if not lock.is_file():
        raise CreateError(
            f"{lock}: not generated yet (no conda channel was reachable where the locks were "
            "made); use the pip route (leave out --conda)"
        )
    if not shutil.which("conda-lock"):
        raise CreateError("--conda needs conda-lock: python -m pip install conda-lock")
    if not any(shutil.which(x) for x in ("micromamba", "mamba", "conda")):
        raise CreateError("--conda needs conda, mamba or micromamba on PATH")


def _run_logged(step: Step, emit: Emit, log: IO[str]) -> tuple[int, list[str]]:
    """Run ``step``, its command and lines in ``log``, its lines to the view."""
    emit(StepStarted(step.what))
    log.write(f"$ {' '.join(step.cmd)}\n")
    return run_step(step.cmd, lambda line: emit(StepOutput(line)), step.timeout, log=log)


def _step(step: Step, emit: Emit, log: IO[str]) -> None:
    """Run ``step``; CreateError when it fails (naming the OS package when the Python has
    no venv or ensurepip module)."""
    rc, lines = _run_logged(step, emit, log)
    if rc != 0:
        apt = _apt_line(lines)
        if apt:  # Debian's and Ubuntu's venv names its own package (its message is wrapped)
            raise CreateError(
                f"{step.what} failed: this Python's venv cannot install pip (Debian and Ubuntu "
                f"ship it apart): sudo {apt}; or pass --python"
            )
        if any("ensurepip is not available" in ln or "No module named venv" in ln for ln in lines):
            short = ".".join(str(step.cmd[0]).rsplit("python", 1)[-1].split(".")[:2]) or "3"
            raise CreateError(
                f"{step.what} failed: this Python has no ensurepip or venv module: "
                f"{_os_venv_package(short if short[:1].isdigit() else '3')}"
            )
        raise CreateError(f"{step.what} failed: {error_line(lines, f'exit status {rc}')}")


_APT_VENV = re.compile(r"\bapt(?:-get)? install (python3(?:\.\d+)?-venv)\b")


def _apt_line(lines: Sequence[str]) -> str | None:
    """``apt install python3.X-venv`` when a step's output names that package."""
    for line in lines:
        m = _APT_VENV.search(line)
        if m:
            return f"apt install {m.group(1)}"
    return None


def _add_token(prefix: Path, token: str) -> None:
    """The token in the environment's own pyvenv.cfg: the second half of dlcheck's proof."""
    with open(prefix / "pyvenv.cfg", "a", encoding="utf-8") as fh:
        fh.write(f"{removal.TOKEN_KEY} = {token}\n")


def _install_step(plan: Plan) -> Step:
    """The lock into the new venv, every hash checked."""
    py = str(env_python(plan.prefix))
    if plan.installer == "uv":
        cmd = [str(find_uv()), "pip", "install", "--python", py, "--require-hashes"]
        cmd += ["--no-progress", "-r", str(plan.lock)]
    else:
        cmd = [py, "-m", "pip", "install", "--require-hashes", "--no-input"]
        cmd += ["--disable-pip-version-check", "--progress-bar", "off", "-r", str(plan.lock)]
    return Step(f"installing the locked packages ({plan.installer})", cmd, INSTALL_TIMEOUT)


def _self_step(plan: Plan) -> Step:
    """dlcheck itself, without its dependencies (the lock has them)."""
    py = str(env_python(plan.prefix))
    source, where = dlcheck_source()
    if plan.installer == "uv":
        cmd = [str(find_uv()), "pip", "install", "--python", py, "--no-deps", *source]
    else:
        cmd = [py, "-m", "pip", "install", "--no-deps", "--no-input", "--progress-bar", "off"]
        cmd += ["--disable-pip-version-check", *source]
    return Step(f"installing dlcheck itself from {where} (--no-deps)", cmd, 600)


def _build_conda(plan: Plan, run: _Run, emit: Emit) -> None:
    """conda-lock makes the folder itself; the marker and the token go in after it."""
    prefix = plan.prefix
    prefix.parent.mkdir(parents=True, exist_ok=True)
    log_path = prefix.parent / f".{prefix.name}.create.log"
    with open(log_path, "w", encoding="utf-8") as log:
        cmd = ["conda-lock", "install", "--prefix", str(prefix), str(plan.lock)]
        _step(Step("installing the conda lock (conda-lock install)", cmd, 7200), emit, log)
        (prefix / removal.CONDA_TOKEN).write_text(run.token + "\n", encoding="utf-8")
        _write_marker(prefix, _incomplete_marker(plan, run))
        run.keep_folder = False
        run.made = Made(os.path.realpath(prefix), *map(int, removal.folder_id(prefix).split(":")))
        _finish(plan, emit, log)
    log_path.replace(prefix / "dlcheck-create.log")


def _build_venv(plan: Plan, run: _Run, emit: Emit) -> None:
    prefix, python = plan.prefix, plan.python
    assert python is not None
    if not run.keep_folder:
        try:
            run.made = Made.mkdir(prefix)
        except FileExistsError:
            raise CreateError(
                f"{prefix}: appeared while dlcheck was starting; nothing removed"
            ) from None
    # The marker goes in first: whatever stops this run, the folder says it is unfinished.
    _write_marker(prefix, _incomplete_marker(plan, run))
    with open(prefix / "dlcheck-create.log", "w", encoding="utf-8") as log:
        venv = [python.executable, "-m", "venv", str(prefix)]
        _step(
            Step(f"creating the venv with Python {python.version}", venv, VENV_TIMEOUT), emit, log
        )
        _add_token(prefix, run.token)
        _step(_install_step(plan), emit, log)
        _finish(plan, emit, log)


def _incomplete_marker(plan: Plan, run: _Run) -> dict[str, Any]:
    return {**_marker_base(plan.prefix, run.token, plan.name, plan.lock_sha), "state": "incomplete"}


def _finish(plan: Plan, emit: Emit, log: IO[str]) -> None:
    step = _self_step(plan)
    rc, lines = _run_logged(step, emit, log)
    if rc != 0:
        # The lock's packages are all there; only the checking tool is missing. Say so.
        emit(SelfInstallFailed(step.what, error_line(lines, f"exit status {rc}")))


def _verify(lock: Path, prefix: Path, subdir: str, name: str) -> Any:
    from dlcheck.envs.installed import scan_environment
    from dlcheck.envs.locks import read_lock
    from dlcheck.envs.verify import verify

    return verify(read_lock(lock), scan_environment(prefix), subdir, setup=name, check_marker=False)
