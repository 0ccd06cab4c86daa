"""Progress for long work, the one display of every command: on a terminal only (standard
error, or the stream given), quiet when it is not one; ``--quiet`` turns it off.

- :class:`Progress`: one status line that rewrites itself (rich's ``status``), for work in
  steps (``dlcheck check``'s probes and imports; ``env create``'s steps, with ``plain`` step
  lines when the stream is no terminal).
- :class:`Bars`: a bar per task with its stage, per cent, elapsed time and time left (rich's
  ``Progress``), for work that knows how far it is (``dlcheck bench``'s workloads).

Both are context managers, write nothing when disabled, and have ``say(text)`` for a line
that stays above the live display."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

from dlcheck.formats import fmt_seconds


def stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, OSError, ValueError):
        return False


# What a status line shows where the terminal's encoding cannot show a glyph (cp437, a
# Windows console): plain ASCII, never a `\u2026` escape.
ASCII = {"\u2026": "...", "\u00b7": "-", "\u2013": "-", "\u2014": "-", "\u2192": "->"}
SPINNER_GLYPHS = "\u280b\u2819\u2839"  # rich's "dots" spinner


def encoding_of(stream: IO[str] | None) -> str:
    """The encoding of ``stream`` (standard error by default). Read it before a live display
    starts: rich then puts a proxy of its own in ``sys.stderr``."""
    return getattr(stream if stream is not None else sys.stderr, "encoding", None) or "utf-8"


def can_show(enc: str, text: str) -> bool:
    """The encoding ``enc`` can show every character of ``text``."""
    try:
        text.encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def fit(enc: str, text: str) -> str:
    """``text`` as a stream of encoding ``enc`` can show it: the glyphs of ``ASCII`` spelt
    in ASCII, any other character it cannot show as ``?``."""
    if can_show(enc, text):
        return text
    for glyph, plain in ASCII.items():
        text = text.replace(glyph, plain)
    try:
        return text.encode(enc, "replace").decode(enc)
    except LookupError:
        return text.encode("ascii", "replace").decode("ascii")


def _console(stream: IO[str] | None) -> Any:
    from rich.console import Console

    if stream is None:
        return Console(stderr=True, highlight=False)
    return Console(file=stream, force_terminal=True, highlight=False)


class Progress:
    """One status line that rewrites itself (rich's status spinner) on ``stream`` (standard
    error by default) when ``enabled``; else nothing, or with ``plain`` each step as a
    ``... step`` line on ``stream`` (a log that is no terminal)."""

    def __init__(self, enabled: bool, stream: IO[str] | None = None, plain: bool = False) -> None:
        self.enabled = enabled
        self.stream = stream
        self.plain = plain and not enabled
        self._status: Any = None
        self._step = ""
        self.started = time.perf_counter()
        self.encoding = encoding_of(stream)

    def __enter__(self) -> Progress:
        if self.enabled:
            spinner = "dots" if can_show(self.encoding, SPINNER_GLYPHS) else "line"  # - \\ | /
            self._status = _console(self.stream).status("", spinner=spinner)
            self._status.start()
        return self

    def update(self, message: str) -> None:
        """The line's text now (machine text: shown as is, never as markup)."""
        if self._status is not None:
            from rich.text import Text

            self._status.update(Text(fit(self.encoding, message)))

    def step(self, text: str) -> None:
        """A new step of the work: the live line, or a ``... text`` line when plain."""
        self._step = text
        if self.plain:
            print(fit(self.encoding, f"... {text}"), file=self.stream or sys.stderr, flush=True)
        self.update(text)

    def detail(self, line: str) -> None:
        """What fits of ``line`` (a tool's latest output) after the step's name."""
        if self._status is not None:
            room = self._status.console.width - len(self._step) - 6
            if room >= 10:
                from dlcheck.sanitize import clean

                self.update(f"{self._step}: {clean(line, room)}")

    def say(self, text: str) -> None:
        """A line that stays (above the live line); printed as is where nothing is live."""
        text = fit(self.encoding, text)
        if self._status is not None:
            self._status.console.print(text, markup=False, highlight=False)
        elif self.plain:
            print(text, file=self.stream or sys.stderr, flush=True)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def __exit__(self, *exc: Any) -> None:
        self.stop()


class Bars:
    """A bar per task (its description and stage, per cent, elapsed, time left) on ``stream``
    (standard error by default) when ``enabled``, gone when done; else nothing."""

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self.enabled = enabled
        self.stream = stream
        self._bars: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> Bars:
        if self.enabled:
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bars = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=_console(self.stream),
                transient=True,
            )
            self._bars.start()
        return self

    def update(self, task: str, stage: str, done: float, total: float) -> None:
        """Task ``task`` (a new bar the first time) is at ``done`` of ``total``, in ``stage``."""
        if self._bars is None:
            return
        if task not in self._tasks:
            self._tasks[task] = self._bars.add_task(task, total=total)
        self._bars.update(self._tasks[task], completed=done, description=f"{task}: {stage}")

    def say(self, text: str) -> None:
        if self._bars is not None:
            self._bars.console.print(text, markup=False, highlight=False)

    def __exit__(self, *exc: Any) -> None:
        if self._bars is not None:
            self._bars.stop()
            self._bars = None


@contextlib.contextmanager
def check_progress(enabled: bool, frameworks: bool) -> Iterator[Progress]:
    """The progress of ``dlcheck check``: the hardware probes, then which framework is being
    imported in its own process and for how long (heard through the features' registry)."""
    with Progress(enabled) as progress:
        progress.update("Probing this machine…")
        if not (enabled and frameworks):
            yield progress
            return
        from dlcheck.features import watching_probes

        def listener(names: str, elapsed: float) -> None:
            them = "them" if " and " in names else "it"
            progress.update(f"Importing {names} to test {them}… {fmt_seconds(elapsed)}")

        with watching_probes(listener):
            yield progress
