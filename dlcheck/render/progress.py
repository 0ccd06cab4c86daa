"""Progress for long work, on standard error and only when it is a terminal: a piped or
redirected run, ``--quiet`` and ``NO_COLOR``-only differences aside, prints nothing extra."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

from dlcheck.render.layout import fmt_seconds


def stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, OSError, ValueError):
        return False


class Progress:
    """One status line that rewrites itself (rich's status spinner) on a terminal's
    standard error; does nothing when ``enabled`` is false."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._status: Any = None
        self.started = time.perf_counter()

    def __enter__(self) -> Progress:
        if self.enabled:
            from rich.console import Console

            console = Console(stderr=True, highlight=False)
            self._status = console.status("", spinner="dots")
            self._status.start()
        return self

    def update(self, message: str) -> None:
        if self._status is not None:
            from rich.text import Text

            self._status.update(Text(message))

    def __exit__(self, *exc: Any) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


@contextlib.contextmanager
def check_progress(enabled: bool, frameworks: bool) -> Iterator[Progress]:
    """The progress of ``dlcheck check``: the hardware probes, then which framework is being
    imported in its own process and for how long."""
    from dlcheck.frameworks.names import TITLES

    with Progress(enabled) as progress:
        progress.update("Probing this machine…")
        listener = None
        if enabled and frameworks:
            from dlcheck.frameworks import probe

            def listener(pending: list[str], elapsed: float) -> None:
                names = " and ".join(TITLES.get(n, n) for n in pending) or "frameworks"
                progress.update(f"Importing {names} to test it… {fmt_seconds(elapsed)}")

            probe.PROGRESS_LISTENERS.append(listener)
        try:
            yield progress
        finally:
            if listener is not None:
                from dlcheck.frameworks import probe

                probe.PROGRESS_LISTENERS.remove(listener)
