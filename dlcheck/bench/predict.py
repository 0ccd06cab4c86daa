"""From measurements to predicted episode times, the course total and the verdict. Pure."""

from __future__ import annotations

from dlcheck.bench.breakdown import estimate
from dlcheck.bench.grading import (  # noqa: F401 - also named from here
    BORDERLINE,
    BenchSettings,
    bench_settings,
    fmt_seconds,
    grade,
    grade_interval,
    grade_training,
    worst_episode,
)
from dlcheck.bench.results import (
    BenchResult,
    Context,
    EpisodePrediction,
    Headline,
    PlacePointer,
    Predictions,
    TrainingGrade,
    WorkloadResult,
)
from dlcheck.bench.workloads import Workload
from dlcheck.places import Places

# A change between the first and the last half of the windows counts as drift when it is
# at least this big and the order of the windows shows a trend (Kendall's |tau|), steady
# (heat building up) or a step (the clock dropped, a program started or ended).
DRIFT_CHANGE = 0.05
DRIFT_TAU = 0.4


# The least half-width of a measured prediction's interval, relative: the lesson's own fit
# varies from one process to the next by more than one run's windows show (issue 28, the
# 2-core VM: episode 4 on torch took 41.2, 38.2 and 39.2 s in three quiet rounds while each
# run's interval was +-0.7% to +-3% and held the actual once in three; on TensorFlow 21.4,
# 21.8 and 20.6 s). A run cannot see that variation, so the interval is at least this wide.
RUN_TO_RUN = 0.08

# On a virtual machine whose hypervisor gives CPU time to other guests (steal time seen during
# the run: a shared cloud or development VM), the lesson's fit runs at the speed of whatever
# the neighbours do then, which no run can see coming: on the shared 2-core VM (issue 28,
# 2026-12-07, TensorFlow) the lesson's own episode-4 fit took 12.2 to 21.8 s within an hour
# and each fit's time against the prediction alternated with it ranged from 0.56 to 1.36; an
# interval of +-40% held it in 9 rounds of 10 for episode 4 (--quick) and for episode 5 timed
# on its own (the narrower one of a quiet machine, +-8%, in 6 to 8). Such a machine's
# interval is at least this wide (relative, each side).
SHARED_HOST = 0.40


def _drift(result: WorkloadResult) -> float:
    """How much a drift of speed during the run widens the interval (0 without one)."""
    t = result.throttling
    if t.suspected or (abs(t.change) >= DRIFT_CHANGE and abs(t.tau) >= DRIFT_TAU):
        return abs(t.change)
    return 0.0


def predict_episode(
    workload: Workload,
    result: WorkloadResult,
    settings: BenchSettings,
    widen: float = 0.0,
    shared: bool = False,
) -> EpisodePrediction:
    """Wall time of the lesson's ``model.fit`` and its interval. With the measured parts
    (``result.components``): every epoch's full batches, its last (partial) batch and end,
    its start, its validation pass, plus fit's own set-up and the first epoch's tracing; the
    interval comes from each part's confidence interval, widened by ``widen`` (load) and by a
    steady slow-down seen during the run, and is at least +-``RUN_TO_RUN`` (+-``SHARED_HOST``
    on a VM that shares its host: ``shared``, steal time seen in the run). Results from older
    dlcheck versions have no parts: their windows' quartiles give the interval."""
    c = result.components
    if c is not None:
        val_images = workload.validation if workload.validation else 0
        if val_images and result.inference is None:
            val_images = 0
        est = estimate(c, workload.train_batches(), workload.epochs, val_images)
        b = est.breakdown
        wider = (1 + widen) * (1 + _drift(result))
        least = SHARED_HOST if shared else RUN_TO_RUN
        low = min(est.low, est.seconds / (1 + least)) / wider
        high = max(est.high, est.seconds * (1 + least)) * wider
        verdict, _ = grade_interval(low, high, settings)
        return EpisodePrediction(
            workload=workload.id,
            episode=workload.episode,
            epochs=workload.epochs,
            seconds=est.seconds,
            train_seconds=b["train_steps"] + b["last_batch_and_epoch_end"] + b["epoch_start"],
            validation_seconds=b["validation"],
            warmup_seconds=b["fit_setup"] + b["first_epoch_tracing"],
            seconds_per_epoch=(est.seconds - b["fit_setup"] - b["first_epoch_tracing"])
            / workload.epochs,
            early_stopping=workload.early_stopping,
            verdict=verdict,
            low=low,
            high=high,
            breakdown=b,
        )
    return _predict_from_rates(workload, result, settings, widen)


