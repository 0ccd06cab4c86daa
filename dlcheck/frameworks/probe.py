"""Run the framework probes, each group in its own Python process under a timeout, and turn
whatever comes back (records, a signal, a hang, garbage) into ``FrameworkResult`` records.

Keras shares the process of its backend: importing Keras imports the backend anyway, so a
separate process would pay for TensorFlow twice. Each record is printed as soon as it is
done, so a Keras crash after TensorFlow still leaves TensorFlow's record.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dlcheck.frameworks.names import FRAMEWORK_DISTRIBUTIONS, KERAS_BACKENDS
from dlcheck.frameworks.records import (
    BAD_OUTPUT,
    CRASHED,
    TIMEOUT,
    FrameworkFacts,
    FrameworkResult,
)
from dlcheck.records import RecordError, from_dict
from dlcheck.subprocesses import kill_group, start_process

CHILD = Path(__file__).with_name("_child.py")
MARKER = "@@dlcheck-framework@@"
DEFAULT_FRAMEWORK_TIMEOUT = 60.0

ENV_KEYS = ("KERAS_BACKEND", "KERAS_HOME", "TF_USE_LEGACY_KERAS", "CUDA_VISIBLE_DEVICES")

# Run the child file as __main__ without the current folder on sys.path (a stray
# `tensorflow.py` in the user's folder must not stand in for the real one; with
# PYTHONSAFEPATH there is no such entry to drop).
_BOOT = (
    "import runpy, sys; sys.path[:1] = [p for p in sys.path[:1] if p]; sys.argv = sys.argv[1:]; "
    "runpy.run_path(sys.argv[0], run_name='__main__')"
)

_SIGNAL_TEXT = {
    "SIGILL": "Illegal instruction",
    "SIGSEGV": "Segmentation fault",
    "SIGABRT": "Aborted",
    "SIGBUS": "Bus error",
    "SIGKILL": "Killed (out of memory?)",
    "SIGFPE": "Floating-point exception",
}
# Windows reports a crash as an NTSTATUS exit code, not a signal.
_NTSTATUS = {
    0xC000001D: "SIGILL",  # STATUS_ILLEGAL_INSTRUCTION
    0xC0000005: "SIGSEGV",  # STATUS_ACCESS_VIOLATION
    0xC0000409: "SIGABRT",  # STATUS_STACK_BUFFER_OVERRUN (fail-fast)
}
# Lines of TensorFlow's log that explain a missing GPU.
_HINT_RE = re.compile(
    r"Cannot dlopen some GPU libraries|Could not load dynamic library|Could not find cuda drivers"
    r"|CUDA driver version is insufficient|failed call to cuInit|libcud\w*\.so"
    r"|driver/library version mismatch|metal_plugin|Symbol not found|Library not loaded",
    re.IGNORECASE,
)


def parse_keras_config(text: str) -> str | None:
    """The ``backend`` in a ``keras.json`` text; None when absent or unreadable."""
    return keras_config_backend(text)[0]


def keras_config_backend(text: str) -> tuple[str | None, str | None]:
    """(the ``backend`` a ``keras.json`` text names, why the file is unusable): Keras itself
    ignores a file that is not a JSON object (it then loads its default backend), so such a
    file is a fact to name, never a silent default. A valid file without ``backend`` is
    (None, None): the default, as Keras reads it."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError, ValueError, RecursionError):
        return None, "not valid JSON"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    backend = data.get("backend")
    if backend is None:
        return None, None
    if not isinstance(backend, str) or not backend:
        return None, "its backend is not a name"
    return backend, None


KERAS_JSON_TIMEOUT = 5.0  # seconds; a hung network home must not hang `dlcheck check`


def keras_backend(
    env: Mapping[str, str], home: Path | None = None, timeout: float = KERAS_JSON_TIMEOUT
) -> tuple[str, str]:
    """The backend Keras 3 will load and where that choice comes from, the way Keras decides:
    KERAS_BACKEND, else ``backend`` in $KERAS_HOME/keras.json (~/.keras), else tensorflow.
    keras.json is read by the safe reader (a FIFO or a device is refused at once) within
    ``timeout`` seconds (a file on a hung network home); one that cannot be read is said."""
    from dlcheck.errors import UserError
    from dlcheck.subprocesses import CallTimeout, call_with_timeout
    from dlcheck.userfiles import read_text

    if env.get("KERAS_BACKEND"):
        # set by the environment's own startup hook (`dlcheck env create`), not by the user
        hook = env.get("DLCHECK_ENV_DEFAULTS", "")
        if "KERAS_BACKEND" in hook.split("@", 1)[0].split(","):
            where = hook.split("@", 1)[1] if "@" in hook else "its startup hook"
            return env["KERAS_BACKEND"], f"the environment's default ({where})"
        return env["KERAS_BACKEND"], "KERAS_BACKEND"
    base = Path(env["KERAS_HOME"]) if env.get("KERAS_HOME") else (home or Path.home()) / ".keras"
    path = base / "keras.json"
    try:
        exists = call_with_timeout(lambda: os.path.lexists(path), timeout)
        text = call_with_timeout(lambda: read_text(path, 1 << 20), timeout) if exists else None
    except CallTimeout:
        return "tensorflow", f"default ({path} gave no answer within {timeout:g} s)"
    except UserError as exc:  # a folder, a FIFO, a file over 1 MiB: unusable, and said
        return "tensorflow", f"default ({exc.path}: {exc.problem})"
    if text is None:
        return "tensorflow", "default"
    backend, problem = keras_config_backend(text)
    if problem:  # Keras ignores it and loads its default: the source says why
        return "tensorflow", f"default ({path}: {problem})"
    if backend:
        return backend, str(path)
    return "tensorflow", "default"


