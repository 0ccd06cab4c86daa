"""The background thread of the timing harness's samplers (bench/memory.py, bench/load.py):
one function called at a fixed interval while a workload runs."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Ticker:
    """Calls ``tick()`` every ``interval`` seconds in a daemon thread, from ``start()`` until
    ``stop()``. An exception from ``tick`` ends the sampling, never the measurement (a
    vanished /proc entry, an unreadable sysfs file)."""

    def __init__(self, interval: float, tick: Callable[[], None]) -> None:
        self.interval = interval
        self._tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._tick()
            except Exception:  # noqa: BLE001 - sampling stops, the run goes on
                return

    def stop(self, wait: float) -> None:
        """Stop ticking; wait at most ``wait`` seconds for a tick under way to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)
