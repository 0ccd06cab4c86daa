"""The command line. Commands are thin: parse options, call the library, render, exit code."""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import click

from dlcheck.errors import UserError
from dlcheck.output import chatter_options, output_options
from dlcheck.version import __version__


class Terminated(Exception):
    """SIGTERM or SIGHUP arrived (raised by the handler ``main`` installs): exit 128 + the
    signal's number (143, 129), no traceback."""

    def __init__(self, signum: int = 15) -> None:
        super().__init__(signum)
        self.code = 128 + signum
        self.name = "hung up" if signum == getattr(signal, "SIGHUP", None) else "terminated"


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated(signum)


# The signals that end dlcheck; each one kills every child process first (``main``).
STOP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")


class Named(click.Choice):
    """A value from a fixed set, case-insensitive, the set read when first needed (a setup
    of the catalogue, a course flavour); a wrong or empty value is refused by click with the
    known names, before any work."""

    def __init__(self, message: str, load: Callable[[], list[str]]) -> None:
        self.message = message  # with {value} and {known}
        self._load = load
        self._names: tuple[str, ...] | None = None
        self.case_sensitive = False

    @property  # type: ignore[override]
    def choices(self) -> tuple[str, ...]:
        if self._names is None:
            self._names = tuple(sorted(self._load()))
        return self._names

    @choices.setter
    def choices(self, value: Any) -> None:
        self._names = tuple(value)

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            known = ", ".join(self.choices)
            self.fail(self.message.format(value=repr(value), known=known), param, ctx)


def _courses() -> list[str]:
    from dlcheck.profile import COURSES

    return list(COURSES)


def _setups() -> list[str]:
    from dlcheck.envs.setups import load_catalog

    return list(load_catalog().setups)


def course_type() -> Named:
    """``--course NAME`` in every command: a course flavour (tensorflow, torch)."""
    return Named("{value}: no such course (known: {known})", _courses)


def setup_type() -> Named:
    """``--setup NAME`` in every command: a setup of the catalogue (cpu, nvidia, ...)."""
    return Named("unknown setup {value}; known: {known}", _setups)


# Commands that need more than the core are imported only when called, so that
# `dlcheck check` starts fast on a machine where nothing else is installed yet.
LAZY_COMMANDS: dict[str, str] = {
    "report": "dlcheck.fleet.cli:report",
    "bench": "dlcheck.bench.cli:bench",
    "env": "dlcheck.envs.cli:env",
    "data": "dlcheck.lessondata.cli:data",
}


# The core (check, env) runs on Python 3.8 and newer, so that an old Python is diagnosed by
# dlcheck itself; these commands need more (TensorFlow for bench has no wheel before 3.10).
NEEDS_PYTHON: dict[str, tuple[int, int]] = {"report": (3, 10), "bench": (3, 10)}


def _needs_newer_python(name: str, needed: tuple[int, int]) -> click.Command:
    @click.command(name, context_settings={"ignore_unknown_options": True})
    @click.argument("args", nargs=-1, type=click.UNPROCESSED)
    def refuse(args: tuple[str, ...]) -> None:
        have = ".".join(map(str, sys.version_info[:2]))
        raise UserError(
            None,
            f"`dlcheck {name}` needs Python {needed[0]}.{needed[1]} or newer (this is {have}); "
            "`dlcheck check` says how to get one",
        )

    return refuse


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            needed = NEEDS_PYTHON.get(name)
            if needed and sys.version_info[:2] < needed:
                return _needs_newer_python(name, needed)
            module, _, attr = LAZY_COMMANDS[name].partition(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="Is this machine ready for the deep-learning course?",
)
@click.version_option(__version__, prog_name="dlcheck")
def cli() -> None:
    """Is this machine ready for the 'Introduction to deep learning' course?

    Start with `dlcheck check`.
    """


