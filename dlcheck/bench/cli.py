"""`dlcheck bench` and `dlcheck bench compare`: parse options, call the library, render."""

from __future__ import annotations

import os
from typing import Any

import click

from dlcheck.errors import UserError
from dlcheck.output import chatter_options, output_options


def _progress_console(stream: Any = None) -> Any:
    from rich.console import Console

    if stream is None:
        return Console(stderr=True)
    return Console(file=stream, force_terminal=True)


def _choice(flag: str, choices: tuple[str, ...], help: str) -> Any:
    """An option taking one of ``choices``, the first by default (shown in --help)."""
    return click.option(
        flag, type=click.Choice(list(choices)), default=choices[0], show_default=True, help=help
    )


class CapturedStderr:
    """File descriptor 2 sent to a temporary file while TensorFlow imports and fits, so that
    its C++ log (absl: ``E0000 ... failed call to cuInit ... UNKNOWN ERROR (303)``), which a
    learner reads as a failure, stays out of the output; ``tail`` keeps its last lines
    (shown with ``--verbose``). ``terminal`` is a stream on the real standard error for the
    progress line, or None when standard error is not a terminal."""

    TAIL = 20

    def __init__(self) -> None:
        self.tail: list[str] = []
        self.terminal: Any = None
        self._saved = -1
        self._tmp: Any = None

    def __enter__(self) -> CapturedStderr:
        import sys
        import tempfile

        try:
            sys.stderr.flush()
            tty = os.isatty(2)
            self._tmp = tempfile.TemporaryFile(mode="w+b")
            self._saved = os.dup(2)
            os.dup2(self._tmp.fileno(), 2)
        except (OSError, ValueError):  # no fd 2 (a pythonw host): nothing to keep out
            self._saved = -1
            return self
        if tty:
            self.terminal = os.fdopen(os.dup(self._saved), "w", encoding="utf-8", errors="replace")
        return self

    def __exit__(self, *exc: Any) -> None:
        import sys

        if self._saved < 0:
            return
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._saved = -1
        if self.terminal is not None:
            self.terminal.close()
        from dlcheck.sanitize import clean

        try:
            self._tmp.seek(0, os.SEEK_END)
            size = self._tmp.tell()
            self._tmp.seek(max(0, size - 64 * 1024))
            text = self._tmp.read().decode("utf-8", "replace")
        finally:
            self._tmp.close()
        lines = [clean(line, 300) for line in text.splitlines() if line.strip()]
        self.tail = lines[-self.TAIL :]


