"""The timing harness: warm-up measured and set aside, then timed windows of the lesson's own
``model.fit`` and ``model.evaluate`` calls on synthetic data, with memory and context.

Windows are whole ``fit`` epochs of ``k`` batches (``steps_per_epoch=k``, ``k`` dividing the
epoch's batch count so that windows line up with the lesson's epochs; the partial last batch
and the per-epoch reshuffle fall inside the windows as they do in the lesson), grouped until a
window lasts at least ``window_seconds``. Timestamps are taken at epoch boundaries only, so the
harness adds one Python call per window to what a bare ``model.fit`` does.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlcheck.bench.models import build_model, count_params, model_cost
from dlcheck.bench.results import (
    Context,
    Matmul,
    Window,
    WorkloadResult,
    make_phase,
    throttling_of,
)
from dlcheck.bench.synthetic import make_arrays
from dlcheck.bench.workloads import Workload
from dlcheck.errors import UserError

BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}

Progress = Callable[[str, str, int, int], None]  # workload id, stage, done, total


@dataclass(frozen=True)
class Plan:
    name: str
    windows: int = 7  # timed windows per phase (at least 5)
    window_seconds: float = 3.0  # minimum length of a window


# An inference window lasts at least this fraction of a training window: one validation
# pass of the reference CNN is then one window, as each epoch of the lesson runs one.
VAL_WINDOW_FRACTION = 0.2

QUICK = Plan("quick", windows=5, window_seconds=1.5)
DEFAULT = Plan("default", windows=7, window_seconds=3.0)


def require_backend(backend: str) -> None:
    """UserError unless Keras and ``backend``'s package are installed (nothing imported)."""
    if backend not in BACKEND_PACKAGES:
        raise UserError(None, f"unknown backend '{backend}' (tensorflow, jax or torch)")
    pkg = BACKEND_PACKAGES[backend]
    if importlib.util.find_spec(pkg) is None:
        raise UserError(
            None,
            f"the {backend} backend needs the '{pkg}' package, which is not installed here "
            f"(install it, or use --backend tensorflow with pip install 'dlcheck[bench]')",
        )
    if importlib.util.find_spec("keras") is None:
        raise UserError(None, "dlcheck bench needs Keras 3: pip install 'dlcheck[bench]'")


def setup_backend(backend: str) -> Any:
    """Import Keras on ``backend`` (KERAS_BACKEND is set before the import); UserError when the
    backend's package or Keras is missing, or Keras was already imported on another backend."""
    require_backend(backend)
    if "keras" in sys.modules:
        keras = sys.modules["keras"]
        current = keras.backend.backend()
        if current != backend:
            raise UserError(None, f"Keras is already loaded on the {current} backend here")
        return keras
    os.environ["KERAS_BACKEND"] = backend
    # TensorFlow's C++ start-up notices are noise for a learner; errors still show.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    keras = importlib.import_module("keras")
    major = int(str(keras.__version__).split(".")[0])
    if major < 3:
        raise UserError(None, f"Keras {keras.__version__} found; dlcheck bench needs Keras 3")
    return keras


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


def cpu_freq() -> tuple[float | None, float | None]:
    try:
        import psutil

        f = psutil.cpu_freq()
    except Exception:  # noqa: BLE001 - not visible in many VMs
        return None, None
    if not f:
        return None, None
    return (f.current or None), (f.max or None)


def collect_context(keras: Any, plan: Plan, with_matmul: bool = True) -> Context:
    """Versions, backend, device, threads, CPU and the matmul peak of this run."""
    import numpy as np

    from dlcheck.probes.cpu import probe_cpu

    backend = keras.backend.backend()
    pkg = importlib.import_module(BACKEND_PACKAGES.get(backend, backend))
    device, kind = _device(backend)
    cpu = probe_cpu(timeout=2.0)
    freq, fmax = cpu_freq()
    try:
        load = [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        load = []
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
        cpu_freq_mhz_start=freq,
        cpu_freq_mhz_max=fmax,
        matmul=matmul_peak(keras, kind == "gpu") if with_matmul else None,
        plan=plan.name,
        windows=plan.windows,
        window_seconds=plan.window_seconds,
        load_average=load,
    )


def _divisor_at_least(n: int, k: int) -> int:
    for d in range(max(1, k), n + 1):
        if n % d == 0:
            return d
    return n


