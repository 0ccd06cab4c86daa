"""Run an external command with a timeout; never through a shell.

Every child process dlcheck starts (framework probes, installers, nvidia-smi, an environment's
Python) goes through ``start_process``, which registers it: on POSIX in a process group of its
own, on Windows in a job object that is closed (and its processes killed) with dlcheck.
``kill_children`` stops every registered child that still runs, with all it started; the CLI
calls it on every exit path (normal, error, Ctrl-C, SIGTERM, SIGHUP), so no child outlives
dlcheck.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")

# The registry: every child started through ``start_process`` that may still run.
_CHILDREN: list[subprocess.Popen[str]] = []
_CHILDREN_LOCK = threading.Lock()
_JOB: list[Any] = []  # Windows: the one job object of this process (created on first use)


@dataclass(frozen=True)
class CommandResult:
    args: tuple[str, ...]
    returncode: int | None
    stdout: str
    stderr: str
    error: str | None  # why there is no usable answer: not found, timed out, exit status

    @property
    def ok(self) -> bool:
        return self.error is None


def start_process(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    merge_stderr: bool = False,
    own_group: bool = True,
    capture: bool = True,
) -> subprocess.Popen[str]:
    """Start ``args`` in the background (never through a shell) and register it (module
    docstring): no standard input, its output piped as text (undecodable bytes replaced);
    ``merge_stderr`` sends standard error into standard output. ``own_group`` (POSIX, the
    default): in a process group of its own, so that ``kill_group`` also stops what it
    started (`python -m venv` runs ensurepip). The caller bounds it with a timeout and kills
    it past that; ``kill_children`` stops it on every exit of dlcheck. ``capture=False``:
    its output goes straight to dlcheck's (a child whose display is the user's)."""
    posix = os.name == "posix"
    flags = 0
    if not posix and own_group:
        flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
    proc = subprocess.Popen(  # noqa: S603 - argument list, no shell
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if capture else None,
        stderr=(subprocess.STDOUT if merge_stderr else subprocess.PIPE) if capture else None,
        text=True,
        errors="replace",
        env=env,
        start_new_session=own_group and posix,
        creationflags=flags,
    )
    if not posix:
        _join_job(proc)
    with _CHILDREN_LOCK:
        _CHILDREN[:] = [p for p in _CHILDREN if p.poll() is None]
        _CHILDREN.append(proc)
    return proc


def live_children() -> list[subprocess.Popen[str]]:
    """The registered children that still run."""
    with _CHILDREN_LOCK:
        return [p for p in _CHILDREN if p.poll() is None]


def kill_children() -> None:
    """Kill every registered child that still runs, with what it started (its process group;
    on Windows its job), and reap it. Called by the CLI on every way out."""
    with _CHILDREN_LOCK:
        children, _CHILDREN[:] = list(_CHILDREN), []
    for proc in children:
        if proc.poll() is None:
            kill_group(proc)
        try:
            proc.wait(5)
        except (subprocess.TimeoutExpired, OSError):
            pass


def _join_job(proc: subprocess.Popen[str]) -> None:
    """Windows: put ``proc`` in this process's job object, made with KILL_ON_JOB_CLOSE, so
    that the system kills it (and what it starts) when dlcheck ends, however it ends."""
    try:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        if not _JOB:

            class _Limits(ctypes.Structure):
                _fields_ = [  # noqa: RUF012 - ctypes layout
                    ("PerProcessUserTimeLimit", ctypes.c_int64),
                    ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", wintypes.DWORD),
                    ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t),
                    ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t),
                    ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD),
                ]

            class _Extended(ctypes.Structure):
                _fields_ = [  # noqa: RUF012 - ctypes layout
                    ("Basic", _Limits),
                    ("Io", ctypes.c_uint64 * 6),
                    ("ProcessMemoryLimit", ctypes.c_size_t),
                    ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t),
                    ("PeakJobMemoryUsed", ctypes.c_size_t),
                ]

            job = kernel32.CreateJobObjectW(None, None)
            info = _Extended()
            info.Basic.LimitFlags = 0x2000  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
            kernel32.SetInformationJobObject(job, 9, ctypes.byref(info), ctypes.sizeof(info))
            _JOB.append(job)
        kernel32.AssignProcessToJobObject(_JOB[0], int(proc._handle))  # type: ignore[attr-defined]
    except (OSError, AttributeError, ValueError):  # no job: kill_children still kills it
        pass


def kill_group(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` and, where it was started with ``own_group`` (POSIX), every process of
    its group: nothing it started goes on writing after the caller has cleaned up."""
    if os.name == "posix":
        try:
            if os.getpgid(proc.pid) == proc.pid:  # it leads a group of its own
                os.killpg(proc.pid, 9)
                return
        except (ProcessLookupError, PermissionError):
            pass
    elif proc.poll() is None:  # Windows: the whole tree, as taskkill /T would
        try:
            import signal

            proc.send_signal(getattr(signal, "CTRL_BREAK_EVENT", signal.SIGTERM))
        except (OSError, ValueError):
            pass
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def run_command(args: list[str], timeout: float = 5.0) -> CommandResult:
    """Run ``args`` (a registered child, in a group of its own) and capture its text output;
    past ``timeout`` it is killed with what it started. Failures come back as ``error``,
    never raised."""
    targs = tuple(args)
    try:
        child = start_process(targs)
    except FileNotFoundError:
        return CommandResult(targs, None, "", "", f"{args[0]} not found")
    except OSError as exc:
        return CommandResult(targs, None, "", "", f"{args[0]} could not run: {exc.strerror or exc}")
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(child)
        try:
            child.communicate(timeout=5)
        except (subprocess.TimeoutExpired, OSError, ValueError):
            pass
        return CommandResult(targs, None, "", "", f"{args[0]} timed out after {timeout:g} s")
    proc = subprocess.CompletedProcess(targs, child.returncode, out or "", err or "")
    error = None
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        error = f"{args[0]} exited with status {proc.returncode}" + (
            f": {detail[-1][:200]}" if detail else ""
        )
    return CommandResult(targs, proc.returncode, proc.stdout, proc.stderr, error)


class CallTimeout(TimeoutError):
    """A function given to ``call_with_timeout`` did not return in time."""


def call_with_timeout(fn: Callable[[], R], timeout: float) -> R:
    """Run ``fn`` in a daemon thread and wait at most ``timeout`` seconds for it.

    A daemon thread, not a ThreadPoolExecutor: the interpreter joins pool threads at exit,
    so one hung probe would hang dlcheck itself.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise CallTimeout(f"no answer after {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]
