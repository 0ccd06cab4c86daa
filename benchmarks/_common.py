"""Shared bits of the honesty scripts: the reference CNN and its data, built as the lesson does."""

from __future__ import annotations

import os
import time
from typing import Any


def load_keras(backend: str = "tensorflow") -> Any:
    from dlcheck.bench.measure import setup_backend

    return setup_backend(backend)


def reference_cnn(keras: Any) -> tuple[Any, Any]:
    """A freshly built and compiled reference CNN and its synthetic data."""
    from dlcheck.bench.models import build_model
    from dlcheck.bench.synthetic import make_arrays
    from dlcheck.bench.workloads import find_workload

    w = find_workload("ep4-cnn")
    return build_model(w, keras), make_arrays(w)


def bare_fit_seconds(model: Any, data: Any, epochs: int, validation: bool) -> float:
    """Wall time of one hand-written model.fit call, as a learner's notebook cell runs it."""
    import contextlib

    val = (data.x_val, data.y_val) if validation else None
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # default progress bar
        t0 = time.perf_counter()
        model.fit(data.x_train, data.y_train, batch_size=32, epochs=epochs, validation_data=val)
        return time.perf_counter() - t0


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "unknown"
