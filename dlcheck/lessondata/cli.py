"""``dlcheck data check`` and ``dlcheck data fetch`` (docs/data.md). Thin: options, build,
judge, render, exit status."""

from __future__ import annotations

import os
from typing import Any

import click

from dlcheck.errors import UserError
from dlcheck.output import chatter_options, output_options

FORMATS = ("text", "json", "markdown", "csv")


def _folder(path: str | None, option: str, must_exist: bool = True) -> str | None:
    """A folder a user named: one line when it is not one."""
    if path is None:
        return None
    if os.path.exists(path) and not os.path.isdir(path):
        raise UserError(path, f"{option}: not a folder")
    if must_exist and not os.path.isdir(path):
        raise UserError(path, f"{option}: no such folder")
    return path


def _course(course: str | None) -> str:
    from dlcheck.lessondata.table import COURSES

    if course is not None and course not in COURSES:
        raise UserError(None, f"--course: unknown course {course!r}; known: {', '.join(COURSES)}")
    return course or "tensorflow"


def _files(course: str, only: tuple[str, ...]) -> list[Any]:
    from dlcheck.lessondata.table import load_table

    files = list(load_table().for_course(course))
    if only:
        known = {f.id for f in files}
        unknown = [o for o in only if o not in known]
        if unknown:
            raise UserError(
                None, f"--only: unknown file {unknown[0]!r}; known: {', '.join(sorted(known))}"
            )
        files = [f for f in files if f.id in only]
    return files


def _fetch_command(data: str | None, course: str) -> list[str]:
    from dlcheck.shellquote import join

    args: list[object] = ["dlcheck", "data", "fetch"]
    if data is not None:
        args += ["--data", data]
    if course != "tensorflow":
        args += ["--course", course]
    return [join(args)]


def _emit(
    kind: str, record: Any, doc_kind: Any, views: dict[str, Any], output: str | None, quiet: bool
) -> None:
    from dlcheck import output as out
    from dlcheck.documents import document_json, with_header
    from dlcheck.render.layout import PIPE_WIDTH

    if kind == "json":
        out.emit(document_json(with_header(doc_kind, record.to_dict())), output=output, quiet=quiet)
    elif kind in ("markdown", "csv"):
        out.emit(views[kind](record), output=output, quiet=quiet)
    else:
        draw = out.draw_to(views["text"], record, quiet=quiet)
        out.emit(draw=draw, output=output, width=PIPE_WIDTH, quiet=quiet)


def _anonymized(record: Any) -> Any:
    from dlcheck.anonymize import anonymize_record

    return anonymize_record(record)


@click.group(short_help="The course's data: present and whole, or fetch it.")
def data() -> None:
    """The files the lesson downloads (datasets and weights): `dlcheck data check` proves
    them without the network; `dlcheck data fetch` downloads what is missing (docs/data.md)."""


@data.command("check", short_help="Is the course's data here and whole? (no network)")
@output_options(formats=FORMATS)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(),
    metavar="DIR",
    help="The folder the notebooks run in (default: the current folder).",
)
@click.option("--course", metavar="NAME", help="Course flavour: tensorflow (default) or torch.")
@click.option("--anonymize", is_flag=True, help="Remove the user name and home paths.")
@chatter_options(
    quiet="For scripts: only the verdict line.",
    verbose="Also say on stderr why the exit status is what it is.",
)
def check(
    fmt: str,
    output: str | None,
    data_dir: str | None,
    course: str | None,
    anonymize: bool,
    quiet: bool,
    verbose: bool,
) -> int:
    """Look for every file of the course's data where the lesson looks (the notebooks'
    folder, Keras' and seaborn's caches) and prove each whole by its structure (a .npy
    file's header, a CSV's rows and columns, an HDF5 superblock) and by the publisher's md5
    where one is recorded. Never uses the network.

    Exit status: 0 every file present and whole, 1 a file missing or broken, 2 bad usage,
    3 not verified (a file could not be read).
    """
    from dlcheck.documents import DATA_CHECK
    from dlcheck.lessondata.checks import VERDICT_WORDS, judge_data
    from dlcheck.lessondata.facts import inspect_data
    from dlcheck.lessondata.places import lesson_roots
    from dlcheck.lessondata.render import (
        render_check_csv,
        render_check_markdown,
        render_check_text,
    )

    name = _course(course)
    _folder(data_dir, "--data")
    facts = inspect_data(lesson_roots(data_dir), name)  # build
    result = judge_data(facts, _fetch_command(data_dir, name))  # judge
    if anonymize:
        result = _anonymized(result)
    views = {"text": render_check_text, "markdown": render_check_markdown, "csv": render_check_csv}
    _emit(fmt, result, DATA_CHECK, views, output, quiet)  # render
    if result.exit_code and not quiet and (verbose or output or fmt != "text"):
        click.echo(f"dlcheck: exit {result.exit_code}: {VERDICT_WORDS[result.verdict]}", err=True)
    return result.exit_code


