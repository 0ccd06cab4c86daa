"""The framework probe that runs in its own Python process (standard library only).

Usage: python _child.py NAME [NAME ...]   (tensorflow, keras, torch, jax)

For each name it prints one line ``MARKER {json}`` as soon as that probe is done, so that a
later crash (Keras after TensorFlow, say) leaves the earlier records intact. A crash inside
``import`` kills this process, and the parent reads the signal from the exit status.
Never import dlcheck here: this must run even where dlcheck's own dependencies are broken.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

MARKER = "@@dlcheck-framework@@"
N = 24  # matrix size: big enough to use real kernels, exact in float32 (small integers)


def _a(i: int, j: int) -> float:
    return float((i + 2 * j) % 7 - 3)


def _b(i: int, j: int) -> float:
    return float((3 * i + j) % 5 - 2)


def operands() -> tuple[list[list[float]], list[list[float]], list[list[float]]]:
    """A, B and their exact product A @ B, computed in plain Python."""
    a = [[_a(i, j) for j in range(N)] for i in range(N)]
    b = [[_b(i, j) for j in range(N)] for i in range(N)]
    c = [[sum(a[i][k] * b[k][j] for k in range(N)) for j in range(N)] for i in range(N)]
    return a, b, c


def same(result: Any, expected: list[list[float]]) -> bool:
    rows = [list(map(float, row)) for row in result]
    return len(rows) == N and all(
        len(r) == N and all(abs(x - y) <= 1e-3 for x, y in zip(r, e))
        for r, e in zip(rows, expected)
    )


def one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def try_matmul(dev: dict[str, Any], fn: Callable[[], Any], expected: list[list[float]]) -> None:
    start = time.perf_counter()
    try:
        ok = same(fn(), expected)
        dev["matmul"] = "ok" if ok else "wrong"
    except Exception as exc:  # noqa: BLE001 - a failing device is a fact, not a crash
        dev["matmul"] = "error"
        dev["matmul_error"] = one_line(exc)
    dev["matmul_seconds"] = round(time.perf_counter() - start, 4)


def probe_tensorflow(rec: dict[str, Any]) -> None:
    start = time.perf_counter()
    import tensorflow as tf

    rec["import_seconds"] = round(time.perf_counter() - start, 3)
    rec["version"] = getattr(tf, "__version__", None)
    try:
        info = dict(tf.sysconfig.get_build_info())
        rec["build"] = {
            k: (v if isinstance(v, (str, bool, int, float)) or v is None else [str(x) for x in v])
            for k, v in info.items()
            if k
            in (
                "cuda_version",
                "cudnn_version",
                "is_cuda_build",
                "is_rocm_build",
                "cuda_compute_capabilities",
                "rocm_version",
            )
        }
    except Exception as exc:  # noqa: BLE001
        rec["build"] = {"error": one_line(exc)}
    a, b, c = operands()
    devices = []
    counts: dict[str, int] = {}
    for pd in tf.config.list_physical_devices():
        kind = pd.device_type.upper()
        idx = counts.get(kind, 0)
        counts[kind] = idx + 1
        dev: dict[str, Any] = {"name": f"/{kind}:{idx}", "kind": kind.lower()}
        if kind == "GPU":
            try:
                details = tf.config.experimental.get_device_details(pd)
                dev["model"] = details.get("device_name")
                cc = details.get("compute_capability")
                if cc:
                    dev["compute_capability"] = ".".join(str(x) for x in cc)
            except Exception:  # noqa: BLE001 - details are optional
                pass
        if kind in ("CPU", "GPU"):

            def run(name: str = dev["name"]) -> Any:
                with tf.device(name):
                    return tf.matmul(tf.constant(a), tf.constant(b)).numpy().tolist()

            try_matmul(dev, run, c)
        devices.append(dev)
    rec["devices"] = devices


def probe_torch(rec: dict[str, Any]) -> None:
    start = time.perf_counter()
    import torch

    rec["import_seconds"] = round(time.perf_counter() - start, 3)
    rec["version"] = getattr(torch, "__version__", None)
    build: dict[str, Any] = {"cuda_version": getattr(torch.version, "cuda", None)}
    build["hip_version"] = getattr(torch.version, "hip", None)
    build["is_cuda_build"] = build["cuda_version"] is not None
    build["is_rocm_build"] = build["hip_version"] is not None
    try:
        cudnn = torch.backends.cudnn.version() if build["is_cuda_build"] else None
        build["cudnn_version"] = str(cudnn) if cudnn else None
    except Exception:  # noqa: BLE001
        pass
    mps = getattr(torch.backends, "mps", None)
    build["mps_built"] = bool(mps and mps.is_built())
    rec["build"] = build
    a, b, c = operands()
    ta, tb = torch.tensor(a), torch.tensor(b)
    names = ["cpu"]
    try:
        if torch.cuda.is_available():
            names += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    except Exception as exc:  # noqa: BLE001
        rec["reason"] = f"torch.cuda: {one_line(exc)}"
    if mps is not None and mps.is_available():
        names.append("mps")
    devices = []
    for name in names:
        kind = "gpu" if name.startswith("cuda") else name
        dev: dict[str, Any] = {"name": name, "kind": kind}
        if name.startswith("cuda"):
            i = int(name.split(":")[1])
            try:
                dev["model"] = torch.cuda.get_device_name(i)
                dev["compute_capability"] = ".".join(map(str, torch.cuda.get_device_capability(i)))
            except Exception:  # noqa: BLE001
                pass

        def run(name: str = name) -> Any:
            out = (ta.to(name) @ tb.to(name)).cpu()
            return out.tolist()

        try_matmul(dev, run, c)
        devices.append(dev)
    rec["devices"] = devices


def probe_jax(rec: dict[str, Any]) -> None:
    start = time.perf_counter()
    import jax
    import jax.numpy as jnp

    rec["import_seconds"] = round(time.perf_counter() - start, 3)
    rec["version"] = getattr(jax, "__version__", None)
    try:
        import jaxlib

        rec["build"] = {"jaxlib_version": getattr(jaxlib, "__version__", None)}
    except Exception:  # noqa: BLE001
        pass
    a, b, c = operands()
    devices = []
    for d in jax.devices():
        kind = d.platform if d.platform in ("cpu", "gpu", "tpu") else "other"
        if d.platform in ("cuda", "rocm"):
            kind = "gpu"
        dev: dict[str, Any] = {"name": f"{d.platform}:{d.id}", "kind": kind}
        dev["model"] = getattr(d, "device_kind", None)
        cc = getattr(d, "compute_capability", None)
        if cc:
            dev["compute_capability"] = str(cc)

        def run(d: Any = d) -> Any:
            x = jax.device_put(jnp.asarray(a, dtype=jnp.float32), d)
            y = jax.device_put(jnp.asarray(b, dtype=jnp.float32), d)
            return jax.device_get(x @ y).tolist()

        try_matmul(dev, run, c)
        devices.append(dev)
    rec["devices"] = devices


def probe_keras(rec: dict[str, Any]) -> None:
    start = time.perf_counter()
    import keras

    rec["import_seconds"] = round(time.perf_counter() - start, 3)
    rec["version"] = getattr(keras, "__version__", None)
    backend = getattr(keras, "backend", None)
    try:
        rec["backend"] = backend.backend() if backend is not None else None
    except Exception:  # noqa: BLE001
        pass
    ops = getattr(keras, "ops", None)
    if ops is None:  # Keras 2 has no keras.ops; the version says enough
        return
    a, b, c = operands()
    dev: dict[str, Any] = {"name": "default", "kind": "default"}

    def run() -> Any:
        return ops.convert_to_numpy(ops.matmul(ops.convert_to_tensor(a), ops.convert_to_tensor(b)))

    try_matmul(dev, run, c)
    rec["devices"] = [dev]


PROBES: dict[str, Callable[[dict[str, Any]], None]] = {
    "tensorflow": probe_tensorflow,
    "torch": probe_torch,
    "jax": probe_jax,
    "keras": probe_keras,
}


def main(names: list[str]) -> int:
    for name in names:
        rec: dict[str, Any] = {"name": name, "status": "ok"}
        start = time.perf_counter()
        try:
            PROBES[name](rec)
        except ImportError as exc:
            rec["status"] = "import-error"
            rec["reason"] = one_line(exc)
        except Exception as exc:  # noqa: BLE001 - any failure is a fact about the framework
            # An exception before the import finished is an import failure.
            rec["status"] = "error" if "import_seconds" in rec else "import-error"
            rec["reason"] = one_line(exc)
            rec["stderr_tail"] = traceback.format_exc().strip().splitlines()[-3:]
        bad = [d["name"] for d in rec.get("devices", []) if d.get("matmul") in ("wrong", "error")]
        if rec["status"] == "ok" and bad:
            rec["status"] = "error"
            rec["reason"] = f"matrix product failed or was wrong on {', '.join(bad)}"
        rec["seconds"] = round(time.perf_counter() - start, 3)
        sys.stdout.write(MARKER + " " + json.dumps(rec) + "\n")
        sys.stdout.flush()
    return 0


def die_with_parent(interval: float = 0.5) -> None:
    """End this probe when dlcheck is gone, however it went (even SIGKILL, which no handler
    of dlcheck's sees): a daemon thread watches the parent's pid."""
    import os
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


if __name__ == "__main__":
    die_with_parent()
    sys.exit(main(sys.argv[1:]))
