"""Probes gather facts and never judge. Each runs alone: a failure or a hang becomes a record
whose ``error`` says why, and the rest of the report still arrives."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from dlcheck.records import (
    CpuFacts,
    DiskFacts,
    Facts,
    GpuFacts,
    MemoryFacts,
    PackageFacts,
    PlatformFacts,
    PythonFacts,
)
from dlcheck.sanitize import DEFAULT_LIMIT, clean
from dlcheck.version import __version__

DEFAULT_TIMEOUT = 5.0


def _run_probe(
    name: str, fn: Callable[[], Any], empty: type, timeout: float, out: dict[str, Any]
) -> None:
    start = time.perf_counter()
    try:
        out[name] = fn()
    except Exception as exc:  # noqa: BLE001 - any probe failure becomes "unknown"
        # machine text (a 5,000-character --path in the message) cut as everywhere else
        out[name] = empty(error=clean(f"{type(exc).__name__}: {exc}", DEFAULT_LIMIT))
    out[f"{name}__seconds"] = round(time.perf_counter() - start, 4)


def collect_facts(
    disk_path: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    interpreter: Any = None,
    tool: str | None = None,
) -> Facts:
    """Probe this machine. Probes run concurrently in daemon threads; each is bounded by
    ``timeout`` seconds (a hung one is abandoned, not waited for). ``interpreter`` (probed by
    dlcheck.probes.interpreter): the python and packages facts are that interpreter's, the
    rest this machine's; ``tool``: dlcheck runs from that tool's environment."""
    from dlcheck.probes.cpu import probe_cpu
    from dlcheck.probes.disk import probe_disk
    from dlcheck.probes.gpu import probe_gpu
    from dlcheck.probes.memory import probe_memory
    from dlcheck.probes.packages import probe_packages
    from dlcheck.probes.python import probe_python
    from dlcheck.probes.system import probe_platform

    # Each external command inside a probe gets a little less than the probe's own budget.
    inner = max(0.5, timeout * 0.8)
    probes: dict[str, tuple[Callable[[], Any], type]] = {
        "platform": (lambda: probe_platform(timeout=inner), PlatformFacts),
        "python": (probe_python, PythonFacts),
        "cpu": (lambda: probe_cpu(timeout=inner), CpuFacts),
        "memory": (probe_memory, MemoryFacts),
        "disk": (lambda: probe_disk(disk_path), DiskFacts),
        "gpu": (lambda: probe_gpu(timeout=inner), GpuFacts),
        "packages": (lambda: probe_packages(timeout=inner), PackageFacts),
    }
    if interpreter is not None or tool is not None:
        probes["python"] = (lambda: _python_of(interpreter, tool), PythonFacts)
        if interpreter is not None:
            probes["packages"] = (lambda: _packages_of(interpreter, inner), PackageFacts)
    out: dict[str, Any] = {}
    threads = []
    for name, (fn, empty) in probes.items():
        t = threading.Thread(
            target=_run_probe, args=(name, fn, empty, timeout, out), daemon=True, name=name
        )
        t.start()
        threads.append((name, t))
    deadline = time.monotonic() + timeout
    for _, t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    records: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    for name, (_, empty) in probes.items():
        if name in out:
            records[name] = out[name]
            seconds[name] = out.get(f"{name}__seconds", 0.0)
        else:
            records[name] = empty(error=f"probe did not finish within {timeout:g} s")
            seconds[name] = timeout
    return Facts(
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        dlcheck_version=__version__,
        probe_seconds=seconds,
        **records,
    )


def _python_of(interpreter: Any, tool: str | None) -> PythonFacts:
    import dataclasses

    from dlcheck.probes.python import probe_python

    here = probe_python()  # this machine's other Pythons (found without running any)
    if interpreter is None:
        return dataclasses.replace(here, dlcheck_tool=tool)
    from dlcheck.probes.interpreter import python_facts

    return python_facts(interpreter, here.others, tool)


def _packages_of(interpreter: Any, timeout: float) -> PackageFacts:
    from dlcheck.probes.interpreter import package_facts
    from dlcheck.probes.packages import graphviz

    return package_facts(interpreter, graphviz(timeout))
