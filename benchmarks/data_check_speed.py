#!/usr/bin/env python3
"""How long `dlcheck data check` takes over the four Dollar Street files (issue 30: "reads
only their headers, under 0.1 s on a warm cache").

    python benchmarks/data_check_speed.py

Writes the four .npy files at the lesson's sizes (878 training and 293 test images of
64x64x3 int32: about 43 and 14 MB) into a temporary folder, warms the cache by reading them
once, then times the proof of the four (best of 5) against the baseline of the same run:
reading the four files whole, as `np.load` must. Prints both and their ratio.
"""

from __future__ import annotations

import struct
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dlcheck.lessondata.facts import inspect_file  # noqa: E402
from dlcheck.lessondata.places import lab_roots  # noqa: E402
from dlcheck.lessondata.table import load_table  # noqa: E402


def npy(descr: str, shape: tuple[int, ...], itemsize: int) -> bytes:
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}"
    text = (header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n").encode("latin-1")
    n = 1
    for d in shape:
        n *= d
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + bytes(n * itemsize)


def best(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    table = load_table()
    dollar = [f for f in table.files if f.name.endswith(".npy")]
    sizes = {"train": 878, "test": 293}
    with tempfile.TemporaryDirectory() as folder:
        roots = lab_roots(folder)
        paths = []
        for f in dollar:
            n = sizes[f.name.split("_")[0]]
            data = npy("<i4", (n, 64, 64, 3), 4) if "images" in f.name else npy("<i8", (n,), 8)
            path = Path(folder).joinpath(*f.place.path.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            paths.append(path)

        def whole() -> None:
            for p in paths:
                p.read_bytes()

        def proof() -> None:
            for f in dollar:
                assert inspect_file(f, roots).problem is None

        whole()  # the warm cache
        t_whole, t_proof = best(whole), best(proof)
    mb = (878 + 293) * 64 * 64 * 3 * 4 / 1e6
    print(f"four Dollar Street files (~{mb:.0f} MB of images), warm cache, best of 5:")
    print(f"  reading them whole (baseline): {t_whole * 1000:8.2f} ms")
    print(f"  dlcheck's proof (headers):     {t_proof * 1000:8.2f} ms")
    print(f"  ratio proof/whole:             {t_proof / t_whole:8.4f}")
    print(f"  under 0.1 s: {'yes' if t_proof < 0.1 else 'NO'}")


if __name__ == "__main__":
    main()