class Seconds(click.ParamType):
    """A number of seconds: finite and greater than 0 (nan, inf, 0 and negatives refused)."""

    name = "seconds"

    def __init__(self, most: float = 24 * 3600.0) -> None:
        self.most = most

    def convert(self, value: Any, param: Any, ctx: Any) -> float:
        import math

        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(number) or number <= 0 or number > self.most:
            self.fail(
                f"{value!r} must be a finite number of seconds, > 0 and <= {self.most:g}",
                param,
                ctx,
            )
        return number


class Given(click.ParamType):
    """A path or a name that must not be empty: ``--python ''`` would else check the running
    interpreter without a word."""

    name = "text"

    def __init__(self, what: str) -> None:
        self.what = what

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail(f"{value!r} is empty: give {self.what}", param, ctx)
        return value


def python_path_type() -> Given:
    """``--python PATH`` in every command: an interpreter or an environment folder."""
    return Given("the path of a Python interpreter or of an environment folder")


def kernel_name_type() -> Given:
    """``--kernel NAME`` in every command: a Jupyter kernel's name or display name."""
    return Given("a Jupyter kernel's name (`jupyter kernelspec list`) or display name")


def time_limit(name: str, default: float, help: str) -> Callable[[Any], Any]:
    """A time-limit option: seconds (``Seconds``), its default shown in the help."""
    return click.option(name, type=Seconds(), default=default, show_default=True, help=help)


@cli.command(short_help="Check this machine against the course's requirements.")
@output_options(
    formats=("text", "json", "markdown", "csv"),
    inputs=("from_path", "profile", "places", "bench_path"),
)
@click.option(
    "--course",
    type=course_type(),
    help="Course flavour to judge against: tensorflow (the default) or torch (Keras 3 on PyTorch).",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False),
    help="Requirement profile (TOML) to judge against.",
)
@click.option("--places", type=click.Path(dir_okay=False), help="Where-to-run-instead list (TOML).")
@click.option(
    "--path",
    "disk_path",
    type=click.Path(),
    help="Where the course will be installed "
    "(free disk space is measured here; default: your home folder).",
)
@click.option(
    "--from",
    "from_path",
    type=click.Path(dir_okay=False),
    help="Re-evaluate a saved JSON report instead of probing this machine.",
)
@click.option(
    "--bench",
    "bench_path",
    type=click.Path(dir_okay=False),
    help="Judge the training time of a saved `dlcheck bench --save` result too "
    "(with --from: default <stem>.bench.json next to the report).",
)
@click.option(
    "--setup",
    type=setup_type(),
    help="Compare this environment with the lock of this setup (default: the setup "
    "`dlcheck env create` made it from; an environment made another way is not compared).",
)
@click.option(
    "--python",
    "python_path",
    metavar="PATH",
    type=python_path_type(),
    help="Check this Python interpreter (or environment folder) instead of the one running "
    "dlcheck: its version, packages and frameworks; the hardware stays this machine's.",
)
@click.option(
    "--kernel",
    metavar="NAME",
    type=kernel_name_type(),
    help="Check the interpreter of this Jupyter kernel (its name or display name), as --python.",
)
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
@time_limit(
    "--timeout",
    5.0,
    "Seconds each probe may take before it is reported as unknown; given, also the probe "
    "of the --python or --kernel interpreter (else 15 s there: a cold start).",
)
@click.option(
    "--no-frameworks",
    is_flag=True,
    help="Skip importing TensorFlow/Keras/PyTorch/JAX (fast hardware-only report).",
)
@time_limit(
    "--framework-timeout",
    60.0,
    "Seconds each framework probe (a separate Python process) may take.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Count every unchecked required finding as NOT VERIFIED (exit 3) and list what "
    "--from had to normalise in a saved report.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every requirement, passed ones too.")
