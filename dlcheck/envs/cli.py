"""`dlcheck env`: recommend a locked setup, and verify an environment against its lock."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from dlcheck.errors import UserError
from dlcheck.output import output_options


def _emit(
    kind: str,
    output: str | None,
    result: Any,
    markdown: Callable[[Any], str],
    text: Callable[..., None],
    inputs: tuple[str | None, ...] = (),
) -> None:
    """Render one result (a record with ``to_json_dict``, and its Markdown and text renderers)
    in the chosen format through the one output path (dlcheck.output)."""
    from dlcheck import output as out

    if kind == "json":
        from dlcheck.documents import document_json

        out.emit(document_json(result.to_json_dict()), output=output, inputs=inputs)
    elif kind == "markdown":
        out.emit(markdown(result), output=output, inputs=inputs)
    else:
        # as before: the renderer's own width (a file gets rich's default, not emit's 120)
        out.emit(draw=out.draw_to(lambda **kw: text(result, **kw)), output=output, inputs=inputs)


@click.group()
def env() -> None:
    """Locked environments for the course (envs/ in the dlcheck repository)."""


@env.command()
@click.option("--setup", "setup_name", help="Show the commands for this setup instead.")
@click.option(
    "--from",
    "from_path",
    type=click.Path(dir_okay=False),
    help="Recommend for the machine of a saved `dlcheck check --json` report.",
)
@output_options()
@click.option("--anonymize", is_flag=True, help="Remove hostname, user name and home paths.")
def recommend(
    setup_name: str | None,
    from_path: str | None,
    fmt: str,
    output: str | None,
    anonymize: bool = False,
) -> int:
    """Which setup fits this machine, and the commands to create it (conda and pip routes)."""
    from dlcheck.envs.recommend import recommend as pick
    from dlcheck.envs.recommend import recommend_setup
    from dlcheck.envs.render import render_recommend_markdown, render_recommend_text
    from dlcheck.envs.setups import conda_locks_present, load_catalog

    kind = fmt
    catalog = load_catalog()
    if setup_name is not None and setup_name not in catalog.setups:
        raise UserError(
            None, f"unknown setup {setup_name!r}; known: {', '.join(sorted(catalog.setups))}"
        )
    if from_path:
        from dlcheck.report import load_report_facts

        facts = load_report_facts(from_path)
    else:
        from dlcheck.probes import collect_facts

        facts = collect_facts()
    ready = conda_locks_present(catalog)
    rec = (
        recommend_setup(facts, catalog, setup_name, ready)
        if setup_name
        else pick(facts, catalog, ready)
    )
    if anonymize:
        from dlcheck.anonymize import anonymize_record

        rec = anonymize_record(rec, host=facts.platform.hostname or None)
    _emit(kind, output, rec, render_recommend_markdown, render_recommend_text, (from_path,))
    if output and not rec.setup:  # the file says it, the terminal did not
        click.echo("dlcheck: exit 1: no locked setup fits this machine", err=True)
    return 0 if rec.setup else 1


@env.command()
@click.option("--lock", "lock_path", type=click.Path(dir_okay=False), help="The lock file.")
@click.option("--setup", "setup_name", help="Use the lock of this setup for this platform.")
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
    help="Verify the environment at PATH instead of the running one.",
)
@click.option("--allow-extra", is_flag=True, help="Packages the lock does not name do not fail.")
@click.option("--all", "show_all", is_flag=True, help="List every package that differs.")
@output_options()
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
    anonymize: bool = False,
) -> int:
    """Compare the active environment with a lock: missing, different and extra packages.

    Changes nothing. Exit status: 0 matches, 1 differs, 2 bad usage or a bad lock file.
    """
    from dlcheck.envs.installed import scan_environment
    from dlcheck.envs.locks import read_lock
    from dlcheck.envs.render import render_verify_markdown, render_verify_text
    from dlcheck.envs.setups import current_subdir, find_setup_dir, load_catalog, pip_lock_name
    from dlcheck.envs.verify import verify as compare

    kind = fmt
    if bool(lock_path) == bool(setup_name):
        raise click.UsageError("give exactly one of --lock FILE and --setup NAME")
    if prefix is not None:
        from pathlib import Path

        if not Path(prefix).is_dir():
            raise UserError(prefix, "no such environment folder")
    platform = current_subdir()
    if platform is None:
        raise UserError(None, "this platform has no conda name; dlcheck cannot pick a lock")
    environment = scan_environment(prefix)
    if setup_name:
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
    if anonymize:
        from dlcheck.anonymize import anonymize_record

        result = anonymize_record(result)
    _emit(
        kind,
        output,
        result,
        functools.partial(render_verify_markdown, show_all=show_all),
        functools.partial(render_verify_text, show_all=show_all),
        (lock_path,),
    )
    if output and result.exit_code:  # the file says it, the terminal did not
        click.echo(f"dlcheck: exit {result.exit_code}: {result.summary()}", err=True)
    return result.exit_code


@env.command()
@click.option("--setup", "setup_name", help="This setup instead of the one `env recommend` picks.")
@click.option(
    "--prefix",
    type=click.Path(file_okay=False),
    help="Where to create it (default: .venv-SETUP in the current folder).",
)
@click.option("--python", "python_path", help="The Python to build it with (default: found).")
@click.option(
    "--kernel",
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
) -> int:
    """Create the course environment for this machine from its lock, register its Jupyter
    kernel, verify it, and print the command that activates it.

    Exit status: 0 made (or already made), 2 a fault (one line; nothing unfinished is left),
    130 interrupted (Ctrl-C), 143 SIGTERM, 129 SIGHUP.
    """
    from dlcheck.envs.create import CreateOptions
    from dlcheck.envs.create import create as make

    installer = None if use_uv is None else ("uv" if use_uv else "pip")
    opts = CreateOptions(setup_name, prefix, python_path, kernel, force, installer, use_conda)
    return make(opts)
