"""The peak matrix-product rate: float32 FLOP/s with numpy and with the Keras backend, the
ceiling a workload's rate is compared with."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dlcheck.bench.results import Matmul


def _best_rate(fn: Callable[[], None], flops: float, repeats: int, min_seconds: float) -> float:
    fn()  # warm-up: thread pools, first allocation
    best = 0.0
    start = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = max(best, flops / (time.perf_counter() - t0))
        if time.perf_counter() - start > min_seconds:
            break
    return best


def matmul_peak(keras: Any, gpu: bool, seconds: float = 1.0) -> Matmul:
    """float32 matrix-product FLOP/s (best of several), with numpy and with the backend."""
    import numpy as np

    n = 4096 if gpu else 1024
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    np_rate = _best_rate(lambda: a @ a, 2.0 * n**3, 20, seconds) if not gpu else None
    per_call = 8
    t = keras.ops.convert_to_tensor(a)

    def backend_mm() -> None:
        out = None
        for _ in range(per_call):
            out = keras.ops.matmul(t, t)
        keras.ops.convert_to_numpy(keras.ops.sum(out))  # waits for asynchronous devices

    be_rate = _best_rate(backend_mm, per_call * 2.0 * n**3, 10, seconds)
    return Matmul(n=n, numpy_flops=np_rate, backend_flops=be_rate)
