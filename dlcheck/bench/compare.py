"""Compare saved bench results, laptop against cloud: a function over result files, in the
spirit of ``pyperf compare_to``; the CLI only wires it up."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dlcheck.bench.results import BenchResult, Phase
from dlcheck.bench.stats import compare_samples
from dlcheck.errors import UserError


@dataclass(frozen=True)
class Cell:
    value: float | None
    ratio: float | None = None  # value / the first file's value
    significant: bool | None = None  # None: no windows to test (a prediction)


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


def _rates(phase: Phase | None) -> list[float]:
    return [w.rate for w in phase.windows] if phase else []


def _row(workload: str, figure: str, unit: str, digits: int, samples: list[list[float]],
         values: list[float | None]) -> Row:  # fmt: skip
    cells = []
    base = values[0]
    for i, v in enumerate(values):
        if v is None or i == 0 or base in (None, 0):
            cells.append(Cell(v))
            continue
        sig = None
        if len(samples[0]) >= 2 and len(samples[i]) >= 2:
            sig = compare_samples(samples[0], samples[i]).significant
        cells.append(Cell(v, v / base, sig))
    return Row(workload, figure, unit, digits, cells)


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
    for key, what in (("backend", "backends"), ("keras_version", "Keras versions")):
        vals = sorted({str(getattr(r.context, key)) for r in results})
        if len(vals) > 1:
            notes.append(f"Different {what}: {', '.join(vals)}.")
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
        preds = []
        for r in results:
            e = next((e for e in r.predictions.episodes if e.workload == w), None)
            preds.append(e.seconds if e else None)
        rows.append(_row(w, "predicted fit", " s", 0, [[] for _ in per], preds))
    for r in results:
        notes.append(f"{r.label()}: verdict {r.verdict.verdict} ({r.context.device}, "
                     f"{r.context.backend}, {r.created})")  # fmt: skip
    return Comparison(unique_labels(results), rows, notes)


def plot(comp: Comparison, path: str | Path) -> None:
    """Bar chart of training images/s per workload and file (matplotlib, Agg, no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in comp.rows if r.figure == "train img/s"]
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(rows) * len(comp.labels) / 2), 4.0))
    width = 0.8 / len(comp.labels)
    for i, label in enumerate(comp.labels):
        xs = [j + i * width for j in range(len(rows))]
        ys = [r.cells[i].value or 0.0 for r in rows]
        ax.bar(xs, ys, width=width, label=label)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(rows))], [r.workload for r in rows])
    ax.set_ylabel("training images/s (median of windows)")
    values = [c.value for r in rows for c in r.cells if c.value]
    if values and max(values) / min(values) > 20:
        ax.set_yscale("log")  # dense nets and DenseNet differ by 100x; bars start at 1 then
        ax.set_ylim(bottom=1)
    ax.set_title("dlcheck bench: training throughput")
    ax.legend()
    fig.tight_layout()
    try:
        fig.savefig(str(path), dpi=100)
    except (OSError, ValueError) as exc:
        raise UserError(str(path), f"cannot write the plot: {exc}") from None
    finally:
        plt.close(fig)
