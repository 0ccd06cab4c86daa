"""From measurements to predicted episode times, the course total and the verdict. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlcheck.bench.results import (
    BenchResult,
    EpisodePrediction,
    Headline,
    PlacePointer,
    Predictions,
    Verdict,
    WorkloadResult,
)
from dlcheck.bench.workloads import Workload
from dlcheck.errors import UserError
from dlcheck.places import Places


@dataclass(frozen=True)
class BenchSettings:
    """The profile's [bench] table."""

    workload: str = "ep4-cnn"
    pass_seconds: float = 60.0
    warn_seconds: float = 300.0
    places: tuple[str, ...] = ("colab", "kaggle", "studiolab", "hpc")


def bench_settings(settings: dict[str, Any], where: str = "profile") -> BenchSettings:
    """Read a profile's [bench] table (``Profile.settings['bench']``); defaults when absent."""
    table = settings.get("bench", {})
    if not isinstance(table, dict):
        raise UserError(where, "[bench] must be a table")
    try:
        s = BenchSettings(
            workload=str(table.get("workload", "ep4-cnn")),
            pass_seconds=float(table.get("pass_seconds", 60)),
            warn_seconds=float(table.get("warn_seconds", 300)),
            places=tuple(
                str(p) for p in table.get("places", ("colab", "kaggle", "studiolab", "hpc"))
            ),
        )
    except (TypeError, ValueError) as exc:
        raise UserError(where, f"[bench]: {exc}") from None
    if not 0 < s.pass_seconds <= s.warn_seconds:
        raise UserError(where, "[bench]: need 0 < pass_seconds <= warn_seconds")
    return s


def grade(seconds: float | None, settings: BenchSettings) -> str:
    if seconds is None:
        return "UNKNOWN"
    if seconds <= settings.pass_seconds:
        return "PASS"
    return "WARN" if seconds <= settings.warn_seconds else "FAIL"


def predict_episode(
    workload: Workload, result: WorkloadResult, settings: BenchSettings
) -> EpisodePrediction:
    """Wall time of the lesson's ``model.fit``: every epoch trains on all training samples and,
    when the lesson validates, evaluates the validation set; plus the one-off warm-up
    (tracing, first batches, the partial last batch) measured in this run."""
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
        verdict=grade(seconds, settings),
    )


def predict_all(
    workloads: list[Workload], results: dict[str, WorkloadResult], settings: BenchSettings
) -> Predictions:
    """Each measured episode, in episode order, and their sum as the course total."""
    eps = [
        predict_episode(w, results[w.id], settings)
        for w in sorted(workloads, key=lambda w: w.episode)
        if w.id in results
    ]
    total = sum(e.seconds for e in eps) if eps else None
    complete = all(w.id in results for w in workloads)
    return Predictions(episodes=eps, course_seconds=total, course_complete=complete)


def fmt_seconds(s: float | None) -> str:
    """'45 s', '3.2 min', '1.5 h'."""
    if s is None:
        return "unknown"
    if s < 90:
        return f"{s:.0f} s"
    if s < 5400:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def place_pointers(
    settings: BenchSettings, places: Places, references: list[BenchResult]
) -> list[PlacePointer]:
    """The profile's places, each with the predicted headline time there when a reference
    result measured at that place exists."""
    by_place: dict[str, BenchResult] = {}
    for ref in references:
        if ref.machine and ref.machine.place and ref.headline.predicted_episode4_s is not None:
            by_place.setdefault(ref.machine.place, ref)
    out = []
    for p in places.places:
        if p.id not in settings.places:
            continue
        ref = by_place.get(p.id)
        out.append(
            PlacePointer(
                id=p.id,
                name=p.name,
                url=p.url,
                predicted_seconds=ref.headline.predicted_episode4_s if ref else None,
                reference=ref.machine.id if ref and ref.machine else None,
            )
        )
    return out


def decide(
    predictions: Predictions,
    settings: BenchSettings,
    places: Places,
    references: list[BenchResult],
) -> Verdict:
    """The verdict of the headline workload against the profile's thresholds."""
    head = next((e for e in predictions.episodes if e.workload == settings.workload), None)
    seconds = head.seconds if head else None
    verdict = grade(seconds, settings)
    limits = (
        f"at most {fmt_seconds(settings.pass_seconds)} is fine, "
        f"more than {fmt_seconds(settings.warn_seconds)} is too slow"
    )
    if head is None:
        message = f"{settings.workload} was not measured: run `dlcheck bench` for a verdict."
    elif verdict == "PASS":
        message = f"The episode-4 training takes about {fmt_seconds(seconds)} here ({limits})."
    elif verdict == "WARN":
        message = (
            f"The episode-4 training takes about {fmt_seconds(seconds)} here ({limits}): "
            "usable, but keep a cloud notebook ready."
        )
    else:
        message = (
            f"The episode-4 training takes about {fmt_seconds(seconds)} here ({limits}): "
            "run the training episodes elsewhere."
        )
    pointers = [] if verdict == "PASS" else place_pointers(settings, places, references)
    return Verdict(
        verdict=verdict,
        workload=settings.workload,
        seconds=seconds,
        pass_seconds=settings.pass_seconds,
        warn_seconds=settings.warn_seconds,
        message=message,
        places=pointers,
    )


def headline_of(
    results: dict[str, WorkloadResult], predictions: Predictions, verdict: Verdict
) -> Headline:
    r = results.get(verdict.workload)
    return Headline(
        workload=verdict.workload,
        train_images_per_s=r.train.images_per_s.median if r else None,
        predicted_episode4_s=verdict.seconds,
        verdict=verdict.verdict,
    )
