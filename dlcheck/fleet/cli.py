"""``dlcheck report``: one table of many machines."""

from __future__ import annotations

import click

from dlcheck.cli import course_type
from dlcheck.output import chatter_options, output_options

FORMATS = ("text", "markdown", "csv", "html", "json")


@click.command(short_help="One table of many machines from saved results.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@output_options(
    formats=FORMATS, short_forms=("json", "markdown"), inputs=("paths", "profile", "places")
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False),
    help="Judge every check report again against this requirement profile (TOML).",
)
@click.option(
    "--course",
    type=course_type(),
    help="Judge every check report again against this course flavour (tensorflow, torch); "
    "default: each against the course it was checked with.",
)
@click.option("--places", type=click.Path(dir_okay=False), help="Where-to-run-instead list (TOML).")
@click.option("--anonymize", is_flag=True, help="Show anonymised ids instead of host names.")
@chatter_options(
    quiet="For scripts: the summary in plain sentences, without the table; no 'wrote' line.",
    verbose="Also say on standard error why the exit status is what it is.",
)
def report(
    paths: tuple[str, ...],
    profile: str | None,
    places: str | None,
    anonymize: bool,
    fmt: str,
    output: str | None,
    quiet: bool = False,
    verbose: bool = False,
    course: str | None = None,
) -> int:
    """One table of many machines from saved results.

    PATHS are `dlcheck check --json`, `dlcheck env verify --json` and `dlcheck bench --json`
    files, or folders of them (*.json, searched recursively). Files of the same machine are
    merged (by host name, or by file name: pc07.check.json, pc07.env.json, pc07.bench.json).
    Unreadable, malformed or unknown files are listed as skipped; when every PATH is a file
    and none can be read, that is bad input (one line, exit 2).

    Exit status: 0 every machine ready (warnings allowed), 1 a machine is not ready or
    unknown (or no file of a folder could be read), 2 bad usage or no named file readable.
    """
    from dlcheck import output as out
    from dlcheck.fleet import render
    from dlcheck.fleet.build import build_fleet

    inputs = (*paths, profile, places)  # -o was checked against them before any was read
    fleet = build_fleet(paths, profile, places, anonymize, course)
    if not fleet.rows and not fleet.references and fleet.skipped and _all_files(paths):
        # files named one by one, none readable: bad input (one line, exit 2), as every other
        # command says of a bad file; a folder's bad files stay "skipped" in the table
        from dlcheck.errors import UserError

        first = fleet.skipped[0]
        more = len(fleet.skipped) - 1
        raise UserError(first.path, first.reason + (f" (and {more} more files)" if more else ""))
    if quiet and fmt == "text":
        text = "".join(line + "\n" for line in render.summary_lines(fleet))  # plain sentences
        out.emit(text, output=output, inputs=inputs, quiet=True)
    elif fmt == "text":
        out.emit(
            draw=out.draw_to(render.render_text, fleet), output=output, inputs=inputs, width=80
        )
    else:
        text = {
            "markdown": render.render_markdown,
            "csv": render.render_csv,
            "html": render.render_html,
            "json": render.render_json,
        }[fmt](fleet)
        out.emit(text, output=output, inputs=inputs, quiet=quiet)
    why = render.exit_line(fleet)
    if why and (verbose or output or fmt != "text"):  # the text view on screen says it
        click.echo(f"dlcheck: {why}", err=True)
    return fleet.exit_code


def _all_files(paths: tuple[str, ...]) -> bool:
    """Whether every path names a file (not a folder): the user chose each one."""
    import os

    return bool(paths) and all(not os.path.isdir(p) for p in paths)
