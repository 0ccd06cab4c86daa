"""From the timestamps a fit records to the costs of its parts. Pure: tested on recorded
series; the Keras callbacks that take the stamps live in ``measure``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EpochStamps:
    """perf_counter() stamps of one fit epoch: its start, each training batch's start, the
    start of its validation pass (``train_end``: where its training part ends), its end, and
    the next epoch's start; ``validated`` when fit ran its validation pass at its end."""

    begin: float
    batches: list[float] = field(default_factory=list)
    train_end: float | None = None
    end: float | None = None
    validated: bool = False  # fit ran its validation pass at this epoch's end
    next_begin: float | None = None


@dataclass(frozen=True)
class Samples:
    full: list[float]  # one full training batch: interval between batch starts
    partial: list[float]  # the partial batch, where it is not the fit epoch's last one
    last: list[float]  # the lesson epoch's last batch and the epoch's end
    full_last: list[float]  # a full batch that ends a fit epoch mid lesson-epoch, and the end
    epoch_start: list[float]  # the epoch's start and the gap after the previous epoch's end


def split(
    epochs: list[EpochStamps], batches: int, partial: bool, k: int, offset: int = 0
) -> Samples:
    """Sort the intervals of a fit of ``k`` steps per fit epoch over data of ``batches``
    batches per lesson epoch (the last one partial when ``partial``), starting ``offset``
    batches into the data. An epoch stopped early gives its full steps only."""
    full: list[float] = []
    part: list[float] = []
    last: list[float] = []
    full_last: list[float] = []
    start: list[float] = []
    g0 = offset
    for e in epochs:
        b = e.batches
        for i in range(len(b) - 1):
            pos = (g0 + i) % batches
            (part if partial and pos == batches - 1 else full).append(b[i + 1] - b[i])
        if b and e.next_begin is not None and e.end is not None:
            start.append((b[0] - e.begin) + (e.next_begin - e.end))
        if b and len(b) == k and e.end is not None:
            # with a validation pass in the fit, the training part ends where the pass begins
            # (the pass is the validation cost, measured apart)
            end = e.train_end if e.validated and e.train_end is not None else e.end
            if (g0 + k - 1) % batches == batches - 1:
                last.append(end - b[-1])
            else:
                full_last.append(end - b[-1])
        g0 += len(b)
    return Samples(full, part, last, full_last, start)


class WindowBuilder:
    """Groups consecutive full-step intervals into windows of at least ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.acc = 0.0
        self.steps = 0

    def add(self, interval: float) -> tuple[float, int] | None:
        """Add one step; return (seconds, steps) of a window when this step closes one."""
        self.acc += interval
        self.steps += 1
        if self.acc >= self.seconds:
            out = (self.acc, self.steps)
            self.acc, self.steps = 0.0, 0
            return out
        return None


def epoch_walls(epochs: list[EpochStamps], batches: int | None) -> list[float]:
    """Wall time of each whole epoch after the first (the first also traces): from its start
    to the next epoch's start, so its start, its batches, its end, its validation pass and the
    gap before the next epoch all count, as they do in the lesson's fit. Epochs with another
    number of batches than ``batches`` (a fit stopped mid-epoch) are left out; None: any."""
    return [
        e.next_begin - e.begin
        for e in epochs[1:]
        if e.next_begin is not None and (batches is None or len(e.batches) == batches)
    ]


class EpochSeries:
    """What a fit of whole lesson epochs has shown so far, kept up to date as each epoch ends
    (not recomputed from every epoch at each epoch's end: episode 2 runs thousands): the
    ``walls`` of ``epoch_walls`` and the validation ``passes`` of the epochs after the first,
    and how many epochs have ``ended``."""

    def __init__(self, batches: int) -> None:
        self.batches = batches
        self.walls: list[float] = []
        self.passes: list[float] = []
        self.ended = 0

    def add(self, epochs: list[EpochStamps]) -> None:
        """``epochs[-1]`` has just ended (its ``end`` is stamped)."""
        self.ended += 1
        if len(epochs) >= 3:  # the one before it now has its next start
            prev = epochs[-2]
            if prev.next_begin is not None and len(prev.batches) == self.batches:
                self.walls.append(prev.next_begin - prev.begin)
        e = epochs[-1]
        if len(epochs) >= 2 and e.validated and e.end is not None and e.train_end is not None:
            self.passes.append(e.end - e.train_end)
