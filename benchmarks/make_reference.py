"""Measure this machine for the reference results: `dlcheck bench --all` with a description,
saved to benchmarks/results/ID.json and copied to dlcheck/bench/references/ (package data).

    python benchmarks/make_reference.py ID "description of the machine" [--place PLACE_ID]
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from pathlib import Path

from dlcheck.bench.measure import DEFAULT, setup_backend
from dlcheck.bench.predict import bench_settings
from dlcheck.bench.results import MachineNote, save_result
from dlcheck.bench.suite import run_suite
from dlcheck.bench.workloads import load_workloads
from dlcheck.places import load_places
from dlcheck.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("id")
    ap.add_argument("description")
    ap.add_argument("--place", help="place id from places.toml this machine stands for")
    ap.add_argument("--backend", default="tensorflow")
    args = ap.parse_args()
    keras = setup_backend(args.backend)
    workloads = load_workloads()
    chosen = sorted(workloads, key=lambda w: (not w.headline, w.episode))
    plan = dataclasses.replace(DEFAULT, name="default+all", per_workload=True)
    settings = bench_settings(load_profile().settings)
    run = run_suite(
        keras, chosen, workloads, plan, settings, load_places(),
        progress=lambda w, stage, done, total: print(w, stage, done, total),
    )  # fmt: skip
    if run.interrupted:
        return 130
    result = dataclasses.replace(
        run.result,
        hostname=None,  # a reference describes a machine type, not a host
        machine=MachineNote(args.id, args.description, args.place),
    )
    out = ROOT / "benchmarks" / "results" / f"{args.id}.json"
    save_result(result, out)
    shutil.copyfile(out, ROOT / "dlcheck" / "bench" / "references" / out.name)
    print(f"wrote {out} and its packaged copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
