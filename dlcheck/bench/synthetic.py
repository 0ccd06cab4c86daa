"""Deterministic synthetic tensors of the course's shapes and dtypes, made in memory.

Training time does not depend on pixel values, so random data of the right shape costs what
the real Dollar Street images (or penguins, or weather table) cost, with no download.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlcheck.bench.workloads import Workload

SEED = 20261126


@dataclass(frozen=True)
class Arrays:
    x_train: Any
    y_train: Any
    x_val: Any | None
    y_val: Any | None


def _targets(workload: Workload, n: int, rng: Any) -> Any:
    import numpy as np

    if workload.target == "sparse":
        return rng.integers(0, workload.classes, size=n).astype(np.int64)
    if workload.target == "onehot":
        return np.eye(workload.classes, dtype=np.float32)[rng.integers(0, workload.classes, n)]
    return rng.standard_normal((n, 1), dtype=np.float32)


def make_arrays(workload: Workload, seed: int = SEED) -> Arrays:
    """float32 inputs in 0..1 (like images scaled by 1/255) and targets of the right kind."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shape = tuple(workload.input_shape)
    x_train = rng.random((workload.train, *shape), dtype=np.float32)
    y_train = _targets(workload, workload.train, rng)
    if workload.validation:
        x_val = rng.random((workload.validation, *shape), dtype=np.float32)
        y_val = _targets(workload, workload.validation, rng)
    else:
        x_val = y_val = None
    return Arrays(x_train, y_train, x_val, y_val)
