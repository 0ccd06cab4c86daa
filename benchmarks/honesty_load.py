"""Verdicts under artificial load: `dlcheck bench --quick --json` on the machine as it is,
then with a CPU-burning process on one core (started and stopped by this script), N rounds.

    python benchmarks/honesty_load.py [--rounds 2] [--bench-args "--quick"]

Pass (issue 12): a loaded verdict is never the opposite extreme of the quiet one (the same, or
BORDERLINE), and the loaded run's output names the load.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys

from _common import load_average

from dlcheck.subprocesses import run_command

BURN = "import time\nwhile True:\n    time.perf_counter()\n"
RANK = {"PASS": 0, "WARN": 1, "FAIL": 2}


def bench(extra: list[str]) -> dict | None:
    res = run_command([sys.executable, "-m", "dlcheck", "bench", "--json", *extra], 600)
    if res.returncode not in (0, 1, 3) or not res.stdout:
        print(f"  bench failed: {res.error}")
        return None
    return json.loads(res.stdout)


def line(doc: dict) -> str:
    v, load = doc["verdict"], doc.get("load") or {}
    between = f" ({'/'.join(v['between'])})" if v.get("between") else ""
    notes = "; ".join(load.get("notes", [])) or "quiet"
    return (f"{v['verdict']}{between} {v['seconds']:.1f} s [{v['low']:.1f}, {v['high']:.1f}], "
            f"load: {notes}")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--bench-args", default="--quick")
    args = ap.parse_args()
    extra = shlex.split(args.bench_args)
    ok = True
    print(f"load average at start: {load_average()}")
    for i in range(args.rounds):
        quiet = bench(extra)
        burner = subprocess.Popen([sys.executable, "-c", BURN])  # noqa: S603 - fixed arguments
        try:
            loaded = bench(extra)
        finally:
            burner.terminate()
            burner.wait(10)
        if quiet is None or loaded is None:
            return 2
        q, ld = quiet["verdict"]["verdict"], loaded["verdict"]["verdict"]
        opposite = q in RANK and ld in RANK and abs(RANK[q] - RANK[ld]) == 2
        named = bool((loaded.get("load") or {}).get("notes"))
        ok = ok and not opposite and named
        print(f"round {i + 1}: quiet {line(quiet)}")
        print(f"round {i + 1}: one core burning {line(loaded)}")
        print(f"round {i + 1}: {'opposite extreme!' if opposite else 'not opposite'}, "
              f"load {'named' if named else 'NOT named'}")  # fmt: skip
    print(f"load average at end: {load_average()}")
    print("PASS: verdicts under load never flip to the opposite extreme and name the load" if ok
          else "FAIL: see the rounds above")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
