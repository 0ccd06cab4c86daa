"""Benchmark records and their versioned JSON (schema ``dlcheck.bench``), a lossless round trip.

Every record is a frozen dataclass; derived figures (medians, spreads) are stored as well, so
that a reader without dlcheck (the fleet helper, a spreadsheet) can use the file as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from dlcheck.bench.breakdown import Components
from dlcheck.bench.load import LoadReport
from dlcheck.bench.stats import Summary, summarize, throughput_trend
from dlcheck.errors import UserError
from dlcheck.records import RecordError, from_dict, to_dict


@dataclass(frozen=True)
class Window:
    seconds: float
    images: int
    steps: int

    @property
    def rate(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Spread:
    """The summary of one figure over the timed windows."""

    n: int
    median: float
    mad: float  # unscaled median absolute deviation
    q1: float
    q3: float
    cv: float  # stdev / mean
    minimum: float
    maximum: float

    @classmethod
    def of(cls, values: list[float]) -> Spread:
        s: Summary = summarize(values)
        return cls(s.n, s.median, s.mad, s.q1, s.q3, s.cv, s.minimum, s.maximum)


@dataclass(frozen=True)
class Phase:
    """Training (model.fit) or inference (model.evaluate) of one workload."""

    kind: str  # train or inference
    batch_size: int
    warmup_seconds: float  # first call: tracing, compilation, first batches (not in the rates)
    warmup_images: int
    windows: list[Window]
    images_per_s: Spread
    step_seconds: Spread  # seconds per batch
    data: str = "train"  # which synthetic set was used: train or validation
    stop_reason: str | None = None  # target, budget or limit (see calibrate.py)
    step_ci: list[float] = field(default_factory=list)  # 95% CI of the median step (s)


def make_phase(
    kind: str,
    batch_size: int,
    warmup_seconds: float,
    warmup_images: int,
    windows: list[Window],
    data: str,
) -> Phase:
    """A Phase with its spreads computed from the windows."""
    return Phase(
        kind=kind,
        batch_size=batch_size,
        warmup_seconds=warmup_seconds,
        warmup_images=warmup_images,
        windows=windows,
        images_per_s=Spread.of([w.rate for w in windows]),
        step_seconds=Spread.of([w.seconds / w.steps for w in windows]),
        data=data,
    )


@dataclass(frozen=True)
class Throttling:
    tau: float  # Kendall's tau of the training rates over window order
    change: float  # last half against first half of the windows, -0.08 = 8% slower
    suspected: bool


def throttling_of(windows: list[Window]) -> Throttling:
    t = throughput_trend([w.rate for w in windows])
    return Throttling(round(t.tau, 4), round(t.change, 4), t.throttling)


@dataclass(frozen=True)
class WorkloadResult:
    workload: str
    episode: int
    title: str
    params: int
    trainable_params: int
    build_seconds: float  # building and compiling the model
    train: Phase
    inference: Phase | None
    forward_flops_per_image: float
    train_flops_per_image: float
    achieved_train_flops: float  # train FLOPs per image x median training images/s
    utilisation: float | None  # achieved / the matrix-product peak measured in the same run
    peak_rss_bytes: int | None
    rss_increase_bytes: int | None  # peak RSS during the workload minus RSS before it
    throttling: Throttling
    components: Components | None = None  # how fit spends time, each part measured


@dataclass(frozen=True)
class Matmul:
    """Matrix-product peak measured in the same run (float32, best of several repeats)."""

    n: int
    numpy_flops: float | None
    backend_flops: float | None

    @property
    def peak(self) -> float | None:
        vals = [v for v in (self.numpy_flops, self.backend_flops) if v]
        return max(vals) if vals else None


@dataclass(frozen=True)
class Context:
    python: str | None = None
    platform: str | None = None
    backend: str | None = None
    backend_version: str | None = None
    keras_version: str | None = None
    numpy_version: str | None = None
    device: str | None = None  # "CPU" or the accelerator's name
    device_kind: str | None = None  # cpu, gpu
    cpu_model: str | None = None
    logical_cores: int | None = None
    usable_cores: float | None = None
    threads: dict[str, str] = field(default_factory=dict)
    cpu_freq_mhz_start: float | None = None
    cpu_freq_mhz_end: float | None = None
    cpu_freq_mhz_max: float | None = None
    matmul: Matmul | None = None
    plan: str | None = None  # quick, default, all, or a custom plan
    windows: int | None = None
    window_seconds: float | None = None
    load_average: list[float] = field(default_factory=list)  # 1, 5, 15 min at the start
    budget_seconds: float | None = None  # the plan's time budget (wall, import included)
    target: float | None = None  # relative half-width the median's 95% CI should reach
    wall_seconds: float | None = None  # process start to result, framework import included
    # The last lines third-party code wrote to standard error during the import and the runs
    # (TensorFlow's C++ log): kept out of the output, kept here (`--verbose` prints them).
    stderr_tail: list[str] = field(default_factory=list)
    # Where it ran (dlcheck/probes/context.py): colab, kaggle, sagemaker, binder, jupyterhub,
    # slurm, ...; empty where none was detected (a laptop); None: not recorded (older files).
    where: list[str] | None = None


@dataclass(frozen=True)
class EpisodePrediction:
    workload: str
    episode: int
    epochs: int
    seconds: float  # predicted wall time of the lesson's model.fit call
    train_seconds: float
    validation_seconds: float
    warmup_seconds: float
    seconds_per_epoch: float
    early_stopping: bool  # epochs is then an upper bound
    verdict: str  # PASS, WARN, FAIL or BORDERLINE against the profile's bench thresholds
    low: float | None = None  # the prediction interval (measurement spread, load widening)
    high: float | None = None
    breakdown: dict[str, float] = field(default_factory=dict)  # parts of `seconds`
    # "measured": timed in this run; "scaled": not timed here, the reference result
    # `reference`'s prediction scaled by this machine's speed on the timed `scaled_from`
    # (`speed`: its seconds per epoch here over there; dlcheck/bench/transfer.py); `rough`:
    # no reference of this backend and device kind, so the interval is much wider.
    basis: str = "measured"
    reference: str | None = None
    scaled_from: str | None = None
    speed: float | None = None
    rough: bool = False


@dataclass(frozen=True)
class Predictions:
    episodes: list[EpisodePrediction] = field(default_factory=list)
    course_seconds: float | None = None  # sum over the measured episodes
    course_complete: bool = False  # every course workload has a prediction (timed or scaled)


@dataclass(frozen=True)
class PlacePointer:
    id: str
    name: str
    url: str
    predicted_seconds: float | None  # from a measured reference result for this place
    reference: str | None  # the reference result it comes from


@dataclass(frozen=True)
class TrainingGrade:
    """The course's training graded against the profile's [bench] thresholds
    (bench/grading.py): the worst graded episode decides, named in ``episode``. Kept in the
    JSON under ``verdict``; the one verdict concept of dlcheck is dlcheck/verdict.py, which
    judges this grade again as the check kind ``training_time`` when a benchmark is given
    to `dlcheck check`."""

    verdict: str  # PASS, WARN, FAIL, BORDERLINE or UNKNOWN
    workload: str
    seconds: float | None
    pass_seconds: float
    warn_seconds: float
    message: str
    places: list[PlacePointer] = field(default_factory=list)
    low: float | None = None  # the headline prediction's interval
    high: float | None = None
    between: list[str] = field(default_factory=list)  # BORDERLINE: the grades it straddles
    # The episode that decides the course's verdict (the worst graded; `workload`, `seconds`,
    # `low` and `high` are its). None: files of older dlcheck versions (the headline's grade).
    episode: int | None = None


@dataclass(frozen=True)
class Headline:
    workload: str
    train_images_per_s: float | None
    predicted_episode4_s: float | None
    verdict: str


@dataclass(frozen=True)
class MachineNote:
    """Description of a reference machine (benchmarks/results/)."""

    id: str
    description: str
    place: str | None = None  # a place id from places.toml this machine stands for


@dataclass(frozen=True)
class BenchResult:
    dlcheck_version: str
    created: str
    hostname: str | None
    context: Context
    results: dict[str, WorkloadResult]
    predictions: Predictions
    verdict: TrainingGrade
    headline: Headline
    interrupted: bool = False
    machine: MachineNote | None = None
    # the workloads the run was asked to time and did not finish (interrupted)
    not_measured: list[str] = field(default_factory=list)
    source: str | None = None  # where it was loaded from (not written)
    load: LoadReport | None = None  # what else used the machine during the run

    def to_json_dict(self) -> dict[str, Any]:
        from dlcheck.documents import BENCH, with_header

        body = to_dict(self)
        body.pop("source")
        return with_header(BENCH, body)

    def to_json(self) -> str:
        from dlcheck.documents import document_json

        return document_json(self.to_json_dict()).rstrip("\n")

    def label(self) -> str:
        if self.machine:
            return self.machine.id
        if self.source:
            stem = Path(self.source).stem  # me.bench.json: "me", as the fleet names it
            return stem[: -len(".bench")] if stem.endswith(".bench") and stem != ".bench" else stem
        return self.hostname or "this machine"


def result_from_dict(data: Any, where: str) -> BenchResult:
    """A BenchResult from parsed JSON, checked by the document layer (schema, version,
    number ranges)."""
    from dlcheck.documents import BENCH, check_header

    check_header(data, where, [BENCH.name])
    body = {k: v for k, v in data.items() if k not in ("schema", "schema_version", "kind")}
    body["source"] = where
    try:
        return from_dict(BenchResult, body, "bench")
    except RecordError as exc:
        from dlcheck.sanitize import clean

        raise UserError(where, clean(f"malformed bench result: {exc}", 300)) from None


def load_result(path: str | Path) -> BenchResult:
    """Read a saved ``dlcheck bench --save`` file; UserError when it is unusable."""
    from dlcheck.documents import BENCH, read_document

    return read_document(path, [BENCH.name]).record()


def save_result(result: BenchResult, path: str | Path, inputs: tuple[str, ...] = ()) -> None:
    """Write ``result`` to ``path`` atomically (the one writer, dlcheck.documents)."""
    from dlcheck.documents import write_document

    write_document(result.to_json_dict(), path, inputs=inputs)


def reference_results() -> list[BenchResult]:
    """The measured reference results shipped with dlcheck (copies of benchmarks/results/)."""
    out = []
    folder = resources.files("dlcheck.bench").joinpath("references")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            from dlcheck.userfiles import parse_json

            data = parse_json(entry.read_text(encoding="utf-8"), entry.name)
            out.append(result_from_dict(data, f"<reference {entry.name}>"))
    return out
