"""Make a packaged reference result: saved to benchmarks/results/ID.json and copied to
dlcheck/bench/references/ (package data).

    python benchmarks/make_reference.py ID "description of the machine" [--place PLACE_ID]
    python benchmarks/make_reference.py ID "description" --place colab --from cloud.bench.json

Without --from it measures this machine (`dlcheck bench --all`). With --from it takes a result
measured elsewhere (the cloud notebook's cloud.bench.json), unchanged: the raw file is kept
byte for byte as benchmarks/results/raw/ID.bench.json, and the reference differs from it only
in `machine` (this id, description and place) and `hostname` (removed). A --place must be
where the file says it ran (its context's `where`). See benchmarks/results/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# place ids of places.toml -> the contexts (dlcheck/probes/context.py) that prove them
PLACE_CONTEXTS = {
    "colab": ("colab",),
    "kaggle": ("kaggle",),
    "studiolab": ("sagemaker",),
    "binder": ("binder",),
    "hpc": ("slurm", "pbs", "lsf"),
}


def measure(backend: str):  # noqa: ANN201 - a BenchResult, or None when interrupted
    from dlcheck.bench.measure import DEFAULT, setup_backend
    from dlcheck.bench.predict import bench_settings
    from dlcheck.bench.suite import judge_bench, run_suite
    from dlcheck.bench.workloads import load_workloads
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile

    keras = setup_backend(backend)
    workloads = load_workloads()
    chosen = sorted(workloads, key=lambda w: (not w.headline, w.episode))
    plan = dataclasses.replace(DEFAULT, name="default+all", per_workload=True)
    settings = bench_settings(load_profile().settings)
    run = run_suite(
        keras, chosen, workloads, plan, settings, load_places(),
        progress=lambda w, stage, done, total: print(w, stage, done, total),
    )  # fmt: skip
    return None if run.interrupted else judge_bench(run)


def from_raw(raw: Path, place: str | None, root: Path, ref_id: str):  # noqa: ANN201
    """The result in ``raw``, checked; the raw file kept as results/raw/ID.bench.json."""
    from dlcheck.bench.results import load_result

    result = load_result(raw)  # a malformed file: one line, exit 2 (UserError)
    if place is not None:
        proofs = PLACE_CONTEXTS.get(place, (place,))
        where = result.context.where
        if not where or not any(c in where for c in proofs):
            raise SystemExit(
                f"{raw}: it does not say it ran in {place} (where: {where}); a reference for a "
                "place must be measured there"
            )
    kept = root / "benchmarks" / "results" / "raw" / f"{ref_id}.bench.json"
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(raw, kept)
    return result


def make(args: argparse.Namespace, root: Path = ROOT) -> Path:
    from dlcheck.bench.results import MachineNote, save_result

    if args.raw:
        result = from_raw(Path(args.raw), args.place, root, args.id)
    else:
        result = measure(args.backend)
        if result is None:
            raise SystemExit(130)
    result = dataclasses.replace(
        result,
        hostname=None,  # a reference describes a machine type, not a host
        machine=MachineNote(args.id, args.description, args.place),
    )
    out = root / "benchmarks" / "results" / f"{args.id}.json"
    save_result(result, out)
    shutil.copyfile(out, root / "dlcheck" / "bench" / "references" / out.name)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("id")
    ap.add_argument("description")
    ap.add_argument("--place", help="place id from places.toml this machine stands for")
    ap.add_argument("--backend", default="tensorflow")
    ap.add_argument("--from", dest="raw", metavar="FILE", help="a result measured elsewhere")
    args = ap.parse_args(argv)
    from dlcheck.errors import UserError

    try:
        out = make(args, ROOT)
    except UserError as exc:
        print(f"make_reference: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out} and its packaged copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
