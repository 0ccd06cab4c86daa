"""Compare saved bench results, laptop against cloud: a function over result files, in the
spirit of ``pyperf compare_to``; the CLI only wires it up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.bench.results import BenchResult, Phase
from dlcheck.bench.stats import compare_samples, median_ci
from dlcheck.errors import UserError
from dlcheck.sanitize import clean


@dataclass(frozen=True)
class Cell:
    value: float | None  # None: the figure is missing from that file
    ratio: float | None = None  # value / the first file's value
    significant: bool | None = None  # None: no windows to test (a prediction)
    low: float | None = None  # the measured spread: 95% CI of the median, or the interval
    high: float | None = None


@dataclass(frozen=True)
class Row:
    workload: str
    figure: str
    unit: str
    digits: int
    cells: list[Cell]


@dataclass(frozen=True)
class Comparison:
    labels: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    baseline: str = ""  # the label of the file ratios are relative to


def _rates(phase: Phase | None) -> list[float]:
    return [w.rate for w in phase.windows] if phase else []


def _row(workload: str, figure: str, unit: str, digits: int, samples: list[list[float]],
         values: list[float | None],
         bounds: list[tuple[float | None, float | None]] | None = None) -> Row:  # fmt: skip
    cells = []
    base = values[0]
    for i, v in enumerate(values):
        lo, hi = bounds[i] if bounds else (None, None)
        if lo is None and samples[i]:
            lo, hi = median_ci(samples[i])
        if v is None or i == 0 or base in (None, 0):
            cells.append(Cell(v, low=lo if v is not None else None,
                              high=hi if v is not None else None))  # fmt: skip
            continue
        sig = None
        if len(samples[0]) >= 2 and len(samples[i]) >= 2:
            sig = compare_samples(samples[0], samples[i]).significant
        cells.append(Cell(v, v / base, sig, lo, hi))
    return Row(workload, figure, unit, digits, cells)


def _threads(r: BenchResult) -> str:
    t = r.context.threads
    keys = ("tf_intra_op", "tf_inter_op", "torch_threads", "OMP_NUM_THREADS")
    bits = [f"{k}={t[k]}" for k in keys if k in t]
    cores = r.context.usable_cores or r.context.logical_cores
    if cores:
        bits.append(f"{cores:g} usable cores")
    return ", ".join(bits) or "unknown"


def _load(r: BenchResult) -> str:
    if r.load is None:
        return "not recorded"
    if not r.load.busy:
        return "quiet"
    share = f"{r.load.other_share:.0%} of the cores" if r.load.other_share is not None else ""
    return f"busy ({share or 'see notes'})"


def unique_labels(results: list[BenchResult]) -> list[str]:
    labels = []
    for r in results:
        label = r.label()
        while label in labels:
            label += "'"
        labels.append(label)
    return labels


def compare(results: list[BenchResult]) -> Comparison:
    """Rows of every workload in any file; ratios and significance against the first file."""
    if len(results) < 2:
        raise UserError(None, "compare needs at least two result files")
    notes = []
    versions = sorted({r.dlcheck_version for r in results})
    if len(versions) > 1:
        notes.append(f"Results come from different dlcheck versions: {', '.join(versions)}.")
    labels = unique_labels(results)
    for key, what in (("backend", "backends"), ("keras_version", "Keras versions")):
        vals = [str(getattr(r.context, key)) for r in results]
        if len(set(vals)) > 1:
            per = ", ".join(f"{labels[i]} {v}" for i, v in enumerate(vals))
            notes.append(f"Different {what}: {per}.")
    old = [labels[i] for i, r in enumerate(results)
           if r.results and all(w.components is None for w in r.results.values())]  # fmt: skip
    if old and len(old) < len(results):
        notes.append(
            f"{', '.join(old)}: measured by an older dlcheck whose windows were whole epochs "
            "(start and end included); newer windows count full batches only, so compare the "
            "predicted fit rather than training images/s."
        )
    threads = [_threads(r) for r in results]
    if len(set(threads)) > 1:
        per = "; ".join(f"{labels[i]}: {t}" for i, t in enumerate(threads))
        notes.append(f"Different thread counts: {per}.")
    loads = [_load(r) for r in results]
    if len(set(loads)) > 1 or any(x.startswith("busy") for x in loads):
        per = "; ".join(f"{labels[i]}: {x}" for i, x in enumerate(loads))
        notes.append(f"Load conditions differ or were busy: {per}.")
    for r in results:
        if r.interrupted:
            notes.append(f"{r.label()} was interrupted: some workloads are missing.")
    order: list[str] = []
    for r in results:
        order.extend(w for w in r.results if w not in order)
    rows = []
    for w in order:
        per = [r.results.get(w) for r in results]
        train = [_rates(x.train) if x else [] for x in per]
        val = [_rates(x.inference) if x else [] for x in per]
        rows.append(_row(w, "train img/s", "", 1, train,
                         [x.train.images_per_s.median if x else None for x in per]))  # fmt: skip
        if any(val):
            rows.append(_row(w, "val img/s", "", 1, val, [
                x.inference.images_per_s.median if x and x.inference else None for x in per
            ]))  # fmt: skip
        preds, bounds = [], []
        for r in results:
            e = next((e for e in r.predictions.episodes if e.workload == w), None)
            preds.append(e.seconds if e else None)
            bounds.append((e.low, e.high) if e else (None, None))
        rows.append(_row(w, "predicted fit", " s", 0, [[] for _ in per], preds, bounds))
    for r in results:
        notes.append(f"{r.label()}: verdict {r.verdict.verdict} ({r.context.device}, "
                     f"{r.context.backend}, {r.created})")  # fmt: skip
    notes = [clean(n, 1000) for n in notes]
    labels = [clean(x, 80) for x in labels]
    return Comparison(labels, rows, notes, labels[0])


def require_matplotlib() -> None:
    """UserError (one line, exit 2) when matplotlib is missing: checked before any work."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise UserError(
            None, "--plot needs matplotlib, which is not installed: pip install matplotlib"
        )