def environment_backend(
    env: Mapping[str, str], installed: Iterable[str], timeout: float = KERAS_JSON_TIMEOUT
) -> tuple[str, str]:
    """The Keras backend this environment uses, for `dlcheck bench`: the one KERAS_BACKEND or
    keras.json names (``keras_backend``) when it is installed; else the installed framework
    (tensorflow, torch, jax, in that order), since a torch-only environment whose keras.json
    still says tensorflow can only run Keras on torch. Returns (backend, why)."""
    backend, source = keras_backend(env, timeout=timeout)
    have = list(installed)
    if backend in have or not have:
        return backend, source
    for name in ("tensorflow", "torch", "jax"):
        if name in have:
            return name, f"the one installed ({source} names {backend}, which is not)"
    return backend, source


def installed_frameworks(versions: Mapping[str, str]) -> list[str]:
    """Frameworks with at least one distribution installed, in probing order."""
    return [
        name for name, dists in FRAMEWORK_DISTRIBUTIONS.items() if any(d in versions for d in dists)
    ]


def plan_groups(frameworks: Iterable[str], backend: str | None) -> list[list[str]]:
    """One process per framework, Keras joining the process of its backend when installed."""
    names = list(frameworks)
    groups = [[n] for n in names if n != "keras"]
    if "keras" in names:
        target = KERAS_BACKENDS.get(backend or "")
        for group in groups:
            if group[0] == target:
                group.append("keras")
                break
        else:
            groups.append(["keras"])
    return groups


def signal_name(returncode: int | None) -> str | None:
    """SIGILL, SIGSEGV, ... for a process that died of a signal (or its Windows twin)."""
    if returncode is None:
        return None
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return _NTSTATUS.get(returncode & 0xFFFFFFFF)


def _tail(text: str, n: int = 6) -> list[str]:
    lines = [ln.strip()[:300] for ln in text.splitlines() if ln.strip()]
    hints = [ln for ln in lines if _HINT_RE.search(ln)][:6]
    last = lines[-n:]
    return hints + [ln for ln in last if ln not in hints]


def parse_child_output(
    names: list[str],
    stdout: str,
    stderr: str,
    returncode: int | None,
    timed_out: bool,
    timeout: float,
    seconds: float | None = None,
) -> list[FrameworkResult]:
    """Records for ``names`` from one probe process's output and fate. Pure: tested on
    recorded outputs. Every name gets exactly one record."""
    got: dict[str, FrameworkResult] = {}
    garbage: list[str] = []
    for line in stdout.splitlines():
        if not line.startswith(MARKER):
            continue
        payload = line[len(MARKER) :].strip()
        try:
            data = json.loads(payload)
            rec = from_dict(FrameworkResult, data, "framework record")
        except (json.JSONDecodeError, RecordError) as exc:
            garbage.append(f"{exc}"[:200])
            continue
        if rec.name in names and rec.name not in got:
            got[rec.name] = rec
    tail = _tail(stderr)
    sig = signal_name(returncode)
    out: list[FrameworkResult] = []
    first_missing: str | None = None
    for name in names:
        if name in got:
            rec = got[name]
            if not out:  # the process's log (TensorFlow's own), once: on its first record
                rec = replace(rec, stderr_tail=rec.stderr_tail + tail)
            out.append(replace(rec, returncode=returncode))
            continue
        if first_missing is not None:
            out.append(
                FrameworkResult(
                    name,
                    out[-1].status if out else CRASHED,
                    reason=f"not probed: the {first_missing} probe in the same process ended "
                    f"first ({out[-1].reason if out else 'no record'})",
                    signal=sig,
                    returncode=returncode,
                )
            )
            continue
        first_missing = name
        if timed_out:
            status, reason = (
                TIMEOUT,
                f"no answer within {timeout:g} s (import hung or is very slow)",
            )
        elif sig:
            status = CRASHED
            reason = f"the process died of {sig}" + (
                f" ({_SIGNAL_TEXT[sig]})" if sig in _SIGNAL_TEXT else ""
            )
        elif returncode not in (0, None):
            status = CRASHED
            last = tail[-1] if tail else "no message"
            reason = f"the process exited with status {returncode} before reporting: {last}"
        elif garbage:
            status, reason = BAD_OUTPUT, f"unreadable record: {garbage[0]}"
        else:
            status, reason = BAD_OUTPUT, "the probe printed no record"
        out.append(
            FrameworkResult(
                name,
                status,
                reason=reason,
                signal=sig,
                returncode=returncode,
                stderr_tail=tail,
                seconds=seconds,
            )
        )
    return out