@click.group(
    invoke_without_command=True,
    short_help="Time the course's training here; predict each episode.",
)
@click.option(
    "--quick", is_flag=True, help="A shorter run: a verdict within about 30 s, import included."
)
@click.option("--all", "all_", is_flag=True, help="Every episode's model (takes minutes).")
@click.option(
    "--workload",
    "names",
    multiple=True,
    metavar="NAME",
    help="Only this workload (ep2-dense, ep3-dense, ep4-cnn, ep5-densenet); repeatable.",
)
@click.option(
    "--backend",
    type=click.Choice(["tensorflow", "jax", "torch"]),
    help="Keras 3 backend (default: the course's, else this environment's Keras backend).",
)
@click.option("--course", help="Course flavour: tensorflow (the default) or torch.")
@output_options(formats=("text", "json", "markdown", "csv"), short_forms=("json", "markdown"))
@click.option("--save", type=click.Path(dir_okay=False), help="Also save the JSON result to FILE.")
@click.option("--profile", type=click.Path(dir_okay=False), help="Requirement profile (TOML).")
@click.option("--places", type=click.Path(dir_okay=False), help="Where-to-run-instead list.")
@click.option(
    "--windows", type=click.IntRange(min=5), help="At least this many timed windows per phase."
)
@click.option(
    "--window-seconds",
    type=click.FloatRange(min=0.0),
    help="Minimum length of a timed window in seconds.",
)
@click.option(
    "--budget",
    type=click.FloatRange(min=1.0),
    help="Time budget in seconds (wall, framework import included; per workload with --all).",
)
@click.option(
    "--target",
    type=click.FloatRange(min=0.1, max=50.0),
    help="Stop when the median step time is known within +-PERCENT (95%; default 3).",
)
@click.option("--list", "list_", is_flag=True, help="List the workloads and exit.")
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
@chatter_options(
    quiet="For scripts: no progress and no 'saved' line.",
    verbose="Also show TensorFlow's own log (kept out of the output by default).",
)
@click.pass_context
def bench(
    ctx: click.Context,
    quick: bool,
    all_: bool,
    names: tuple[str, ...],
    backend: str | None,
    fmt: str,
    output: str | None,
    save: str | None,
    profile: str | None,
    places: str | None,
    windows: int | None,
    window_seconds: float | None,
    budget: float | None,
    target: float | None,
    list_: bool,
    quiet: bool = False,
    verbose: bool = False,
    anonymize: bool = False,
    course: str | None = None,
) -> int:
    """How long will the course's training take here? Times the lesson's reference CNN
    (episode 4) on synthetic data of the course's shapes and predicts each episode.

    It measures until the median step time is known within +-3% (95% confidence) or the time
    budget is spent (--quick about 30 s, default about 2 minutes), and gives every prediction an
    interval from the measurement's own spread, widened when other programs load the machine.

    Exit status: 0 PASS or WARN, 1 FAIL, 3 BORDERLINE (the interval straddles a threshold:
    re-run on a quiet machine), 2 bad usage or input, 130 interrupted.
    """
    if ctx.invoked_subcommand is not None:
        return 0
    json_flag = fmt == "json"
    import time
    from dataclasses import replace

    from dlcheck.bench.measure import DEFAULT, QUICK, require_backend, setup_backend
    from dlcheck.bench.predict import bench_settings
    from dlcheck.bench.workloads import find_workload, load_workloads
    from dlcheck.places import load_places
    from dlcheck.profile import load_profile

    workloads = load_workloads()
    if list_:
        for w in workloads:
            click.echo(f"{w.id:14} {w.title}: {w.epochs} epochs, batch {w.batch_size}")
        return 0
    if all_ and names:
        raise click.UsageError("choose --all or --workload, not both")
    prof = load_profile(profile, course)
    settings = bench_settings(prof.settings, prof.source)
    place_list = load_places(places)
    if backend is None:  # a course named: its backend; else this environment's
        backend = _default_backend(prof.settings if (course or profile) else {})
    if all_:
        chosen = sorted(workloads, key=lambda w: (not w.headline, w.episode))
    elif names:
        chosen = [find_workload(n, workloads) for n in names]
    else:
        chosen = [find_workload(settings.workload, workloads)]
    plan = QUICK if quick else DEFAULT
    if all_:
        plan = replace(plan, name=f"{plan.name}+all", per_workload=True)
    if budget is not None:
        plan = replace(plan, budget_seconds=budget)
    if target is not None:
        plan = replace(plan, target=target / 100.0)
    if windows is not None:
        plan = replace(plan, windows=windows)
    if window_seconds is not None:
        plan = replace(plan, window_seconds=window_seconds)
    require_backend(backend)
    from dlcheck.bench.load import LoadSampler, process_age

    # The budget counts from the process start: the framework import is part of the wait
    # (a long-lived host process, such as a notebook or a test run calling main(), from now).
    age = process_age()
    started = time.monotonic() - (age if age < PROCESS_START_MAX_S else 0.0)
    deadline = started + plan.budget_seconds
    sampler = LoadSampler(None)
    with CapturedStderr() as captured:
        live = captured.terminal if not quiet else None
        if live is not None:
            live.write(f"Loading Keras on {backend}...\n")
            live.flush()
        keras = setup_backend(backend)
        run = _run_with_progress(
            keras, chosen, workloads, plan, settings, place_list, deadline, sampler, started, live
        )
    result = run.result
    if captured.tail:
        result = replace(result, context=replace(result.context, stderr_tail=captured.tail))
    if anonymize:
        from dlcheck.anonymize import anonymize_record

        result = anonymize_record(result)
    from dlcheck import output as out

    if save:
        from dlcheck.bench.results import save_result

        save_result(result, save, inputs=(profile, places))
        if not quiet:
            out.say_wrote(save, "saved")
    if json_flag:
        out.emit(
            result.to_json() + "\n", output=output, inputs=(profile, places, save), quiet=quiet
        )
    elif fmt in ("markdown", "csv"):
        from dlcheck.bench.render import render_result_csv, render_result_markdown
        from dlcheck.sanitize import clean_record

        view = render_result_markdown if fmt == "markdown" else render_result_csv
        text = view(clean_record(result))
        out.emit(text, output=output, inputs=(profile, places, save), quiet=quiet)
    else:
        from dlcheck.bench.render import render_result
        from dlcheck.sanitize import clean_record

        out.emit(
            draw=out.draw_to(render_result, clean_record(result)),
            width=80,  # -o FILE: as piped (dlcheck.render.layout.PIPE_WIDTH)
            output=output,
            inputs=(profile, places, save),
            quiet=quiet,
        )
    if verbose and result.context.stderr_tail:
        click.echo("Third-party log (standard error during the import and the runs):", err=True)
        for line in result.context.stderr_tail:
            click.echo(f"  {line}", err=True)
    if run.interrupted:
        click.echo("dlcheck: interrupted", err=True)
        return 130
    return EXIT_STATUS.get(result.verdict.verdict, 0)


EXIT_STATUS = {"FAIL": 1, "BORDERLINE": 3}
PROCESS_START_MAX_S = 30.0  # an older process did not start for this command


def _default_backend(settings: dict[str, Any]) -> str:
    """The course's backend ([bench] backend of --course/--profile), else this environment's
    Keras backend (KERAS_BACKEND, keras.json, else the framework installed)."""
    table = settings.get("bench")
    if isinstance(table, dict) and table.get("backend") in ("tensorflow", "jax", "torch"):
        return str(table["backend"])
    import importlib.util

    from dlcheck.frameworks.probe import environment_backend

    have = [n for n in ("tensorflow", "torch", "jax") if importlib.util.find_spec(n) is not None]
    return environment_backend(os.environ, have)[0]


