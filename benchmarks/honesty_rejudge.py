"""Re-judge the rounds an honesty run kept (`honesty_prediction.py --keep FILE.jsonl`) with
this checkout's code and packaged references: each kept `dlcheck bench` document is loaded and
assembled again (same measurements, today's prediction model and intervals) and compared with
the lesson fit kept in the same round. Judges a change of the model against rounds already
run, without measuring again (a new measurement is a new honesty run).

    python benchmarks/honesty_rejudge.py FILE.jsonl

Prints one line per round and prediction, then per episode the median of the per-round
predicted/actual ratios and how often the actual fell inside the interval (episode 5: its
first N epochs, as the lesson side ran them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

from dlcheck.bench.grading import BenchSettings
from dlcheck.bench.results import result_from_dict
from dlcheck.bench.suite import assemble
from dlcheck.bench.workloads import load_workloads
from dlcheck.places import load_places


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("kept", help="a --keep file of honesty_prediction.py")
    args = ap.parse_args()
    try:
        with open(args.kept, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as exc:
        print(f"{args.kept}: {exc}", file=sys.stderr)
        return 2
    workloads, places, settings = load_workloads(), load_places(), BenchSettings()
    rounds: dict[int, list[dict]] = {}
    for r in rows:
        rounds.setdefault(r["round"], []).append(r)
    stats: dict[str, dict] = {}
    for rnd, rs in sorted(rounds.items()):
        lessons = {r["episode"]: r["doc"] for r in rs if r["side"] == "lesson"}
        for r in rs:
            if r["side"] != "bench":
                continue
            doc = {k: v for k, v in r["doc"].items() if k != "_wall"}
            res = result_from_dict(doc, args.kept)
            new = assemble(workloads, res.context, res.results, settings, places,
                           load=res.load, created=res.created, hostname=res.hostname)  # fmt: skip
            timed5 = r["episode"] == 5
            for p in new.predictions.episodes:
                if p.episode not in lessons or (timed5 and p.episode != 5):
                    continue
                key = "5 timed" if timed5 else str(p.episode)
                act = lessons[p.episode]["fit_seconds"]
                pred, low, high = p.seconds, p.low, p.high
                if p.episode == 5:  # the lesson side ran the first N epochs
                    n = len(lessons[5]["epoch_seconds"])
                    pred = p.warmup_seconds + n * p.seconds_per_epoch
                    low, high = low * pred / p.seconds, high * pred / p.seconds
                inside = low <= act <= high
                s = stats.setdefault(key, {"inside": 0, "n": 0, "ratios": []})
                s["n"] += 1
                s["inside"] += inside
                s["ratios"].append(pred / act)
                print(f"round {rnd} episode {key} ({p.basis}): predicted {pred:.1f} s "
                      f"[{low:.1f}, {high:.1f}], actual {act:.1f} s, "
                      f"{'inside' if inside else 'OUTSIDE'}")  # fmt: skip
    print()
    for key, s in stats.items():
        print(f"episode {key}: ratio median {statistics.median(s['ratios']):.3f}, "
              f"inside {s['inside']}/{s['n']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