# Who wants to hear how the probes are going (a terminal's progress line): callables taking
# (the framework names still being imported, seconds since the probes started). Called from
# the thread that waits in ``FrameworkProbe.result``, about ten times a second; never from a
# pipe-only run (the CLI registers one only when standard error is a terminal).
PROGRESS_LISTENERS: list[Callable[[list[str], float], None]] = []


@dataclass
class _Proc:
    names: list[str]
    popen: subprocess.Popen[str] | None
    started: float
    results: list[FrameworkResult] = field(default_factory=list)
    thread: threading.Thread | None = None


class FrameworkProbe:
    """Framework probes started in the background; ``result()`` waits for them.

    Start it before the hardware probes so both overlap; each process is bounded by
    ``timeout`` seconds from its own start and killed when it overruns.
    """

    def __init__(
        self,
        groups: list[list[str]],
        timeout: float = DEFAULT_FRAMEWORK_TIMEOUT,
        python: str | None = None,
        env: Mapping[str, str] | None = None,
        keras: tuple[str | None, str | None] = (None, None),
    ) -> None:
        self.timeout = timeout
        self.keras = keras
        self.started = time.perf_counter()
        base = dict(os.environ if env is None else env)
        self.env_facts = {k: base[k] for k in ENV_KEYS if k in base}
        base.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # keep warnings: they name missing libs
        self._procs = [self._start(g, python or sys.executable, base) for g in groups]

    def _start(self, names: list[str], python: str, env: dict[str, str]) -> _Proc:
        started = time.perf_counter()
        try:
            popen = start_process([python, "-c", _BOOT, str(CHILD), *names], env=env)
        except OSError as exc:
            proc = _Proc(names, None, started)
            proc.results = [
                FrameworkResult(n, CRASHED, reason=f"could not start {python}: {exc}")
                for n in names
            ]
            return proc
        proc = _Proc(names, popen, started)
        # One reader thread per process: reading them one after the other could let a chatty
        # one fill its pipe and stall while we wait on another.
        proc.thread = threading.Thread(target=self._wait, args=(proc,), daemon=True)
        proc.thread.start()
        return proc

    def _wait(self, proc: _Proc) -> None:
        assert proc.popen is not None
        timed_out = False
        try:
            out, err = proc.popen.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc.popen)  # the import and anything it started
            out, err = proc.popen.communicate()
        seconds = round(time.perf_counter() - proc.started, 3)
        proc.results = parse_child_output(
            proc.names,
            out or "",
            err or "",
            proc.popen.returncode,
            timed_out,
            self.timeout,
            seconds,
        )

    def result(self) -> FrameworkFacts:
        """Wait for every probe (at most the timeout, plus a moment to reap a killed one),
        telling ``PROGRESS_LISTENERS`` which frameworks are still being imported."""
        deadline = time.perf_counter() + self.timeout + 10
        for proc in self._procs:
            if proc.thread is None:
                continue
            while proc.thread.is_alive() and time.perf_counter() < deadline:
                self._tell()
                proc.thread.join(0.1 if PROGRESS_LISTENERS else deadline - time.perf_counter())
        results: list[FrameworkResult] = []
        for proc in self._procs:
            if proc.results:
                results.extend(proc.results)
            else:  # the reader itself is stuck: never let that hang the report
                results.extend(
                    FrameworkResult(n, TIMEOUT, reason="the probe process could not be reaped")
                    for n in proc.names
                )
        return FrameworkFacts(
            results=results,
            keras_backend=self.keras[0],
            keras_backend_source=self.keras[1],
            env=self.env_facts,
            timeout=self.timeout,
            seconds=round(time.perf_counter() - self.started, 3),
        )

    def pending(self) -> list[str]:
        """The frameworks whose process is still running."""
        return [
            n for p in self._procs if p.thread is not None and p.thread.is_alive() for n in p.names
        ]

    def _tell(self) -> None:
        if not PROGRESS_LISTENERS:
            return
        pending, elapsed = self.pending(), time.perf_counter() - self.started
        for listener in list(PROGRESS_LISTENERS):
            try:
                listener(pending, elapsed)
            except Exception:  # noqa: BLE001 - a progress line must never break a probe
                pass


def start_frameworks(
    versions: Mapping[str, str],
    timeout: float = DEFAULT_FRAMEWORK_TIMEOUT,
    env: Mapping[str, str] | None = None,
    python: str | None = None,
) -> FrameworkProbe:
    """Start probing every installed framework (by distribution metadata) in the background,
    in ``python`` (default: the running interpreter) with ``env`` (default: ours)."""
    env = os.environ if env is None else env
    backend, source = keras_backend(env, timeout=min(timeout, KERAS_JSON_TIMEOUT))
    groups = plan_groups(installed_frameworks(versions), backend)
    return FrameworkProbe(groups, timeout=timeout, python=python, env=env, keras=(backend, source))