def _run_with_progress(
    keras: Any,
    chosen: list[Any],
    workloads: list[Any],
    plan: Any,
    settings: Any,
    places: Any,
    deadline: float,
    sampler: Any,
    started: float,
    live: Any = None,
) -> Any:
    """Run the suite; a progress bar (workload, stage, elapsed, ETA) on ``live``, a stream
    on the terminal's standard error, or nothing when there is none."""
    from rich.progress import (
        BarColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from dlcheck.bench.suite import run_suite

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=_progress_console(live),
        transient=True,
        disable=live is None,
    ) as bar:
        tasks: dict[str, Any] = {}

        def tell(workload: str, stage: str, done: int, total: int) -> None:
            if workload not in tasks:
                tasks[workload] = bar.add_task(workload, total=total)
            bar.update(tasks[workload], completed=done, description=f"{workload}: {stage}")

        return run_suite(
            keras, chosen, workloads, plan, settings, places, progress=tell,
            deadline=None if plan.per_workload else deadline, sampler=sampler, started=started,
        )  # fmt: skip


@bench.command("compare", short_help="Compare saved bench results side by side.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw a bar chart (PNG).")
@_choice(
    "--scale",
    ("auto", "linear", "log"),
    "The plot's y axis (auto: log when values differ by more than 20x).",
)
@output_options(formats=("text", "json", "markdown", "csv"), short_forms=("json", "markdown"))
@chatter_options(
    quiet="For scripts: the table without the notes, and no 'wrote' line.",
    verbose="Also say on standard error which file the ratios are relative to.",
)
@click.option("--profile", type=click.Path(dir_okay=False), help="Grade episodes by this profile.")
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
def compare_cmd(
    files: tuple[str, ...],
    plot: str | None,
    scale: str,
    fmt: str,
    output: str | None,
    quiet: bool = False,
    verbose: bool = False,
    profile: str | None = None,
    anonymize: bool = False,
) -> int:
    """Compare saved results (`dlcheck bench --save FILE`) side by side; ratios are against
    the first file. Says when results differ in backend, thread count or load."""
    from dlcheck.bench.compare import compare, require_matplotlib
    from dlcheck.bench.compare import plot as draw
    from dlcheck.bench.render import render_comparison
    from dlcheck.bench.results import load_result

    if len(files) < 2:
        raise UserError(None, "dlcheck bench compare needs at least two result files")
    from dlcheck import output as out
    from dlcheck.sanitize import clean_record

    if plot:
        require_matplotlib()
        out.refuse_inputs(plot, (*files, output, profile))
    # machine text (host names, CPU and GPU names) sanitized before any view
    from dlcheck.bench.grading import bench_settings
    from dlcheck.profile import load_profile

    prof = load_profile(profile)  # a bad profile: one line, exit 2, before any file is read
    settings = bench_settings(prof.settings, prof.source)
    results = [load_result(f) for f in files]
    if anonymize:
        from dlcheck.anonymize import anonymize_record

        results = [anonymize_record(r) for r in results]
    comp = compare([clean_record(r) for r in results], settings)
    if quiet:
        from dataclasses import replace

        comp = replace(comp, notes=[])
    inputs = (*files, plot, profile)
    if fmt == "json":
        out.emit(_comparison_json(comp), output=output, inputs=inputs, quiet=quiet)
    elif fmt == "markdown":
        from dlcheck.bench.render import render_comparison_markdown

        text = render_comparison_markdown(comp)
        out.emit(text, output=output, inputs=inputs, quiet=quiet)
    elif fmt == "csv":
        from dlcheck.bench.render import render_comparison_csv

        out.emit(render_comparison_csv(comp), output=output, inputs=inputs, quiet=quiet)
    else:
        draw_text = out.draw_to(render_comparison, comp)
        out.emit(draw=draw_text, output=output, inputs=inputs, quiet=quiet, width=80)
    if plot:  # atomic, and never over an input (a result file given, -o, the profile)
        out.write_with(plot, lambda tmp: draw(comp, tmp, scale), (*files, output, profile), ".png")
        if not quiet:
            out.say_wrote(plot)
    if verbose:
        click.echo(f"dlcheck: ratios are relative to {comp.baseline or files[0]}", err=True)
    return 0


def _comparison_json(comp: Any) -> str:
    """The comparison as a ``dlcheck.bench-compare`` document: the labels, the file ratios
    are relative to, the notes and every row with its cells (value, ratio, significance,
    spread), as the text, Markdown and CSV views show them."""
    from dataclasses import asdict

    from dlcheck.documents import BENCH_COMPARE, document_json, with_header

    body = {
        "labels": list(comp.labels),
        "baseline": comp.baseline,
        "notes": list(comp.notes),
        "rows": [asdict(r) for r in comp.rows],
    }
    return document_json(with_header(BENCH_COMPARE, body))
