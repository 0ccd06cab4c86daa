#!/usr/bin/env python3
"""How parse_pip_lock's time grows with the length of one line (issue 9, item 7).

    python benchmarks/lock_parse_speed.py

For each hostile line shape, times parsing at 100 kB and 1 MB and prints the ratio: about 10
means linear, about 100 quadratic. Also times the real envs/cpu/pylock.txt.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dlcheck.envs.locks import parse_pip_lock  # noqa: E402
from dlcheck.errors import UserError  # noqa: E402

SHAPES = {
    "blanks in a marker": lambda n: "a==1 ;" + " " * n + "x",
    "blanks before junk": lambda n: "a==1" + " " * n + "x",
    "huge name": lambda n: "a" * n,
    "huge hash": lambda n: "a==1 --hash=sha256:" + "0" * n,
    "continuations": lambda n: "a==1 \\\n" + "  \\\n" * (n // 4),
}


def seconds(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        try:
            parse_pip_lock(text, "bench.txt")
        except UserError:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print(f"{'shape':22} {'100 kB':>10} {'1 MB':>10} {'ratio':>7}")
    for name, make in SHAPES.items():
        small, big = seconds(make(100_000) + "\n"), seconds(make(1_000_000) + "\n")
        ratio = big / small if small > 0 else float("nan")
        print(f"{name:22} {small * 1000:9.2f}ms {big * 1000:9.2f}ms {ratio:7.1f}")
    lock = Path(__file__).resolve().parents[1] / "envs" / "cpu" / "pylock.txt"
    t = seconds(lock.read_text(encoding="utf-8"))
    print(f"envs/cpu/pylock.txt ({lock.stat().st_size // 1024} kB): {t * 1000:.1f} ms")


if __name__ == "__main__":
    main()