def _batch_sizes(n: int, batch: int) -> list[int]:
    sizes = [batch] * (n // batch)
    if n % batch:
        sizes.append(n % batch)
    return sizes


def _timer_class(keras: Any) -> type:
    """A Keras callback class that groups fit epochs into timed windows of at least
    ``seconds``. With ``after_training`` only the part of each epoch after its last training
    batch counts: what the validation pass adds to an epoch, wrapper and bookkeeping included."""

    class WindowTimer(keras.callbacks.Callback):
        def __init__(
            self,
            unit_images: Callable[[int], int],
            unit_steps: int,
            windows: int,
            seconds: float,
            tick: Callable[[int], None],
            after_training: bool = False,
        ) -> None:
            super().__init__()
            self.unit_images, self.unit_steps = unit_images, unit_steps
            self.target, self.seconds, self.tick = windows, seconds, tick
            self.after_training = after_training
            self.windows: list[Window] = []
            self.start = self.mark = self.acc = 0.0
            self.images = self.steps = 0

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            if epoch == 0:
                self.start = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if self.after_training:
                self.mark = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            now = time.perf_counter()
            self.images += self.unit_images(epoch)
            self.steps += self.unit_steps
            if self.after_training:
                self.acc += now - self.mark
            else:
                self.acc = now - self.start
            if self.acc >= self.seconds:
                self.windows.append(Window(self.acc, self.images, self.steps))
                self.start, self.images, self.steps, self.acc = now, 0, 0, 0.0
                self.tick(len(self.windows))
                if len(self.windows) >= self.target:
                    self.model.stop_training = True

    return WindowTimer


def _measure_validation(
    workload: Workload,
    keras: Any,
    model: Any,
    data: Any,
    plan: Plan,
    total: int,
    tell: Progress,
) -> Any:
    """Inference as the lesson pays for it: the validation pass ``fit`` runs at each epoch end.
    Windows are fit epochs of one training batch plus a validation pass, timed from the end
    of the training batch to the end of the epoch. A subset of whole batches
    stands in for the validation set when one pass would be long (episode 5)."""
    bs = workload.batch_size
    xv, yv = data.x_val, data.y_val
    nv = len(xv)
    nbv = -(-nv // bs)
    tell(workload.id, "validation", 1 + plan.windows, total)
    warm_v = min(nv, bs + (nv % bs or bs))
    t0 = time.perf_counter()
    model.evaluate(xv[:warm_v], yv[:warm_v], batch_size=bs, verbose=0)
    vwarm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.evaluate(xv[:bs], yv[:bs], batch_size=bs, verbose=0)
    vstep = time.perf_counter() - t0
    window_s = plan.window_seconds * VAL_WINDOW_FRACTION
    # The whole validation set, as the lesson, unless one pass would be long (episode 5 on a
    # CPU). ``vstep`` includes evaluate's call overhead, so the estimate errs long: be lenient.
    kv = nbv
    if nbv * vstep > max(4 * plan.window_seconds, 10.0):
        kv = int(min(nbv, max(1, plan.window_seconds // max(vstep, 1e-6))))
    if kv < nbv:
        xv, yv = xv[: kv * bs], yv[: kv * bs]
    images = len(xv)
    timer = _timer_class(keras)(
        lambda e: images, kv, plan.windows, window_s,
        lambda i: tell(workload.id, "validation", 1 + plan.windows + i, total),
        after_training=True,
    )  # fmt: skip
    model.fit(
        data.x_train[:bs],
        data.y_train[:bs],
        batch_size=bs,
        epochs=10**6,
        validation_data=(xv, yv),
        verbose=0,
        callbacks=[timer],
    )
    return make_phase("inference", bs, vwarm_s, warm_v, timer.windows, "validation")


def measure_workload(
    workload: Workload,
    keras: Any,
    plan: Plan,
    matmul: float | None,
    progress: Progress | None = None,
) -> WorkloadResult:
    """Time ``workload``: warm-up, then ``plan.windows`` windows of training and inference."""
    tell = progress or (lambda *a: None)
    total = 2 + 2 * plan.windows
    sampler = RssSampler()
    try:
        t0 = time.perf_counter()
        keras.utils.set_random_seed(0)
        model = build_model(workload, keras)
        build_seconds = time.perf_counter() - t0
        params, trainable = count_params(model)
        cost = model_cost(model)
        data = make_arrays(workload)
        bs = workload.batch_size
        n, nb = workload.train, workload.train_batches()
        sizes = _batch_sizes(n, bs)

        # Warm-up: tracing and the first full and partial batches, as the lesson's first epoch.
        tell(workload.id, "warm-up", 0, total)
        warm_n = min(n, bs + (n % bs or bs))
        t0 = time.perf_counter()
        model.fit(data.x_train[:warm_n], data.y_train[:warm_n], batch_size=bs, verbose=0)
        warm_s = time.perf_counter() - t0
        # Calibration: one more short fit gives the step time the window size is chosen from.
        cal_n = min(n, 2 * bs)
        t0 = time.perf_counter()
        model.fit(data.x_train[:cal_n], data.y_train[:cal_n], batch_size=bs, verbose=0)
        step_est = (time.perf_counter() - t0) / -(-cal_n // bs)

        # Training windows: model.fit with no validation, as a bare fit would run.
        tell(workload.id, "training", 1, total)
        k = _divisor_at_least(nb, int(plan.window_seconds / max(step_est, 1e-6)))

        def unit_images(epoch: int) -> int:
            first = (epoch * k) % nb
            return sum(sizes[first : first + k])

        timer = _timer_class(keras)(
            unit_images, k, plan.windows, plan.window_seconds,
            lambda i: tell(workload.id, "training", 1 + i, total),
        )  # fmt: skip
        model.fit(
            data.x_train,
            data.y_train,
            batch_size=bs,
            epochs=10**6,
            steps_per_epoch=None if k == nb else k,
            verbose=0,
            callbacks=[timer],
        )
        train = make_phase("train", bs, warm_s, warm_n, timer.windows, "train")
        inference = None
        if data.x_val is not None:
            inference = _measure_validation(workload, keras, model, data, plan, total, tell)
    finally:
        peak, increase = sampler.stop()
    achieved = cost.train_flops * train.images_per_s.median
    tell(workload.id, "done", total, total)
    return WorkloadResult(
        workload=workload.id,
        episode=workload.episode,
        title=workload.title,
        params=params,
        trainable_params=trainable,
        build_seconds=build_seconds,
        train=train,
        inference=inference,
        forward_flops_per_image=cost.forward_flops,
        train_flops_per_image=cost.train_flops,
        achieved_train_flops=achieved,
        utilisation=achieved / matmul if matmul else None,
        peak_rss_bytes=peak,
        rss_increase_bytes=increase,
        throttling=throttling_of(train.windows),
    )