def _predict_from_rates(
    workload: Workload, result: WorkloadResult, settings: BenchSettings, widen: float
) -> EpisodePrediction:
    """The prediction of dlcheck 0.1 results: median rates, warm-up beyond them."""
    train_rate = result.train.images_per_s.median
    train_epoch = workload.train / train_rate
    warm = max(0.0, result.train.warmup_seconds - result.train.warmup_images / train_rate)
    val_epoch = 0.0
    if workload.validation and result.inference is not None:
        val_rate = result.inference.images_per_s.median
        val_epoch = workload.validation / val_rate
        warm += max(
            0.0, result.inference.warmup_seconds - result.inference.warmup_images / val_rate
        )
    epochs = workload.epochs
    seconds = warm + epochs * (train_epoch + val_epoch)
    # the windows' quartiles of the rates, as the old files carry no parts
    spread = result.train.images_per_s
    lo_f = spread.median / spread.q3 if spread.q3 else 1.0
    hi_f = spread.median / spread.q1 if spread.q1 else 1.0
    low, high = seconds * lo_f / (1 + widen), seconds * hi_f * (1 + widen)
    return EpisodePrediction(
        workload=workload.id,
        episode=workload.episode,
        epochs=epochs,
        seconds=seconds,
        train_seconds=epochs * train_epoch,
        validation_seconds=epochs * val_epoch,
        warmup_seconds=warm,
        seconds_per_epoch=train_epoch + val_epoch,
        early_stopping=workload.early_stopping,
        verdict=grade_interval(low, high, settings)[0],
        low=low,
        high=high,
    )


def predict_all(
    workloads: list[Workload],
    results: dict[str, WorkloadResult],
    settings: BenchSettings,
    widen: float = 0.0,
    references: list[BenchResult] | None = None,
    context: Context | None = None,
    shared: bool = False,
) -> Predictions:
    """Each episode, in episode order, and their sum as the course total: the timed ones from
    their measurements, the others (given ``references``) scaled from a reference result by
    this machine's speed on the headline workload, else on the first one timed
    (dlcheck/bench/transfer.py). ``shared``: a VM sharing its host (``predict_episode``)."""
    from dlcheck.bench.transfer import choose_basis, scaled_prediction

    timed = {
        w.id: predict_episode(w, results[w.id], settings, widen, shared)
        for w in workloads
        if w.id in results
    }
    eps = dict(timed)
    anchor = timed.get(settings.workload) or next(iter(timed.values()), None)
    if anchor is not None and references:
        for w in workloads:
            if w.id in eps:
                continue
            basis = choose_basis(w, anchor, context or Context(), references)
            if basis is not None:
                eps[w.id] = scaled_prediction(w, anchor, basis, settings)
    ordered = sorted(eps.values(), key=lambda e: e.episode)
    total = sum(e.seconds for e in ordered) if ordered else None
    complete = all(w.id in eps for w in workloads)
    return Predictions(episodes=ordered, course_seconds=total, course_complete=complete)


def place_pointers(
    settings: BenchSettings,
    places: Places,
    references: list[BenchResult],
    workload: str | None = None,
) -> list[PlacePointer]:
    """The profile's places, each with the predicted time of ``workload`` (default: the
    headline) there when a reference result measured at that place exists."""
    workload = workload or settings.workload
    by_place: dict[str, tuple[BenchResult, float]] = {}
    for ref in references:
        e = next((e for e in ref.predictions.episodes if e.workload == workload), None)
        if ref.machine and ref.machine.place and e is not None:
            by_place.setdefault(ref.machine.place, (ref, e.seconds))
    out = []
    for p in places.places:
        if p.id not in settings.places:
            continue
        hit = by_place.get(p.id)
        out.append(
            PlacePointer(
                id=p.id,
                name=p.name,
                url=p.url,
                predicted_seconds=hit[1] if hit else None,
                reference=hit[0].machine.id if hit and hit[0].machine else None,
            )
        )
    return out