def plot(comp: Comparison, path: str | Path, scale: str = "auto") -> None:
    """Bar chart of training images/s per workload and file (matplotlib, Agg, no display),
    with the 95% CI of each median as error bars; a workload missing from a file is marked
    "missing" rather than drawn as zero. ``scale``: auto (log when values differ by more than
    20x), linear or log."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in comp.rows if r.figure == "train img/s"]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(rows) * len(comp.labels) / 2), 4.0))
    width = 0.8 / len(comp.labels)
    values = [c.value for r in rows for c in r.cells if c.value]
    log = scale == "log" or (
        scale == "auto" and bool(values) and max(values) / min(values) > 20
    )  # dense nets and DenseNet differ by 100x
    floor = 1.0 if log else 0.0
    for i, label in enumerate(comp.labels):
        xs, ys, errs, gone = [], [], [[], []], []
        for j, r in enumerate(rows):
            c = r.cells[i]
            if c.value is None:
                gone.append(j + i * width)
                continue
            xs.append(j + i * width)
            ys.append(c.value)
            errs[0].append(max(0.0, c.value - (c.low if c.low is not None else c.value)))
            errs[1].append(max(0.0, (c.high if c.high is not None else c.value) - c.value))
        ax.bar(xs, ys, width=width, label=label, yerr=errs, capsize=3)
        for x in gone:
            ax.text(x, floor, "missing", rotation=90, ha="center", va="bottom", fontsize=8)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))], [r.workload for r in rows])
    ax.set_ylabel("training images/s (median, 95% CI)")
    if log:
        ax.set_yscale("log")
        ax.set_ylim(bottom=1)
    ratio_note = f"ratios in the table are relative to {comp.baseline}" if comp.baseline else ""
    ax.set_title(f"dlcheck bench: training throughput\n{ratio_note}", fontsize=10)
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(str(path), dpi=100)
    except (OSError, ValueError) as exc:
        raise UserError(str(path), f"cannot write the plot: {exc}") from None
    finally:
        plt.close(fig)
