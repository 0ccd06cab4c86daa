"""Run an external command with a timeout; never through a shell."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

R = TypeVar("R")


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
    own_group: bool = False,
) -> subprocess.Popen[str]:
    """Start ``args`` in the background (never through a shell): no standard input, its output
    piped as text (undecodable bytes replaced); ``merge_stderr`` sends standard error into
    standard output. ``own_group`` (POSIX): in a process group of its own, so that
    ``kill_group`` also stops what it started (`python -m venv` runs ensurepip). The caller
    bounds it with a timeout and kills it past that."""
    return subprocess.Popen(  # noqa: S603 - argument list, no shell
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        text=True,
        errors="replace",
        env=env,
        start_new_session=own_group and os.name == "posix",
    )


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
    try:
        proc.kill()
    except ProcessLookupError:
        pass


def run_command(args: list[str], timeout: float = 5.0) -> CommandResult:
    """Run ``args`` and capture its text output. Failures come back as ``error``, never raised."""
    targs = tuple(args)
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
            targs,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            errors="replace",
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        return CommandResult(targs, None, "", "", f"{args[0]} not found")
    except subprocess.TimeoutExpired:
        return CommandResult(targs, None, "", "", f"{args[0]} timed out after {timeout:g} s")
    except OSError as exc:
        return CommandResult(targs, None, "", "", f"{args[0]} could not run: {exc.strerror or exc}")
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
