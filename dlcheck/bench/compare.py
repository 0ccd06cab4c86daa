"""Compare saved bench results, laptop against cloud: a function over result files, in the
spirit of ``pyperf compare_to``; the CLI only wires it up."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlcheck.bench.grading import BenchSettings, grade, grade_interval
from dlcheck.bench.results import BenchResult, EpisodePrediction, Phase
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
    better: str = "higher"  # higher (images/s) or lower (seconds): which way is faster


# Where a result was measured, for a person: the contexts dlcheck/probes/context.py detects.
HOSTED_NAMES = {
    "colab": "Colab",
    "kaggle": "Kaggle",
    "sagemaker": "SageMaker Studio Lab",
    "binder": "Binder",
    "jupyterhub": "JupyterHub",
}
BATCH_NAMES = {"slurm": "a Slurm job", "pbs": "a PBS job", "lsf": "an LSF job"}


@dataclass(frozen=True)
class Column:
    """One compared result: where, on what, with which versions and when it was measured."""

    label: str  # the file's label (reference id, file name, host)
    name: str  # for a person: the cloud notebook and its runtime (Colab (CPU)), else the label
    where: str  # "Colab", "a Slurm job", "no cloud notebook or batch job", "not recorded"
    accelerator: str  # "GPU Tesla T4" or "CPU <model> (N usable cores)"
    versions: str
    date: str


@dataclass(frozen=True)
class EpisodeCell:
    seconds: float | None  # None: this result did not measure the episode
    low: float | None = None
    high: float | None = None
    verdict: str = "UNKNOWN"  # graded now, against the profile given to compare
    speed: float | None = None  # the first column's seconds / these: 2.0 = twice as fast
    scaled: bool = False  # not timed in that run: scaled from a reference (bench/transfer.py)


@dataclass(frozen=True)
class EpisodeLine:
    episode: int
    workload: str
    epochs: int
    early_stopping: bool
    cells: list[EpisodeCell]


@dataclass(frozen=True)
class Comparison:
    labels: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    baseline: str = ""  # the label of the file ratios are relative to
    columns: list[Column] = field(default_factory=list)
    episodes: list[EpisodeLine] = field(default_factory=list)
    # names of the columns where every episode compared is PASS against the profile
    comfortable: list[str] = field(default_factory=list)
    pass_seconds: float | None = None  # the profile's thresholds the verdicts used
    warn_seconds: float | None = None


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
    from dlcheck.bench.load import describe_load

    return describe_load(r.load)  # as the run recorded it, the one wording of every view


def _train_rates(per: list[Any], results: list[BenchResult], workload: str) -> tuple[
        list[float | None], list[tuple[float | None, float | None]]]:  # fmt: skip
    """THE images/s figure (``predict.epoch_images_per_s``: training over whole epochs) of
    each column, with the timed windows' 95% interval scaled to it (the windows' relative
    uncertainty; the significance test reads the windows themselves)."""
    from dlcheck.bench.predict import epoch_images_per_s
    from dlcheck.bench.workloads import load_workloads

    workloads = load_workloads()
    values: list[float | None] = []
    bounds: list[tuple[float | None, float | None]] = []
    for x, r in zip(per, results):  # noqa: B905 - one per result
        v = epoch_images_per_s(r.results, r.predictions, workload, workloads)[0] if x else None
        rates = _rates(x.train) if x else []
        lo = hi = None
        if v is not None and rates:
            mlo, mhi = median_ci(rates)
            med = x.train.images_per_s.median
            if med and mlo is not None and mhi is not None:
                lo, hi = mlo * v / med, mhi * v / med
        values.append(v)
        bounds.append((lo, hi))
    return values, bounds


def where_of(r: BenchResult) -> tuple[str, str | None]:
    """(where it was measured, the hosted notebook's name or None)."""
    contexts = r.context.where
    if contexts is None and r.machine is not None:  # a reference measured before it was kept
        return clean(f"not recorded; measured on {r.machine.description}", 300), None
    if contexts is None:
        return "not recorded (older file)", None
    hosted = [HOSTED_NAMES[c] for c in HOSTED_NAMES if c in contexts]
    if hosted:
        return hosted[0], hosted[0]  # Binder runs on JupyterHub: the more specific first
    batch = [BATCH_NAMES[c] for c in contexts if c in BATCH_NAMES]
    if batch:
        return batch[0], None
    others = f" ({', '.join(contexts)})" if contexts else ""
    return f"no cloud notebook or batch job detected{others}", None


def _accelerator(r: BenchResult) -> str:
    c = r.context
    if c.device_kind == "gpu":
        return f"GPU {c.device}"
    cores = c.usable_cores or c.logical_cores
    return f"CPU {c.cpu_model or 'unknown'}" + (f" ({cores:g} usable cores)" if cores else "")


def _versions(r: BenchResult) -> str:
    c = r.context
    bits = [f"dlcheck {r.dlcheck_version}", f"Keras {c.keras_version or '?'}"]
    bits.append(f"{c.backend or '?'} {c.backend_version or ''}".strip())
    bits.append(f"Python {c.python or '?'}")
    return ", ".join(bits)


def columns_of(results: list[BenchResult], labels: list[str]) -> list[Column]:
    """Each result's column: a cloud notebook goes by its name (Colab), anything else by its
    label (laptop); two columns of the same name keep their labels."""
    cols = []
    for r, label in zip(results, labels):
        where, hosted = where_of(r)
        if hosted:  # "Colab (Tesla T4)", "Kaggle (CPU)": the runtime the place gave
            gpu = r.context.device_kind == "gpu" and r.context.device
            hosted = f"{hosted} ({gpu or 'CPU'})"
        cols.append(Column(label, hosted or label, where, _accelerator(r), _versions(r),
                           r.created))  # fmt: skip
    names = [c.name for c in cols]
    return [
        c if names.count(c.name) == 1 or c.name == c.label
        else Column(c.label, f"{c.name} ({c.label})", c.where, c.accelerator, c.versions, c.date)
        for c in cols
    ]  # fmt: skip


def episode_lines(results: list[BenchResult], settings: BenchSettings) -> list[EpisodeLine]:
    """One line per episode any result predicts, graded again against ``settings`` so that
    every column is judged by the same profile."""
    found: dict[int, EpisodePrediction] = {}
    for r in results:
        for e in r.predictions.episodes:
            found.setdefault(e.episode, e)
    lines = []
    for episode in sorted(found):
        first = found[episode]
        cells = []
        for r in results:
            e = next((e for e in r.predictions.episodes if e.episode == episode), None)
            if e is None:
                cells.append(EpisodeCell(None))
                continue
            if e.low is not None and e.high is not None:
                verdict = grade_interval(e.low, e.high, settings)[0]
            else:
                verdict = grade(e.seconds, settings)
            scaled = e.basis == "scaled"
            cells.append(EpisodeCell(e.seconds, e.low, e.high, verdict, scaled=scaled))
        base = cells[0].seconds
        cells = [
            c if i == 0 or c.seconds is None or not base or not c.seconds
            else dataclasses.replace(c, speed=base / c.seconds)
            for i, c in enumerate(cells)
        ]  # fmt: skip
        lines.append(
            EpisodeLine(episode, first.workload, first.epochs, first.early_stopping, cells)
        )
    return lines


def _folder(r: BenchResult) -> str | None:
    """The folder a result file was read from (its parent directory's name), if any."""
    if not r.source or r.source.startswith("<"):
        return None
    parent = Path(r.source).parent
    return parent.name or str(parent) or None


def unique_labels(results: list[BenchResult]) -> list[str]:
    """Each result's column name, by what tells it apart: its label (reference id, file name)
    when that is unique; else, among the results sharing it, the host it was measured on, then
    the folder it was read from (a room's 30 learners' ``me.bench.json``: ``me (pc-04)``, or
    ``me (alice/)``), each added only when it tells the group apart; a number last."""
    base = [r.label() for r in results]
    labels = list(base)
    for name in sorted(set(base)):
        group = [i for i, b in enumerate(base) if b == name]
        if len(group) < 2:
            continue
        hosts = [results[i].hostname or "" for i in group]
        folders = [_folder(results[i]) or "" for i in group]
        for i, host, folder in zip(group, hosts, folders):  # noqa: B905 - same length
            bits = []
            if host and len(set(hosts)) > 1:
                bits.append(host)
            if folder and len(set(folders)) > 1 and (not bits or hosts.count(host) > 1):
                bits.append(f"{folder}/")
            labels[i] = f"{name} ({', '.join(bits)})" if bits else name
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        n = seen.get(label, 0) + 1
        seen[label] = n
        out.append(label if n == 1 else f"{label} #{n}")
    return out


def reference_ids() -> dict[str, BenchResult]:
    """The packaged reference results by their id (``bench compare dev-2core-epyc-vm ...``)."""
    from dlcheck.bench.results import reference_results

    return {r.machine.id: r for r in reference_results() if r.machine}


def load_named(name: str) -> BenchResult:
    """A result file, or a packaged reference by its id when no such file exists; else the
    file's own error (one line), which says how to list the references."""
    from dlcheck.bench.results import load_result

    if not Path(name).exists():
        refs = reference_ids()
        if name in refs:
            return refs[name]
        if not name.endswith(".json"):
            known = ", ".join(sorted(refs)) or "none"
            raise UserError(name, f"no such file or packaged reference (references: {known}; "
                                  "`dlcheck bench compare --list`)")  # fmt: skip
    return load_result(name)


def reference_list() -> list[tuple[str, str, str, str, str]]:
    """(id, backend, device, where measured and when, description) of each packaged reference."""
    out = []
    for ref_id, r in sorted(reference_ids().items()):
        where, _ = where_of(r)
        device = _accelerator(r)
        when = r.created[:10] if r.created else "?"
        desc = r.machine.description if r.machine else ""
        out.append((ref_id, r.context.backend or "?", device, f"{where}, {when}", desc))
    return out


def compare(results: list[BenchResult], settings: BenchSettings | None = None) -> Comparison:
    """Rows of every workload in any file; ratios and significance against the first file;
    where, on what and when each was measured; each episode's predicted time in every file,
    graded against ``settings`` (the default profile's [bench] table when None)."""
    if settings is None:
        from dlcheck.bench.grading import bench_settings
        from dlcheck.profile import load_profile

        settings = bench_settings(load_profile().settings)
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
        rates, rate_bounds = _train_rates(per, results, w)
        rows.append(_row(w, "train img/s", "", 1, train, rates, rate_bounds))
        if any(val):
            rows.append(_row(w, "val img/s", "", 1, val, [
                x.inference.images_per_s.median if x and x.inference else None for x in per
            ]))  # fmt: skip
        preds, bounds = [], []
        for r in results:
            e = next((e for e in r.predictions.episodes if e.workload == w), None)
            preds.append(e.seconds if e else None)
            bounds.append((e.low, e.high) if e else (None, None))
        fit = _row(w, "predicted fit", " s", 0, [[] for _ in per], preds, bounds)
        rows.append(Row(fit.workload, fit.figure, fit.unit, fit.digits, fit.cells, "lower"))
    notes = [clean(n, 1000) for n in notes]
    labels = [clean(x, 80) for x in labels]
    columns = columns_of(results, labels)
    episodes = episode_lines(results, settings)
    comfortable = [
        col.name
        for i, col in enumerate(columns)
        if episodes and all(e.cells[i].verdict == "PASS" for e in episodes)
    ]
    return Comparison(
        labels, rows, notes, labels[0], columns, episodes, comfortable,
        settings.pass_seconds, settings.warn_seconds,
    )  # fmt: skip


def require_matplotlib() -> None:
    """UserError (one line, exit 2) when matplotlib is missing: checked before any work."""
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:
        raise UserError(
            None, "--plot needs matplotlib, which is not installed: pip install matplotlib"
        )


def _episode_panel(ax: Any, comp: Comparison, scale: str) -> None:
    """Predicted training time per episode and column, the interval as error bars."""
    names = [c.name for c in comp.columns] or comp.labels
    width = 0.8 / len(names)
    values = [c.seconds for e in comp.episodes for c in e.cells if c.seconds]
    log = scale == "log" or (scale == "auto" and bool(values) and max(values) / min(values) > 20)
    for i, name in enumerate(names):
        xs, ys, errs = [], [], [[], []]
        for j, e in enumerate(comp.episodes):
            c = e.cells[i]
            if c.seconds is None:  # at the foot of the axes, whatever the scale
                ax.text(j + i * width, 0.02, "not measured", rotation=90, ha="center",
                        va="bottom", fontsize=8, transform=ax.get_xaxis_transform())  # fmt: skip
                continue
            xs.append(j + i * width)
            ys.append(c.seconds / 60.0)
            errs[0].append(max(0.0, c.seconds - (c.low if c.low is not None else c.seconds)) / 60)
            errs[1].append(max(0.0, (c.high if c.high is not None else c.seconds) - c.seconds) / 60)
        ax.bar(xs, ys, width=width, label=name, yerr=errs, capsize=3)
    ax.set_xticks(
        [j + 0.4 - width / 2 for j in range(len(comp.episodes))],
        [f"ep {e.episode}" for e in comp.episodes],
    )
    ax.set_xlim(-width, len(comp.episodes) - 1 + width * len(names))
    ax.set_ylabel("predicted training time (min, interval)")
    if log:
        ax.set_yscale("log")
    ax.set_title("each episode's model.fit as the lesson runs it", fontsize=10)
    ax.legend()


def plot(comp: Comparison, path: str | Path, scale: str = "auto") -> None:
    """Bar charts (matplotlib, Agg, no display): each episode's predicted training time per
    file with its interval, when the files predict episodes, and training images/s per
    workload and file with the 95% CI of each median as error bars; what a file did not
    measure is marked rather than drawn as zero. ``scale``: auto (log when values differ by
    more than 20x), linear or log."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in comp.rows if r.figure == "train img/s"]
    size = max(6.0, 1.6 * len(rows) * len(comp.labels) / 2)
    if comp.episodes:
        fig, (left, ax) = plt.subplots(1, 2, figsize=(2 * size, 4.0))
        _episode_panel(left, comp, scale)
    else:
        fig, ax = plt.subplots(figsize=(size, 4.0))
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
