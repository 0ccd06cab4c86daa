"""``dlcheck report``: one table of many machines."""

from __future__ import annotations

import sys

import click

from dlcheck.errors import UserError

FORMATS = ("text", "markdown", "csv", "html", "json")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Terminal table, Markdown, CSV, one self-contained HTML page, or JSON.",
)
@click.option(
    "--profile",
    type=click.Path(dir_okay=False),
    help="Judge every check report again against this requirement profile (TOML).",
)
@click.option("--places", type=click.Path(dir_okay=False), help="Where-to-run-instead list (TOML).")
@click.option("--anonymize", is_flag=True, help="Show anonymised ids instead of host names.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE, not stdout.")
def report(
    paths: tuple[str, ...],
    fmt: str,
    profile: str | None,
    places: str | None,
    anonymize: bool,
    output: str | None,
) -> int:
    """One table of many machines from saved results.

    PATHS are `dlcheck check --json`, `dlcheck env verify --json` and `dlcheck bench --json`
    files, or folders of them (*.json, searched recursively). Files of the same machine are
    merged (by host name, or by file name: pc07.check.json, pc07.env.json, pc07.bench.json).
    Unreadable, malformed or unknown files are listed as skipped.

    Exit status: 0 every machine ready (warnings allowed), 1 a machine is not ready or
    unknown (or none could be read), 2 bad usage.
    """
    from dlcheck.fleet import render
    from dlcheck.fleet.build import build_fleet

    fleet = build_fleet(paths, profile, places, anonymize)
    if fmt == "text":
        if output:
            with _open(output) as fh:
                render.render_text(fleet, file=fh, width=200)
        else:
            render.render_text(fleet)
        return fleet.exit_code
    text = {
        "markdown": render.render_markdown,
        "csv": render.render_csv,
        "html": render.render_html,
        "json": render.render_json,
    }[fmt](fleet)
    if output:
        with _open(output) as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return fleet.exit_code


def _open(path: str):  # noqa: ANN202 - a text file handle
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UserError(path, f"cannot write: {exc.strerror or exc}") from None