@data.command("fetch", short_help="Download the course's data (uses the network).")
@output_options(formats=FORMATS)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(),
    metavar="DIR",
    help="The folder the notebooks run in (default: the current folder); Keras' and "
    "seaborn's files go to their own folders (KERAS_HOME, SEABORN_DATA).",
)
@click.option(
    "--to",
    "lab_dir",
    type=click.Path(),
    metavar="DIR",
    help="A lab's shared folder: every file goes there (DIR/data, DIR/keras, "
    "DIR/seaborn-data); learners point KERAS_HOME and SEABORN_DATA at it (docs/data.md).",
)
@click.option(
    "--mirror",
    metavar="URL",
    help="Fetch https://HOST/PATH from URL/HOST/PATH instead (a lab's copy); "
    "default: $DLCHECK_DATA_MIRROR.",
)
@click.option("--only", multiple=True, metavar="ID", help="Only this file (repeatable).")
@click.option("--course", metavar="NAME", help="Course flavour: tensorflow (default) or torch.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=3600),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the network before a file fails.",
)
@click.option("--anonymize", is_flag=True, help="Remove the user name and home paths.")
@chatter_options(
    quiet="For scripts: no progress, no network notice, only the summary line.",
    verbose="Also say on stderr why the exit status is what it is.",
)
def fetch(
    fmt: str,
    output: str | None,
    data_dir: str | None,
    lab_dir: str | None,
    mirror: str | None,
    only: tuple[str, ...],
    course: str | None,
    timeout: float,
    anonymize: bool,
    quiet: bool,
    verbose: bool,
) -> int:
    """Download the files of the course's data that are missing or broken where the lesson
    looks (or into a lab's folder, --to), each checked against the publisher's md5 and its
    structure before it replaces anything. Resumes an interrupted download. The one dlcheck
    command that uses the network; it honours HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE.

    Exit status: 0 every file here and whole, 1 a file failed, 2 bad usage, 130 interrupted
    (run it again to resume).
    """
    from dlcheck.documents import DATA_FETCH
    from dlcheck.lessondata.fetch import fetch_data, hosts_of, mirror_from_env
    from dlcheck.lessondata.places import lab_roots, lesson_roots
    from dlcheck.lessondata.render import (
        fetch_summary,
        render_fetch_csv,
        render_fetch_markdown,
        render_fetch_text,
    )
    from dlcheck.render.progress import Bars, stderr_is_terminal

    if data_dir is not None and lab_dir is not None:
        raise click.UsageError("choose one of --data and --to")
    name = _course(course)
    files = _files(name, only)
    _folder(data_dir, "--data")
    _folder(lab_dir, "--to", must_exist=False)
    mirror = mirror or mirror_from_env()
    if mirror is not None and not mirror.startswith(("http://", "https://")):
        raise UserError(None, f"--mirror: {mirror!r} is not an http(s) URL")
    roots = lab_roots(lab_dir) if lab_dir is not None else lesson_roots(data_dir)
    if not quiet:
        hosts = ", ".join(hosts_of(files, mirror))
        click.echo(f"dlcheck data fetch uses the network: {hosts}", err=True)
    live = not quiet and stderr_is_terminal()
    with Bars(live) as bars:

        def progress(done: int, total: int, file_id: str) -> None:
            bars.update("course data", file_id, done, total)

        try:
            result = fetch_data(files, roots, mirror, timeout, progress)  # build and judge
        except KeyboardInterrupt:
            click.echo(
                "dlcheck: data fetch interrupted: what was downloaded is kept; "
                "run the same command again to resume",
                err=True,
            )
            raise
    if anonymize:
        result = _anonymized(result)
    views = {"text": render_fetch_text, "markdown": render_fetch_markdown, "csv": render_fetch_csv}
    _emit(fmt, result, DATA_FETCH, views, output, quiet)  # render
    for r in result.failed:
        click.echo(f"dlcheck: {r.id}: {r.detail}", err=True)
    code = 1 if result.failed else 0
    if code and verbose:
        click.echo(f"dlcheck: exit {code}: {fetch_summary(result)}", err=True)
    return code