def deciding_episode(predictions: Predictions, settings: BenchSettings) -> EpisodePrediction | None:
    """The episode that decides the course's verdict: the worst graded, the longest of those."""
    return worst_episode(predictions.episodes, settings)


def decide(
    predictions: Predictions,
    settings: BenchSettings,
    places: Places,
    references: list[BenchResult],
) -> TrainingGrade:
    """The course's verdict: its worst episode against the profile's thresholds, named."""
    head = deciding_episode(predictions, settings)
    seconds = head.seconds if head else None
    t = grade_training(seconds, head.low if head else None, head.high if head else None, settings)
    verdict = t.grade
    if head is None:
        message = f"{settings.workload} was not measured: run `dlcheck bench` for a verdict."
    else:
        bound = " (at most: early stopping may end it sooner)" if head.early_stopping else ""
        which = f"Episode {head.episode} ({head.workload})"
        if len(predictions.episodes) > 1:
            which += " decides" if verdict != "PASS" else " is the longest"
        message = f"{which}: its training takes {t.about} here{bound} ({t.limits})"
        message += f": {t.state}." if t.state else "."
        if head.basis != "measured":
            message += (
                f" Not timed here: scaled from the reference {head.reference} by this "
                f"machine's speed on {head.scaled_from}"
                + (" (roughly: no reference of this backend and device kind)" if head.rough
                   else "")
                + f"; `dlcheck bench --workload {head.workload}` times it."
            )  # fmt: skip
        if t.advice:
            message += f" {t.advice}."
    workload = head.workload if head else settings.workload
    pointers = [] if verdict == "PASS" else place_pointers(settings, places, references, workload)
    return TrainingGrade(
        verdict=verdict,
        workload=workload,
        seconds=seconds,
        pass_seconds=settings.pass_seconds,
        warn_seconds=settings.warn_seconds,
        message=message,
        places=pointers,
        low=head.low if head and head.low is not None else seconds,
        high=head.high if head and head.high is not None else seconds,
        between=t.between,
        episode=head.episode if head else None,
    )


def epoch_images_per_s(
    results: dict[str, WorkloadResult],
    predictions: Predictions,
    workload: str,
    workloads: list[Workload] | None = None,
) -> tuple[float | None, bool]:
    """THE images/s figure of every view (bench, report, compare's headline): steady-state
    training throughput over whole epochs, the lesson's training images per epoch over the
    predicted training time of an epoch (epoch start and end included, as a learner sees
    it), when the parts were measured; else (older results) the timed windows' median.
    Returns the figure and whether it is the whole-epoch one."""
    r = results.get(workload)
    if r is None:
        return None, False
    w = next((w for w in workloads or [] if w.id == workload), None)
    e = next((e for e in predictions.episodes if e.workload == workload), None)
    if r.components is not None and w is not None and e and e.train_seconds:
        return w.train * e.epochs / e.train_seconds, True
    return r.train.images_per_s.median, False


def headline_of(
    results: dict[str, WorkloadResult],
    predictions: Predictions,
    verdict: TrainingGrade,
    workloads: list[Workload] | None = None,
) -> Headline:
    """The headline: episode 4's predicted time, the course's verdict; its training images/s
    is that of the lesson's whole epoch (epoch start and end included, as a learner sees
    it) when the parts were measured."""
    head = next((e for e in predictions.episodes if e.episode == 4), None)
    workload = head.workload if head else verdict.workload
    return Headline(
        workload=workload,
        train_images_per_s=epoch_images_per_s(results, predictions, workload, workloads)[0],
        predicted_episode4_s=head.seconds if head else None,
        verdict=verdict.verdict,
    )
