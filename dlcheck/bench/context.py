"""The context of a benchmark run: versions, backend, device, threads, CPU (from the probes'
own CPU facts, dlcheck/probes/cpu.py), clock and load (dlcheck/bench/load.py's readers), the
matmul peak, and where it ran (a cloud notebook, a batch job: the probes' own contexts,
dlcheck/probes/context.py)."""

from __future__ import annotations

import importlib
import os
import platform
from typing import TYPE_CHECKING, Any

from dlcheck.bench.load import read_clock, read_loadavg
from dlcheck.bench.matmul import matmul_peak
from dlcheck.bench.measure import BACKEND_PACKAGES
from dlcheck.bench.results import Context

if TYPE_CHECKING:
    from dlcheck.bench.measure import Plan


def _device(backend: str) -> tuple[str, str]:
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if gpus:
                details = tf.config.experimental.get_device_details(gpus[0])
                return str(details.get("device_name", gpus[0].name)), "gpu"
        elif backend == "torch":
            import torch

            if torch.cuda.is_available():
                return torch.cuda.get_device_name(0), "gpu"
        elif backend == "jax":
            import jax

            dev = jax.devices()[0]
            if dev.platform != "cpu":
                return str(getattr(dev, "device_kind", dev.platform)), "gpu"
    except Exception as exc:  # noqa: BLE001 - the device stays unknown, with its reason
        return f"unknown ({exc})", "cpu"
    return "CPU", "cpu"


def _threads(backend: str) -> dict[str, str]:
    out = {
        k: v
        for k, v in os.environ.items()
        if k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
        or k.startswith("TF_NUM_")
    }
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            intra = tf.config.threading.get_intra_op_parallelism_threads()
            inter = tf.config.threading.get_inter_op_parallelism_threads()
            out["tf_intra_op"] = str(intra) + (" (all cores)" if intra == 0 else "")
            out["tf_inter_op"] = str(inter) + (" (default)" if inter == 0 else "")
        elif backend == "torch":
            import torch

            out["torch_threads"] = str(torch.get_num_threads())
    except Exception as exc:  # noqa: BLE001
        out["error"] = str(exc)
    return out


def collect_context(keras: Any, plan: Plan, with_matmul: bool = True) -> Context:
    """Versions, backend, device, threads, CPU and the matmul peak of this run."""
    import numpy as np

    from dlcheck.probes.context import probe_context
    from dlcheck.probes.cpu import probe_cpu

    backend = keras.backend.backend()
    pkg = importlib.import_module(BACKEND_PACKAGES.get(backend, backend))
    device, kind = _device(backend)
    cpu = probe_cpu(timeout=2.0)
    clock = read_clock()
    return Context(
        python=platform.python_version(),
        platform=platform.platform(),
        backend=backend,
        backend_version=str(getattr(pkg, "__version__", "")),
        keras_version=str(keras.__version__),
        numpy_version=np.__version__,
        device=device,
        device_kind=kind,
        cpu_model=cpu.model,
        logical_cores=cpu.logical_cores,
        usable_cores=cpu.usable_cores,
        threads=_threads(backend),
        cpu_freq_mhz_start=clock.current,
        cpu_freq_mhz_max=clock.max,
        matmul=(
            matmul_peak(keras, kind == "gpu", 0.25 if plan.name.startswith("quick") else 1.0)
            if with_matmul
            else None
        ),
        plan=plan.name,
        windows=plan.windows,
        window_seconds=plan.window_seconds,
        load_average=read_loadavg(),
        budget_seconds=plan.budget_seconds,
        target=plan.target,
        where=probe_context(),
    )
