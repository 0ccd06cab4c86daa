"""`dlcheck bench compare` in words, for two machines a person compares (a laptop and Colab):
one line per episode with each place's predicted time, interval and verdict, which is faster
and by how much, and which places make the course comfortable. Formatting only: the figures,
verdicts and the comfortable places come from ``dlcheck.bench.compare``."""

from __future__ import annotations

from dlcheck.bench.compare import Comparison, EpisodeCell, EpisodeLine
from dlcheck.formats import fmt_seconds
from dlcheck.sanitize import clean


def faster_words(speed: float, times: str = "x") -> str:
    """How a column's speed compares with the first column's: ``speed`` is the first one's
    time divided by this one's (2.0: takes half the time). '2.00x faster' when it takes less
    time, '1.25x as long' when it takes more: never a bare ratio whose direction the reader
    has to guess."""
    if abs(speed - 1.0) < 0.005:
        return "the same speed"
    if speed > 1.0:
        return f"{speed:.2f}{times} faster" if times == "x" else f"{speed:.1f}{times} faster"
    slow = 1.0 / speed
    return f"{slow:.2f}{times} as long" if times == "x" else f"{slow:.1f}{times} as long"


def _cell(name: str, c: EpisodeCell) -> str:
    if c.seconds is None:
        return f"{name} not measured"
    span = ""
    if c.low is not None and c.high is not None:
        span = f"{fmt_seconds(c.low)} to {fmt_seconds(c.high)}, "
    return f"{name} {fmt_seconds(c.seconds)} ({span}{c.verdict})"


def _overlap(a: EpisodeCell, b: EpisodeCell) -> bool:
    if None in (a.low, a.high, b.low, b.high):
        return False
    return a.low <= b.high and b.low <= a.high  # type: ignore[operator]


def episode_sentence(comp: Comparison, line: EpisodeLine) -> str:
    """'Episode 4 (ep4-cnn, 10 epochs): laptop 22 s (15 s to 32 s, PASS), Colab 3.1 s (2.9 s to
    3.4 s, PASS): Colab 7.1 times faster.'"""
    names = [clean(c.name, 80) for c in comp.columns]
    epochs = f"{line.epochs} epochs" + (", early stopping may end sooner" if line.early_stopping
                                        else "")  # fmt: skip
    parts = [_cell(n, c) for n, c in zip(names, line.cells)]
    text = f"Episode {line.episode} ({clean(line.workload, 40)}, {epochs}): " + ", ".join(parts)
    speeds = []
    for i, c in enumerate(line.cells[1:], start=1):
        if c.speed is None:
            continue
        than = "" if len(names) == 2 else f" than {names[0]}"
        words = faster_words(c.speed, " times")
        if words == "the same speed":
            said = f"{names[i]} as fast{than}"
        elif words.endswith("as long"):
            said = f"{names[i]} takes {words}" + (f" as {names[0]}" if than else "")
        else:
            said = f"{names[i]} {words}{than}"
        if _overlap(line.cells[0], c):
            said += " (the intervals overlap: the difference may be noise)"
        speeds.append(said)
    return text + (": " + "; ".join(speeds) if speeds else "") + "."


def comfortable_sentence(comp: Comparison) -> str:
    """Which compared places make the course comfortable: every episode compared PASS."""
    limit = fmt_seconds(comp.pass_seconds) if comp.pass_seconds is not None else "the limit"
    if comp.comfortable:
        names = ", ".join(clean(n, 80) for n in comp.comfortable)
        return (
            f"Comfortable for the course (every episode compared PASS, at most {limit}): {names}."
        )
    return (
        f"None of these places makes the course comfortable: none is PASS (at most {limit}) "
        "in every episode compared."
    )


def missing_sentences(comp: Comparison) -> list[str]:
    out = []
    for i, col in enumerate(comp.columns):
        gone = [str(e.episode) for e in comp.episodes if e.cells[i].seconds is None]
        if gone:
            out.append(
                f"{clean(col.name, 80)} did not measure episode{'s' if len(gone) > 1 else ''} "
                f"{', '.join(gone)}: `dlcheck bench --all --save FILE` measures every episode."
            )
        scaled = [str(e.episode) for e in comp.episodes if e.cells[i].scaled]
        if scaled:
            out.append(
                f"{clean(col.name, 80)} did not time episode{'s' if len(scaled) > 1 else ''} "
                f"{', '.join(scaled)}: scaled from a reference by its speed on the episode it "
                "timed (wider intervals); `dlcheck bench --all --save FILE` times every episode."
            )
    return out


def thresholds_sentence(comp: Comparison) -> str:
    if comp.pass_seconds is None or comp.warn_seconds is None:
        return ""
    return (
        f"Verdicts against the profile: PASS at most {fmt_seconds(comp.pass_seconds)}, WARN "
        f"at most {fmt_seconds(comp.warn_seconds)}, FAIL above; BORDERLINE when the interval "
        "straddles a threshold."
    )


def versus_lines(comp: Comparison) -> list[str]:
    """The comparison in words: a heading, one sentence per episode, the comfortable places,
    what was not measured, the thresholds. Empty when there is nothing to say per episode."""
    if not comp.episodes or not comp.columns:
        return []
    names = [clean(c.name, 80) for c in comp.columns]
    out = [f"Predicted training time per episode, {' and '.join(names)}:"]
    out += [episode_sentence(comp, e) for e in comp.episodes]
    out.append(comfortable_sentence(comp))
    out += missing_sentences(comp)
    thresholds = thresholds_sentence(comp)
    if thresholds:
        out.append(thresholds)
    return out


def _when(created: str) -> str:
    if created.endswith(("+00:00", "Z")) and len(created) >= 16:
        return created[:16].replace("T", " ") + " UTC"
    return created


def context_rows(comp: Comparison) -> list[list[str]]:
    """Where, on what, with which versions and when each column was measured: the first rows
    of the comparison table, beside each column."""
    if not comp.columns:
        return []
    rows = [
        ["measured in", *(c.where for c in comp.columns)],
        ["accelerator", *(c.accelerator for c in comp.columns)],
        ["versions", *(c.versions for c in comp.columns)],
        ["date", *(_when(c.date) for c in comp.columns)],
    ]
    return [[clean(x, 200) for x in row] for row in rows]