@chatter_options(
    quiet="For scripts: no progress, no 'wrote' line, and the text view is the verdict line.",
    verbose="Also show the framework probes' standard-error tails (TensorFlow's own log).",
)
def check(
    fmt: str,
    profile: str | None,
    places: str | None,
    disk_path: str | None,
    from_path: str | None,
    anonymize: bool,
    timeout: float,
    no_frameworks: bool,
    framework_timeout: float,
    output: str | None,
    strict: bool = False,
    bench_path: str | None = None,
    show_all: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    setup: str | None = None,
    course: str | None = None,
    python_path: str | None = None,
    kernel: str | None = None,
) -> int:
    """Check this machine against the course's minimum requirements.

    Exit status: 0 ready (warnings allowed), 1 not ready, 2 bad usage or input, 3 not
    verified (a required finding is unknown).
    """
    from dlcheck.pipeline import build_report
    from dlcheck.render.progress import check_progress, stderr_is_terminal

    kind = fmt
    live = not quiet and not from_path and stderr_is_terminal()
    with check_progress(live, frameworks=not no_frameworks):
        report = build_report(
            profile_path=profile,
            disk_path=disk_path,
            places_path=places,
            anonymize=anonymize,
            timeout=timeout,
            from_path=from_path,
            frameworks=not no_frameworks,
            framework_timeout=framework_timeout,
            bench_path=bench_path,
            setup=setup,
            strict=strict,
            course=course,
            python=python_path,
            kernel=kernel,
            interpreter_timeout=timeout if _given("timeout") else None,
        )
    if from_path and not quiet:
        _say_course_changed(from_path, report)
    if strict:
        for note in report.facts.normalized:
            click.echo(f"dlcheck: --from: {note}", err=True)
        if from_path and not report.facts.normalized and not quiet:
            click.echo("dlcheck: --from: nothing was normalised", err=True)
    siblings: tuple[str, ...] = ()  # <stem>.bench.json beside a --from report is read: an input
    if from_path:
        from dlcheck.features import ProbeOptions, sibling_inputs

        siblings = tuple(sibling_inputs(from_path, ProbeOptions(bench_path=bench_path)).values())
    emit(
        report,
        kind,
        output,
        inputs=(from_path, profile, places, bench_path, *siblings),
        show_all=show_all,
        quiet=quiet,
        verbose=verbose,
    )
    # why the exit status is what it is, where the terminal did not show the verdict (a file,
    # JSON, Markdown, CSV) or -v asks: the rule of `dlcheck report` too
    if report.exit_code and not quiet and (verbose or output or kind != "text"):
        from dlcheck.render.text import verdict_line

        click.echo(f"dlcheck: exit {report.exit_code}: {verdict_line(report)}", err=True)
    return report.exit_code


def _given(name: str) -> bool:
    """Whether the option ``name`` was given on the command line (not its default)."""
    from click.core import ParameterSource

    source = click.get_current_context().get_parameter_source(name)
    return source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)


def _say_course_changed(from_path: str, report: Any) -> None:
    """A report checked as one course flavour and judged now as another says so (as
    `dlcheck report --course` does)."""
    from dlcheck.documents import read_document
    from dlcheck.profile import report_course

    try:
        saved = report_course(read_document(from_path, ["dlcheck.report"]).data)
    except UserError:
        return
    now = report.profile.course
    if now and saved != now:
        click.echo(
            f"dlcheck: --from: {from_path} was checked as the {saved} course; judged now as "
            f"the {now} course",
            err=True,
        )


def emit(
    report: Any,
    kind: str,
    output: str | None,
    inputs: tuple[str | None, ...] = (),
    show_all: bool = False,
    quiet: bool = False,
    verbose: bool = False,
) -> None:
    """Render ``report`` in ``kind`` to stdout or ``output`` (the one output path). A report
    whose file cannot be written after all (its folder removed meanwhile, a full disk) is
    never lost: its JSON is kept in the temporary folder and the one line says where."""
    from dlcheck import output as out

    try:
        _emit(report, kind, output, inputs, show_all, quiet, verbose)
    except UserError as exc:
        if not output:
            raise
        kept = out.keep_elsewhere(report.to_json() + "\n", "check.json")
        raise UserError(
            None, f"{exc}; the report is kept in {kept} (`dlcheck check --from` shows it)"
        ) from None


