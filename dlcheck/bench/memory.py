"""The memory reading of the timing harness: peak resident memory of this process while a
workload runs.

The operating system keeps the peak itself (``getrusage``'s ``ru_maxrss`` on Linux and
macOS, the peak working set on Windows), so no thread samples it: a sampling thread waking
every 20 ms competed for the GIL with the fit it measured (episodes 2 and 3 run batches of
about a millisecond). A thread (every 0.2 s) remains only where no peak is kept.
"""

from __future__ import annotations

import sys

from dlcheck.bench.sampling import Ticker


def _os_peak() -> int | None:
    """This process's peak resident memory so far, in bytes, as the OS keeps it; None where
    it keeps none."""
    try:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if peak > 0:
            return int(peak if sys.platform == "darwin" else peak * 1024)  # macOS: bytes
    except (ImportError, OSError, ValueError):
        pass
    try:
        import psutil

        peak_wset = getattr(psutil.Process().memory_info(), "peak_wset", None)  # Windows
        return int(peak_wset) if peak_wset else None
    except Exception:  # noqa: BLE001 - no peak kept: sample instead
        return None


class RssSampler:
    """Peak resident memory of this process from ``__init__`` to ``stop()``. The OS's own peak
    is the process's peak so far: for a workload after a larger one in the same run it is the
    larger one's (the increase is then 0)."""

    def __init__(self, interval: float = 0.2) -> None:
        import psutil

        self._proc = psutil.Process()
        self.start_rss = self._proc.memory_info().rss
        self.peak = self.start_rss
        self._ticker: Ticker | None = None
        if _os_peak() is None:
            self._ticker = Ticker(interval, self._sample)
            self._ticker.start()

    def _sample(self) -> None:
        self.peak = max(self.peak, self._proc.memory_info().rss)

    def stop(self) -> tuple[int, int]:
        if self._ticker is not None:
            self._ticker.stop(1.0)
        self.peak = max(self.peak, self._proc.memory_info().rss, _os_peak() or 0)
        return self.peak, max(0, self.peak - self.start_rss)
