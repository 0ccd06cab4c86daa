"""Reading saved results: the files under the paths given, walked lazily, each reduced to a
part (dlcheck/fleet/parts.py) in this process or, for many files, in worker processes. Memory
holds the table, never the files.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing as mp
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from dlcheck.errors import UserError
from dlcheck.fleet.model import Part, Skipped
from dlcheck.fleet.parts import max_versions, read_part


def iter_files(paths: Iterable[str]) -> Iterator[str | Skipped]:
    """Files named, and ``*.json`` under folders named, in a stable order, lazily; a folder
    that cannot be listed comes as a ``Skipped`` with its reason.
    A path that does not exist is the user's mistake (UserError)."""
    for p in paths:
        if os.path.isdir(p):
            yield from _walk(p)
        elif os.path.lexists(p):
            yield p
        else:
            raise UserError(p, "no such file or folder")


MAX_FOLDER_DEPTH = 100  # folders below a path given; a results tree is a few deep


def _walk(folder: str, max_depth: int = MAX_FOLDER_DEPTH) -> Iterator[str | Skipped]:
    """``*.json`` files under ``folder``, as the file system lists them: never the whole
    listing in memory (the fleet's order does not depend on the order files are read).
    Iterative (a stack of folders, depth first, sorted), so no depth overflows Python's
    stack; a folder deeper than ``max_depth`` is a ``Skipped`` with its reason."""
    stack: list[tuple[str, int]] = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        if depth > max_depth:
            yield Skipped(current, f"more than {max_depth} folders deep; not read")
            continue
        subdirs = []
        try:
            with os.scandir(current) as it:
                for entry in it:
                    if entry.name.startswith("."):
                        continue
                    try:
                        # a linked folder is not followed: a link to a parent would never end
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    if is_dir:
                        subdirs.append(entry.path)
                    elif entry.name.endswith(".json"):
                        yield entry.path
        except OSError as exc:
            yield Skipped(current, f"folder cannot be read: {exc.strerror or exc}")
            continue
        stack.extend((sub, depth + 1) for sub in sorted(subdirs, reverse=True))


PARALLEL_FROM = 2000  # files; below this, starting worker processes costs more than it saves
CHUNK = 250
_worker_args: tuple[dict[str, int], Any] | None = None  # set once in each worker process


def read_parts(
    paths: Iterable[str], rejudge: Any = None, workers: int | None = None
) -> Iterator[Part | Skipped]:
    """Parts of every file under ``paths``, in order, one file in memory at a time per
    process. Many files are read by worker processes (one per CPU) where ``fork`` exists."""
    versions = max_versions()
    files = iter_files(paths)
    n = workers if workers is not None else _usable_cpus()
    # fork only from a single-threaded process: a forked copy of another thread's lock can hang
    if (
        n < 2
        or "fork" not in mp.get_all_start_methods()
        or not hasattr(signal, "pthread_sigmask")
        or threading.active_count() > 1
    ):
        for path in files:
            yield read_part(path, versions, rejudge)
        return
    head = list(itertools.islice(files, PARALLEL_FROM))
    if len(head) < PARALLEL_FROM:
        for path in head:
            yield read_part(path, versions, rejudge)
        return
    # fork: the workers inherit versions and rejudge (a closure) without pickling them.
    # Ctrl-C and SIGTERM are blocked while this thread talks to the pool (a signal raised
    # inside the pool's locks can hang it) and looked for between waits; once the pool is
    # gone they are unblocked, and arrive as KeyboardInterrupt or the CLI's Terminated.
    ctx = mp.get_context("fork")
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    pool = None
    try:
        pool = ctx.Pool(n, initializer=_init_worker, initargs=(versions, rejudge))
        # a few chunks in flight, never the whole list of files
        pending: collections.deque[Any] = collections.deque()
        for chunk in _chunks(itertools.chain(head, files), CHUNK):
            pending.append(pool.apply_async(_read_chunk, (chunk,)))
            if len(pending) >= 2 * n:
                yield from _wait(pending.popleft())
        while pending:
            yield from _wait(pending.popleft())
    except _Stop:
        pass
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)  # a pending signal arrives here


# the signals the CLI turns into an exit (dlcheck.cli.STOP_SIGNALS), SIGHUP where it exists
_STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM} | (
    {signal.SIGHUP} if hasattr(signal, "SIGHUP") else set()
)


class _Stop(Exception):
    """Ctrl-C or SIGTERM is pending: stop reading (it is delivered once the pool is gone)."""


def _wait(result: Any) -> list[Part | Skipped]:
    while True:
        try:
            return result.get(timeout=0.05)
        except mp.TimeoutError:
            if signal.sigpending() & _STOP_SIGNALS:
                raise _Stop() from None


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _init_worker(versions: dict[str, int], rejudge: Any) -> None:
    global _worker_args  # noqa: PLW0603 - per-process arguments of a pool worker
    _worker_args = (versions, rejudge)
    # Ctrl-C and SIGTERM are the parent's to handle: a worker ignores Ctrl-C (the terminal
    # sends it to the whole group) and dies quietly when the parent terminates the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # blocked in the parent


def _read_chunk(paths: list[str]) -> list[Part | Skipped]:
    assert _worker_args is not None
    versions, rejudge = _worker_args
    return [read_part(p, versions, rejudge) for p in paths]
