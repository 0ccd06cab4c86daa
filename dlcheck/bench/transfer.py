"""The episodes a run did not time, predicted from the one it timed. Pure.

A measured reference result of the same backend and kind of device (dlcheck/bench/references/)
holds every episode's measured prediction. An episode not timed here is that reference's
prediction scaled by this machine's speed against the reference's, as the timed episode shows
it (its predicted seconds per epoch here over there): its epochs and its warm-up (fit's set-up,
the first epoch's tracing) each scaled, so the per-epoch time and the warm-up are predicted
separately. The interval joins, in log space (relative errors multiply), the reference
episode's own interval (without the widening for the load during the reference's run, which
slowed its episodes alike), the timed episode's interval here and a margin for the model itself
(what a machine's speed ratio on one model misses on another: episode 5's DenseNet does not
speed up exactly as episode 4's small CNN does). The margin was checked on the 2-core VM
against the lesson's own fits (benchmarks/honesty_prediction.py --from-quick, both backends;
the figures are in docs/bench.md); without a reference of the same backend and device kind the
margin is much wider and the prediction says it is rough.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dlcheck.bench.grading import BenchSettings, grade_interval
from dlcheck.bench.results import BenchResult, Context, EpisodePrediction
from dlcheck.bench.workloads import Workload

# The model's own error, relative (log space), with a reference of the same backend and device
# kind; and without one (another device kind or backend: GPUs speed up big models far more than
# small ones), where only the order of magnitude is known.
MARGIN = 0.15
ROUGH_MARGIN = 1.0
# An episode whose training costs under OVERHEAD_SHARE of the other's FLOPs per image
# (episodes 2 and 3 beside episode 4, either of them timed or predicted) spends its time in
# per-step and per-epoch framework overhead, which does not follow the CNN's speed: on the
# shared 2-core VM (issue 28) such scaled episodes came out at 0.54-0.69 of the lesson's fits
# in rounds where episode 4's own prediction was at 0.95-0.97. Their margin is wider.
OVERHEAD_SHARE = 0.01
OVERHEAD_MARGIN = 0.6

MEASURED = "measured"  # EpisodePrediction.basis: timed in this run
SCALED = "scaled"  # predicted from a reference by this machine's speed on a timed episode


@dataclass(frozen=True)
class Basis:
    """The reference an untimed episode is scaled from."""

    reference: BenchResult
    anchor: EpisodePrediction  # the timed episode, there
    target: EpisodePrediction  # the episode to predict, there
    margin: float
    rough: bool = False  # no reference of this backend and device kind


def _ref_id(ref: BenchResult) -> str:
    return ref.machine.id if ref.machine else ref.label()


def choose_basis(
    workload: Workload, anchor: EpisodePrediction, context: Context, references: list[BenchResult]
) -> Basis | None:
    """The reference to scale ``workload`` from: one that measured both it and the timed
    episode, of the same backend and device kind first (the validated case), else of the same
    backend, else any (rough); among equals the one whose timed episode ran at the nearest
    speed (the most alike machine)."""

    def pair(ref: BenchResult) -> tuple[EpisodePrediction, EpisodePrediction] | None:
        eps = {e.workload: e for e in ref.predictions.episodes}
        a, t = eps.get(anchor.workload), eps.get(workload.id)
        if a is None or t is None or a.seconds_per_epoch <= 0:
            return None
        return a, t

    def rank(ref: BenchResult) -> int:
        same_backend = ref.context.backend == context.backend
        same_device = (ref.context.device_kind or "cpu") == (context.device_kind or "cpu")
        return 0 if same_backend and same_device else 1 if same_backend else 2

    def distance(ref: BenchResult) -> float:  # the nearest speed: the most alike machine
        a = pair(ref)[0]  # type: ignore[index]
        return abs(math.log(max(anchor.seconds_per_epoch, 1e-9) / a.seconds_per_epoch))

    usable = [(rank(r), distance(r), i, r) for i, r in enumerate(references) if pair(r)]
    if not usable:
        return None
    best, _, _, ref = min(usable, key=lambda x: (x[0], x[1], x[2]))
    a, t = pair(ref)  # type: ignore[misc]
    margin = MARGIN if best == 0 else ROUGH_MARGIN
    wa, wt = ref.results.get(anchor.workload), ref.results.get(workload.id)
    if wa is not None and wt is not None:
        fa, ft = wa.train_flops_per_image, wt.train_flops_per_image
        # either way round: a tiny timed episode (--workload ep2-dense) says as little about
        # the DenseNet's speed as the CNN says about the tiny model's overhead
        if min(fa, ft) > 0 and min(fa, ft) < OVERHEAD_SHARE * max(fa, ft):
            margin = max(margin, OVERHEAD_MARGIN)
    return Basis(ref, a, t, margin, best != 0)


def _log_half(value: float, end: float | None, low: bool) -> float:
    """ln of an interval end's distance from the value (0 without an interval)."""
    if end is None or value <= 0 or end <= 0:
        return 0.0
    return max(0.0, math.log(value / end) if low else math.log(end / value))


def scaled_prediction(
    workload: Workload, anchor: EpisodePrediction, basis: Basis, settings: BenchSettings
) -> EpisodePrediction:
    """``workload``'s prediction here: the reference's, scaled by the timed episode's speed
    here against there; its interval as the module says."""
    t, a = basis.target, basis.anchor
    speed = anchor.seconds_per_epoch / a.seconds_per_epoch  # > 1: slower here
    per_epoch = t.seconds_per_epoch * speed
    warmup = t.warmup_seconds * speed
    seconds = workload.epochs * per_epoch + warmup

    # the reference's interval without its own load widening (the load of its run slowed
    # its episodes alike: their ratio, which is what is used here, does not carry it)
    w = 1.0 + (basis.reference.load.widen if basis.reference.load else 0.0)
    t_low = min(t.seconds, t.low * w) if t.low is not None else None
    t_high = max(t.seconds, t.high / w) if t.high is not None else None

    def spread(low: bool) -> float:
        parts = (
            _log_half(t.seconds, t_low if low else t_high, low),
            _log_half(anchor.seconds, anchor.low if low else anchor.high, low),
            basis.margin,
        )
        return math.sqrt(sum(p * p for p in parts))

    low, high = seconds * math.exp(-spread(True)), seconds * math.exp(spread(False))
    f = seconds / t.seconds if t.seconds > 0 else speed
    breakdown = {k: round(v * f, 4) for k, v in t.breakdown.items()}
    return EpisodePrediction(
        workload=workload.id,
        episode=workload.episode,
        epochs=workload.epochs,
        seconds=seconds,
        train_seconds=t.train_seconds * f,
        validation_seconds=t.validation_seconds * f,
        warmup_seconds=warmup,
        seconds_per_epoch=per_epoch,
        early_stopping=workload.early_stopping,
        verdict=grade_interval(low, high, settings)[0],
        low=low,
        high=high,
        breakdown=breakdown,
        basis=SCALED,
        reference=_ref_id(basis.reference),
        scaled_from=anchor.workload,
        speed=round(speed, 4),
        rough=basis.rough,
    )
