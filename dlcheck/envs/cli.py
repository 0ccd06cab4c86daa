"""`dlcheck env`: recommend a locked setup, and verify an environment against its lock."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from dlcheck.cli import Given, course_type, python_path_type, setup_type
from dlcheck.errors import UserError
from dlcheck.output import chatter_options, output_options


def _emit(
    kind: str,
    output: str | None,
    result: Any,
    markdown: Callable[[Any], str],
    text: Callable[..., None],
    inputs: tuple[str | None, ...] = (),
    quiet: bool = False,
    csv: Callable[[Any], str] | None = None,
) -> None:
    """Render one result (a record with ``to_json_dict``, and its Markdown and text renderers)
    in the chosen format through the one output path (dlcheck.output)."""
    from dlcheck import output as out

    if kind == "json":
        from dlcheck.documents import document_json

        out.emit(document_json(result.to_json_dict()), output=output, inputs=inputs, quiet=quiet)
    elif kind == "markdown":
        out.emit(markdown(result), output=output, inputs=inputs, quiet=quiet)
    elif kind == "csv" and csv is not None:
        out.emit(csv(result), output=output, inputs=inputs, quiet=quiet)
    else:
        # as before: the renderer's own width (a file gets rich's default, not emit's 120)
        draw = out.draw_to(lambda **kw: text(result, **kw))
        out.emit(draw=draw, output=output, inputs=inputs, quiet=quiet)


def _verify_csv(result: Any) -> str:
    """One row per package that differs (missing, different, extra, not compared)."""
    from dlcheck.render.layout import csv_text
    from dlcheck.sanitize import clean_record

    r = clean_record(result)
    rows = [
        (what, d.name, d.manager, d.locked, d.installed, d.detail)
        for what, diffs in (
            ("missing", r.missing),
            ("different", r.different),
            ("extra", r.extra),
            ("not compared", r.ignored),
        )
        for d in diffs
    ]
    return csv_text(("status", "package", "manager", "locked", "installed", "detail"), rows)


def _recommend_line(rec: Any) -> str:
    """``--quiet``: the setup, the route and its first command, or why none fits."""
    if not rec.setup or not rec.routes:
        return "no locked setup fits this machine"
    route = rec.routes[0]
    return f"{rec.setup} ({route.name}): {route.commands[0] if route.commands else ''}".strip()


@click.group(short_help="Locked course environments: recommend, create, verify.")
def env() -> None:
    """Locked environments for the course (envs/ in the dlcheck repository)."""


@env.command(short_help="Which setup fits this machine, and how to create it.")
@click.option(
    "--setup",
    "setup_name",
    type=setup_type(),
    help="Show the commands for this setup instead (cpu, nvidia, keras-torch).",
)
@click.option(
    "--course", type=course_type(), help="Course flavour: tensorflow (the default) or torch."
)
@click.option(
    "--from",
    "from_path",
    type=click.Path(dir_okay=False),
    help="Recommend for the machine of a saved `dlcheck check --json` report.",
)
@output_options(inputs=("from_path",))
@chatter_options(
    quiet="For scripts: one line (the setup and the command that creates it), no 'wrote' line.",
    verbose="Also say on standard error why the exit status is what it is.",
)
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
def recommend(
    setup_name: str | None,
    from_path: str | None,
    fmt: str,
    output: str | None,
    quiet: bool = False,
    verbose: bool = False,
    anonymize: bool = False,
    course: str | None = None,
) -> int:
    """Which setup fits this machine, and the commands that create it: the route it prints
    (dlcheck env create from the setup's lock, with pip or uv; conda where the setup has a
    conda lock) is named in the output."""
    from dlcheck.envs.recommend import recommend as pick
    from dlcheck.envs.recommend import recommend_setup
    from dlcheck.envs.render import render_recommend_markdown, render_recommend_text
    from dlcheck.envs.setups import conda_locks_present, load_catalog
    from dlcheck.profile import course_setup

    kind = fmt
    catalog = load_catalog()
    why = "chosen with --setup"
    if from_path:
        from dlcheck.documents import read_document
        from dlcheck.profile import report_course

        saved = read_document(from_path, ["dlcheck.report"])
        facts = saved.record()
        if setup_name is None and course is None:  # the course it was checked as (check --from)
            checked = report_course(saved.data)
            setup_name = course_setup(checked)
            why = f"the report's course: {checked} (it was checked with --course {checked})"
    else:
        from dlcheck.probes import collect_facts

        facts = collect_facts()
    if setup_name is None and course is not None:
        setup_name = course_setup(course)
        why = f"the course's {course} flavour (--course {course})"
    if setup_name is not None and setup_name not in catalog.setups:
        raise UserError(
            None, f"unknown setup {setup_name!r}; known: {', '.join(sorted(catalog.setups))}"
        )
    ready = conda_locks_present(catalog)
    rec = (
        recommend_setup(facts, catalog, setup_name, ready, why)
        if setup_name
        else pick(facts, catalog, ready)
    )
    if anonymize:
        from dlcheck.anonymize import anonymize_record

        rec = anonymize_record(rec, host=facts.platform.hostname or None)
    if quiet and kind == "text":
        from dlcheck import output as out

        line = _recommend_line(rec)
        out.emit(line + "\n", output=output, inputs=(from_path,), quiet=True)
    else:
        _emit(
            kind,
            output,
            rec,
            render_recommend_markdown,
            render_recommend_text,
            (from_path,),
            quiet=quiet,
        )
    if (output or verbose) and not rec.setup:  # the file says it, the terminal did not
        click.echo("dlcheck: exit 1: no locked setup fits this machine", err=True)
    return 0 if rec.setup else 1


@env.command(short_help="Compare an environment with the lock it was made from.")
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), help="The lock file.")
@click.option(
    "--setup",
    "setup_name",
    type=setup_type(),
    help="Use the lock of this setup for this platform (cpu, nvidia, keras-torch).",
)
@click.option(
    "--course", type=course_type(), help="Course flavour: tensorflow (the default) or torch."
)
@click.option(
    "--conda",
    "use_conda",
    is_flag=True,
    help="With --setup: use the setup's conda-lock.yml, not its pip lock "
    "(the default in a conda environment).",
)
@click.option(
    "--prefix",
    type=click.Path(file_okay=False),
    help="Verify the environment in this folder instead of the running one.",
)
@click.option(
    "--python",
    "python_path",
    metavar="PATH",
    type=python_path_type(),
    help="Verify the environment of this Python interpreter (as --prefix, found by running it).",
)
@click.option("--allow-extra", is_flag=True, help="Packages the lock does not name do not fail.")
@click.option("--all", "show_all", is_flag=True, help="List every package that differs.")
@output_options(formats=("text", "json", "markdown", "csv"), inputs=("lock_path",))
@chatter_options(
    quiet="For scripts: one line (the verdict and the counts), no 'wrote' line.",
    verbose="Also say on standard error which lock was chosen and why it exits non-zero.",
)
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
def verify(
    lock_path: str | None,
    setup_name: str | None,
    use_conda: bool,
    prefix: str | None,
    allow_extra: bool,
    fmt: str,
    output: str | None,
    show_all: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    anonymize: bool = False,
    course: str | None = None,
    python_path: str | None = None,
) -> int:
    """Compare the active environment with a lock: missing, different and extra packages.

    With no --lock or --setup: the lock the environment was made from (the setup named by
    its dlcheck env create marker, else the lock it matches), said in the output.
    Changes nothing. Exit status: 0 matches, 1 differs, 2 bad usage or a bad lock file.
    """
    from dlcheck.envs.installed import scan_environment
    from dlcheck.envs.locks import read_lock
    from dlcheck.envs.render import render_verify_markdown, render_verify_text
    from dlcheck.envs.setups import current_subdir, find_setup_dir, load_catalog, pip_lock_name
    from dlcheck.envs.verify import verify as compare

    kind = fmt
    if lock_path and setup_name:
        raise click.UsageError("give at most one of --lock FILE and --setup NAME")
    if course is not None and not lock_path and not setup_name:
        from dlcheck.profile import course_setup

        setup_name = course_setup(course)
    if python_path is not None:  # its environment, as that interpreter itself says
        from dlcheck.probes.interpreter import probe_interpreter

        if prefix is not None:
            raise click.UsageError("give at most one of --prefix and --python")
        prefix = str(probe_interpreter(python_path, "--python").answer.get("prefix") or "")
    if prefix is not None:
        from pathlib import Path

        if not Path(prefix).is_dir():
            raise UserError(prefix, "no such environment folder")
    chosen = None  # how the lock was chosen when no option named it
    if not lock_path and not setup_name:
        from dlcheck.envs.detect import lock_of_environment

        setup_name, lock_path, chosen = lock_of_environment(prefix)
    platform = current_subdir()
    if platform is None:
        raise UserError(None, "this platform has no conda name; dlcheck cannot pick a lock")
    environment = scan_environment(prefix)
    if setup_name and not lock_path:
        folder = find_setup_dir(setup_name, load_catalog())
        if use_conda or (environment.is_conda and (folder / "conda-lock.yml").is_file()):
            lock_path = str(folder / "conda-lock.yml")
            if not (folder / "conda-lock.yml").is_file():
                raise UserError(
                    lock_path,
                    "not generated yet (conda channels were unreachable where the locks were "
                    "made; .github/workflows/locks.yml makes it)",
                )
        else:
            lock_path = str(folder / pip_lock_name(platform))
            if not (folder / pip_lock_name(platform)).is_file():
                raise UserError(lock_path, f"setup {setup_name} has no pip lock for {platform}")
    assert lock_path is not None
    lock = read_lock(lock_path)
    result = compare(lock, environment, platform, allow_extra=allow_extra, setup=setup_name)
    if chosen:
        from dataclasses import replace

        result = replace(result, notes=[f"lock chosen: {chosen}", *result.notes])
    result = _with_backend_note(result, prefix)
    if anonymize:  # after every note, which may name a path in the home folder
        from dataclasses import replace

        from dlcheck.anonymize import anonymize_record

        # the repair route judged again from the anonymised paths: a path made relative to
        # the current folder would keep the names below the home folder
        result = replace(anonymize_record(result), repair=None)
    if verbose and chosen:
        click.echo(f"dlcheck: lock chosen: {chosen}", err=True)
    if quiet and kind == "text":
        from dlcheck import output as out

        out.emit(result.summary() + "\n", output=output, inputs=(lock_path,), quiet=True)
    else:
        _emit(
            kind,
            output,
            result,
            functools.partial(render_verify_markdown, show_all=show_all),
            functools.partial(render_verify_text, show_all=show_all),
            (lock_path,),
            quiet=quiet,
            csv=_verify_csv,
        )
    if result.exit_code and (output or verbose):  # the file says it, the terminal did not
        click.echo(f"dlcheck: exit {result.exit_code}: {result.summary()}", err=True)
    return result.exit_code


def _with_backend_note(result: Any, prefix: str | None) -> Any:
    """The result with a note on the Keras backend the environment carries and where it comes
    from (its startup hook, or KERAS_BACKEND set by you), when it carries one."""
    import os
    import sys
    from dataclasses import replace
    from pathlib import Path

    from dlcheck.envs.defaults import backend_source, read_hook

    hook = read_hook(Path(prefix or sys.prefix))
    if hook is None:  # an environment env create gave no defaults (or made another way)
        return result
    backend, source = backend_source(dict(os.environ), hook)
    return replace(result, notes=[*result.notes, f"Keras backend: {backend}, {source}"])


@env.command(short_help="Create the course environment from its lock.")
@click.option(
    "--setup",
    "setup_name",
    type=setup_type(),
    help="This setup instead of the one `env recommend` picks (cpu, nvidia, keras-torch).",
)
@click.option(
    "--course",
    type=course_type(),
    help="Course flavour: tensorflow (the default) or torch (the keras-torch setup).",
)
@click.option(
    "--prefix",
    type=click.Path(file_okay=False),
    help="Where to create it (default: .venv-SETUP in the current folder).",
)
@click.option(
    "--python",
    "python_path",
    type=python_path_type(),
    help="The Python to build it with (default: found).",
)
@click.option(
    "--kernel",
    type=Given("a kernel name to register (or none: no kernel)"),
    help="Name of the Jupyter kernel to register (default dlcheck-SETUP-HASH; none: no kernel).",
)
@click.option("--force", is_flag=True, help="Rebuild an environment that already exists.")
@click.option(
    "--uv/--pip", "use_uv", default=None, help="Installer (default: uv when present, else pip)."
)
@click.option(
    "--conda", "use_conda", is_flag=True, help="Use conda-lock install and conda-lock.yml."
)
def create(
    setup_name: str | None,
    prefix: str | None,
    python_path: str | None,
    kernel: str | None,
    force: bool,
    use_uv: bool | None,
    use_conda: bool,
    course: str | None = None,
) -> int:
    """Create the course environment for this machine from its lock, register its Jupyter
    kernel, verify it, and print the command that activates it.

    Exit status: 0 made (or already made), 2 a fault (one line; nothing unfinished is left),
    130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.
    """
    from dlcheck.envs.create import CreateOptions
    from dlcheck.envs.create import create as make
    from dlcheck.output import check_outputs

    check_outputs((), stdout=True)  # its steps and the activate line go to standard output

    if setup_name is None and course is not None:
        from dlcheck.profile import course_setup

        setup_name = course_setup(course)
    installer = None if use_uv is None else ("uv" if use_uv else "pip")
    opts = CreateOptions(setup_name, prefix, python_path, kernel, force, installer, use_conda)
    return make(opts)


@env.command(short_help="Remove an environment env create made, with its kernel.")
@click.argument("prefix", type=click.Path())
def remove(prefix: str) -> int:
    """Remove the environment at PREFIX and its Jupyter kernel, when dlcheck can prove it made
    them (`env create`'s marker and token); anything else is refused and left as it is.

    Exit status: 0 removed, 1 something could not be removed (said), 2 refused (one line).
    """
    from dlcheck.envs.remove import remove_environment

    done = remove_environment(prefix)
    for line in [done.environment, *done.kernels]:
        click.echo(line)
    return 0 if done.removed else 1
