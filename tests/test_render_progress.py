"""The one progress display (dlcheck/render/progress.py): live on a terminal, nothing (or plain
step lines, when asked) elsewhere; bench's bars and the status line of check and env create."""

from __future__ import annotations

import io

from dlcheck.render.progress import Bars, Progress


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_draw_each_task_with_its_stage_and_leave_said_lines() -> None:
    out = Tty()
    with Bars(True, out) as bars:
        bars.say("Loading Keras on tensorflow...")
        bars.update("ep4-cnn", "warm-up", 0, 100)
        bars.update("ep4-cnn", "training", 40, 100)
        bars.update("ep2-dense", "training", 10, 100)
        assert set(bars._tasks) == {"ep4-cnn", "ep2-dense"}
    text = out.getvalue()
    assert "Loading Keras on tensorflow..." in text
    assert "ep4-cnn: training" in text and "ep2-dense" in text


def test_disabled_bars_and_status_write_nothing() -> None:
    out = Tty()
    with Bars(False, out) as bars:
        bars.say("Loading")
        bars.update("ep4-cnn", "training", 1, 2)
    with Progress(False, out) as progress:
        progress.step("installing")
        progress.detail("Collecting numpy")
        progress.say("done")
    assert out.getvalue() == ""


def test_plain_steps_for_a_log_that_is_no_terminal() -> None:
    out = io.StringIO()
    with Progress(False, out, plain=True) as progress:
        progress.step("creating the environment")
        progress.detail("Collecting numpy")  # a live line's detail only
        progress.say("made")
    assert out.getvalue() == "... creating the environment\nmade\n"


def test_status_line_shows_machine_text_as_is_and_keeps_said_lines() -> None:
    out = Tty()
    with Progress(True, out) as progress:
        progress.step("installing [bold]x[/bold]")
        progress.detail("Collecting numpy\x1b[31m")
        progress.say("kept [red]line[/red]")
    text = out.getvalue()
    assert "kept [red]line[/red]" in text  # never read as markup
    # the step and what fits of the tool's line, cleaned of its escape sequence
    assert "installing [bold]x[/bold]: Collecting numpy" in text and "\x1b[31m" not in text
    assert progress._status is None  # stopped on exit
