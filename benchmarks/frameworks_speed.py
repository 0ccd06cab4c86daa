"""How long does `dlcheck check` take with its framework probes, against the bare minimum
(`python -c "import tensorflow as tf; tf.config.list_physical_devices()"`), in the same run?

Targets: `dlcheck check` median <= 1.3 x the baseline; `dlcheck check --no-frameworks`
median <= 0.5 s. Runs are interleaved (baseline, check, no-frameworks, ...) so that load from
other processes hits all three alike. Timings on a shared machine are noisy: read the ratios.

Usage: python benchmarks/frameworks_speed.py [--runs 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time

BASELINE = [
    sys.executable,
    "-c",
    "import tensorflow as tf; tf.config.list_physical_devices()",
]
TORCH = [sys.executable, "-c", "import torch; torch.cuda.is_available()"]
CHECK = [sys.executable, "-m", "dlcheck", "check", "--json"]
CORE = [*CHECK, "--no-frameworks"]


def timed(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, timeout=600, cwd=cwd, check=False)
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # dlcheck exits 1 for NOT READY: still a full report
        sys.exit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()[-500:]}")
    return took


def timed_pair(a: list[str], b: list[str], cwd: str) -> float:
    """Wall time of two commands started together: the least any tool answering for both
    TensorFlow and PyTorch must spend."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen(c, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for c in (a, b)
    ]
    for p in procs:
        p.wait(timeout=600)
    return time.perf_counter() - start


def torch_installed() -> bool:
    return importlib.util.find_spec("torch") is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    with tempfile.TemporaryDirectory() as cwd:
        # One warm-up of each, discarded: the first import reads the files from disk.
        for cmd in (BASELINE, CHECK, CORE):
            timed(cmd, cwd)
        times: dict[str, list[float]] = {"baseline": [], "check": [], "core": []}
        if torch_installed():
            times["pair"] = []
        for _ in range(args.runs):
            times["baseline"].append(timed(BASELINE, cwd))
            if "pair" in times:
                times["pair"].append(timed_pair(BASELINE, TORCH, cwd))
            times["check"].append(timed(CHECK, cwd))
            times["core"].append(timed(CORE, cwd))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"frameworks_speed: {args.runs} runs each, interleaved, after one warm-up ({env_note})")
    for key, label in (
        ("baseline", "import tensorflow; list_physical_devices()"),
        ("pair", "the same + `import torch` alongside"),
        ("check", "dlcheck check (with frameworks)"),
        ("core", "dlcheck check --no-frameworks"),
    ):
        if key not in times:
            continue
        runs = ", ".join(f"{t:.2f}" for t in times[key])
        print(f"  {label:45s} median {med[key]:6.2f} s   runs: {runs}")
    ratio = med["check"] / med["baseline"]
    print(
        f"  ratio check / baseline: {ratio:.2f} (target <= 1.3) {'OK' if ratio <= 1.3 else 'OVER'}"
    )
    if "pair" in med:
        print(
            f"  ratio check / (tensorflow + torch imported alongside): "
            f"{med['check'] / med['pair']:.2f} (PyTorch is installed, so dlcheck probes it too)"
        )
    ok = med["core"] <= 0.5
    print(
        f"  --no-frameworks median: {med['core']:.2f} s (target <= 0.5 s) {'OK' if ok else 'OVER'}"
    )


if __name__ == "__main__":
    main()
