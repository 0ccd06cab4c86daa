"""The memory sampler of the timing harness: peak resident memory of this process while a
workload runs."""

from __future__ import annotations

from dlcheck.bench.sampling import Ticker


class RssSampler:
    """Peak resident memory of this process while a workload runs (psutil, every 20 ms)."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self.start_rss = self._proc.memory_info().rss
        self.peak = self.start_rss
        self._ticker = Ticker(interval, self._sample)
        self._ticker.start()

    def _sample(self) -> None:
        self.peak = max(self.peak, self._proc.memory_info().rss)

    def stop(self) -> tuple[int, int]:
        self._ticker.stop(1.0)
        self.peak = max(self.peak, self._proc.memory_info().rss)
        return self.peak, self.peak - self.start_rss
