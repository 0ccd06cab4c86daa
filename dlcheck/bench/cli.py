"""`dlcheck bench` and `dlcheck bench compare`: parse options, call the library, render."""

from __future__ import annotations

from typing import Any

import click

from dlcheck.cli import course_type
from dlcheck.errors import UserError
from dlcheck.output import chatter_options, output_options


def _choice(flag: str, choices: tuple[str, ...], help: str) -> Any:
    """An option taking one of ``choices``, the first by default (shown in --help)."""
    return click.option(
        flag, type=click.Choice(list(choices)), default=choices[0], show_default=True, help=help
    )


@click.group(
    invoke_without_command=True,
    short_help="Time the course's training here; predict each episode.",
)
@click.option(
    "--quick", is_flag=True, help="A shorter run: a verdict within about 15 s, import included."
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
@click.option(
    "--course", type=course_type(), help="Course flavour: tensorflow (the default) or torch."
)
@output_options(
    formats=("text", "json", "markdown", "csv"),
    short_forms=("json", "markdown"),
    inputs=("profile", "places"),
    files=("save",),
)
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
@click.option(
    "--python",
    "python_path",
    metavar="PATH",
    help="Measure in this Python interpreter (its Keras and backend; it needs dlcheck).",
)
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
    python_path: str | None = None,
) -> int:
    """How long will the course's training take here? Times the lesson's reference CNN
    (episode 4) on synthetic data of the course's shapes and predicts each episode.

    It measures until the median step time is known within +-3% (95% confidence) or the time
    budget is spent (--quick about 15 s, default about 2 minutes), and gives every prediction an
    interval from the measurement's own spread, widened when other programs load the machine.

    Exit status: 0 PASS or WARN, 1 FAIL, 3 BORDERLINE (the interval straddles a threshold:
    re-run on a quiet machine), 2 bad usage or input, 130 interrupted.
    """
    if ctx.invoked_subcommand is not None:
        return 0
    if python_path is not None:  # the measurement runs there, never here
        from dlcheck.bench.elsewhere import bench_args, run_bench_in

        given = dict(quick=quick, all_=all_, names=names, backend=backend, fmt=fmt,
                     output=output, save=save, profile=profile, places=places, windows=windows,
                     window_seconds=window_seconds, budget=budget, target=target, list_=list_,
                     quiet=quiet, verbose=verbose, anonymize=anonymize, course=course)  # fmt: skip
        return run_bench_in(python_path, bench_args(given))
    from dlcheck.bench.workloads import load_workloads

    if list_:
        for w in load_workloads():
            click.echo(f"{w.id:14} {w.title}: {w.epochs} epochs, batch {w.batch_size}")
        return 0
    if all_ and names:
        raise click.UsageError("choose --all or --workload, not both")
    from dlcheck.bench.suite import BenchOptions, build_bench, judge_bench
    from dlcheck.render.progress import Bars

    options = BenchOptions(quick, all_, names, backend, profile, places, windows, window_seconds,
                           budget, target, course)  # fmt: skip
    # the progress display: on the real standard error when it is a terminal, not with -q
    run = build_bench(options, display=lambda tty: Bars(tty is not None and not quiet, tty),
                      lines=not quiet)  # fmt: skip
    result = judge_bench(run)
    if anonymize:
        from dlcheck.anonymize import anonymize_record

        result = anonymize_record(result)
    _render(result, fmt, output, save, (profile, places), quiet)
    if verbose and result.context.stderr_tail:
        click.echo("Third-party log (standard error during the import and the runs):", err=True)
        for line in result.context.stderr_tail:
            click.echo(f"  {line}", err=True)
    if run.interrupted:
        click.echo("dlcheck: interrupted", err=True)
        return 130
    return EXIT_STATUS.get(result.verdict.verdict, 0)


EXIT_STATUS = {"FAIL": 1, "BORDERLINE": 3}


def _render(
    result: Any, fmt: str, output: str | None, save: str | None, inputs: tuple, quiet: bool
) -> None:
    """Save the JSON result when asked, then emit the chosen view (JSON as measured; the
    other views of the sanitized record)."""
    from dlcheck import output as out
    from dlcheck.bench import render
    from dlcheck.sanitize import clean_record

    failed: UserError | None = None  # a measured result is never lost to a failed output
    if save:
        from dlcheck.bench.results import save_result

        try:
            save_result(result, save, inputs=inputs)
            if not quiet:
                out.say_wrote(save, "saved")
        except UserError as exc:
            kept = out.keep_elsewhere(result.to_json() + "\n", save)
            failed = UserError(None, f"{exc}; the measured result is kept in {kept}")
    inputs = (*inputs, save)
    try:
        if fmt == "text":
            draw = out.draw_to(render.render_result, clean_record(result))
            # -o FILE: as piped (dlcheck.render.layout.PIPE_WIDTH)
            out.emit(draw=draw, width=80, output=output, inputs=inputs, quiet=quiet)
        else:
            views = {"markdown": render.render_result_markdown, "csv": render.render_result_csv}
            text = result.to_json() + "\n" if fmt == "json" else views[fmt](clean_record(result))
            out.emit(text, output=output, inputs=inputs, quiet=quiet)
    except UserError as exc:
        if save and failed is None:  # saved: nothing measured is lost
            raise
        kept = out.keep_elsewhere(result.to_json() + "\n", save or "me.bench.json")
        raise UserError(None, f"{exc}; the measured result is kept in {kept}") from None
    if failed is not None:
        raise failed


def __getattr__(name: str) -> Any:
    if name == "CapturedStderr":  # its old home: it moved to dlcheck/bench/suite.py
        from dlcheck.bench.suite import CapturedStderr

        return CapturedStderr
    raise AttributeError(name)


@bench.command("compare", short_help="Compare saved bench results side by side.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw a bar chart (PNG).")
@_choice(
    "--scale",
    ("auto", "linear", "log"),
    "The plot's y axis (auto: log when values differ by more than 20x).",
)
@output_options(
    formats=("text", "json", "markdown", "csv"),
    short_forms=("json", "markdown"),
    inputs=("files", "profile"),
    files=("plot",),
)
@chatter_options(
    quiet="For scripts: the table alone (no notes, no sentences), and no 'wrote' line.",
    verbose="Also say on standard error which file the ratios are relative to.",
)
@click.option("--profile", type=click.Path(dir_okay=False), help="Grade episodes by this profile.")
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
@click.option("--list", "list_", is_flag=True, help="List the packaged references and exit.")
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
    list_: bool = False,
) -> int:
    """Compare saved results (`dlcheck bench --save FILE`) side by side; ratios are against
    the first file. A packaged reference goes by its id (`--list` lists them). Says when
    results differ in backend, thread count or load; many results become one row each."""
    from dlcheck.bench.compare import compare, load_named, require_matplotlib
    from dlcheck.bench.compare import plot as draw
    from dlcheck.bench.render import render_comparison

    if list_:
        from dlcheck.bench.compare import reference_list

        for ref_id, backend, device, where, desc in reference_list():
            click.echo(f"{ref_id}: {backend} on {device}; measured in {where}")
            if not quiet:
                click.echo(f"  {desc}")
        return 0
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
    results = [load_named(f) for f in files]
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
        draw_text = out.draw_to(render_comparison, comp, quiet=quiet)
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