def _emit(
    report: Any,
    kind: str,
    output: str | None,
    inputs: tuple[str | None, ...],
    show_all: bool,
    quiet: bool,
    verbose: bool,
) -> None:
    from dlcheck import output as out

    if kind == "json":
        out.emit(report.to_json() + "\n", output=output, inputs=inputs, quiet=quiet)
    elif kind == "markdown":
        from dlcheck.render.markdown import render_markdown

        text = render_markdown(report, show_all=show_all)
        out.emit(text, output=output, inputs=inputs, quiet=quiet)
    elif kind == "csv":
        from dlcheck.render.csvview import render_csv

        out.emit(render_csv(report), output=output, inputs=inputs, quiet=quiet)
    elif quiet:
        from dlcheck.render.text import verdict_line

        out.emit(verdict_line(report) + "\n", output=output, inputs=inputs, quiet=quiet)
    else:
        from dlcheck.render.text import render_text

        draw = out.draw_to(render_text, report, show_all=show_all, verbose=verbose)
        from dlcheck.render.layout import PIPE_WIDTH

        out.emit(draw=draw, output=output, inputs=inputs, width=PIPE_WIDTH)  # -o: as piped


def main(argv: list[str] | None = None) -> None:
    """Entry point: one line and status 2 for every error a user can cause."""
    from dlcheck.output import setup_streams

    setup_streams()
    from dlcheck.subprocesses import kill_children

    previous = _catch_signals()
    try:
        _main(argv)
    finally:
        # every way out (an answer, an error, Ctrl-C, SIGTERM, SIGHUP): no child outlives us
        for num in previous:
            _set_handler(num, signal.SIG_IGN)  # a second signal cannot cut the cleanup short
        kill_children()
        for num, handler in previous.items():
            _set_handler(num, handler)


def _set_handler(num: int, handler: Any) -> Any:
    try:
        return signal.signal(num, handler)
    except (ValueError, OSError, TypeError):  # not the main thread
        return None


def _catch_signals() -> dict[int, Any]:
    """Handlers that turn SIGTERM and SIGHUP into ``Terminated`` and SIGINT into
    KeyboardInterrupt (also when the parent set it to default); a signal the caller ignores
    (nohup's SIGHUP) stays ignored. The previous handlers, to restore."""
    previous: dict[int, Any] = {}
    for name in STOP_SIGNALS:
        num = getattr(signal, name, None)
        if num is None:
            continue
        try:
            if signal.getsignal(num) == signal.SIG_IGN:
                continue
        except (ValueError, OSError):
            continue
        handler = signal.default_int_handler if name == "SIGINT" else _on_sigterm
        old = _set_handler(num, handler)
        if old is not None:
            previous[num] = old
    return previous


def _main(argv: list[str] | None) -> None:
    try:
        rv = cli.main(args=argv, prog_name="dlcheck", standalone_mode=False)
        if sys.stdout is not None:
            sys.stdout.flush()
    except UserError as exc:
        click.echo(f"dlcheck: error: {exc}", err=True)
        sys.exit(2)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"dlcheck: error: {exc.format_message()}{hint}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"dlcheck: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code if exc.exit_code != 1 else 2)
    except (click.Abort, KeyboardInterrupt):
        click.echo("dlcheck: interrupted", err=True)
        sys.exit(130)
    except Terminated as exc:
        click.echo(f"dlcheck: {exc.name}", err=True)
        sys.exit(exc.code)
    except BrokenPipeError:
        # The reader went away (`dlcheck check --json | head`); say nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):
            pass
        sys.exit(0)
    sys.exit(rv if isinstance(rv, int) else 0)
