"""The memory sampler of the timing harness: peak resident memory of this process while a
workload runs."""

from __future__ import annotations

import threading


class RssSampler:
    """Peak resident memory of this process while a workload runs (psutil, every 20 ms)."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.start_rss = self._proc.memory_info().rss
        self.peak = self.start_rss
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.peak = max(self.peak, self._proc.memory_info().rss)
            except Exception:  # noqa: BLE001 - a vanished /proc entry ends sampling
                return

    def stop(self) -> tuple[int, int]:
        self._stop.set()
        self._thread.join(1.0)
        self.peak = max(self.peak, self._proc.memory_info().rss)
        return self.peak, self.peak - self.start_rss
