"""The one output path of every command: ``--format`` (with ``--json``/``--markdown`` as short
forms), ``-o FILE``, atomic writes, and the encoding policy of standard output.

- ``-o FILE`` writes a temporary file in FILE's folder and renames it over FILE (atomic: a
  crash or Ctrl-C leaves the old file or none, never half a file; two runs never interleave).
  A target that is one of the command's inputs is refused. Every write error (no space, no
  permission, a folder) is one line, exit status 2. A target that exists and is not a regular
  file (``/dev/null``, ``/dev/stdout``, a named pipe) is written directly.
- Every output of a command (``-o``, ``--save``, ``--plot``, and standard output when no
  ``-o`` is given) is checked before the work starts (``check_outputs``, called by the shared
  options of every command): its folder exists, it is no folder, no input and not given twice,
  and standard output is open (``dlcheck check >&-`` is one line, exit 2: give ``-o FILE``).
- A symbolic link given as the output is written through: its target is replaced atomically
  (a temporary file beside the target, renamed over it) and the link stays a link.
- A result that cost time (a benchmark) is never lost to a failed output: ``keep_elsewhere``.
- A reader that went away (``| head``) is silent (``dlcheck.cli.main``).
- Encoding (docs/architecture.md): output that goes to a file or a pipe is always UTF-8 (JSON
  must be UTF-8; a Windows learner's ``> me.md`` from a cp1252 stream becomes a UTF-8 file
  any editor reads); output to a terminal keeps the terminal's encoding and replaces what it
  cannot show (``?``) instead of crashing.
"""

from __future__ import annotations

import functools
import io
import os
import stat
import sys
from collections.abc import Callable, Iterable
from typing import IO, Any

import click

from dlcheck.errors import UserError

STDOUT_NAME = "<standard output>"


def output_options(
    formats: tuple[str, ...] = ("text", "json", "markdown"),
    short_forms: tuple[str, ...] = ("json", "markdown"),
    default: str = "text",
    inputs: tuple[str, ...] = (),
    files: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared click options: ``--format``, its short forms and ``-o/--output``. The
    command receives ``fmt`` (one of ``formats``) and ``output`` (a path or None). Before
    the command runs, every output it was given (``-o``, and the parameters named in
    ``files``: ``--save``, ``--plot``) and standard output when no ``-o`` is given are
    checked by ``check_outputs`` against the inputs named in ``inputs``."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            flags = [name for name in short_forms if kwargs.pop(f"{name}_flag", False)]
            fmt = kwargs.pop("fmt", None)
            chosen = set(flags) | ({fmt} if fmt else set())
            if len(chosen) > 1:
                names = ", ".join(f"--{n}" for n in short_forms)
                raise click.UsageError(f"choose one of {names} and --format")
            kwargs["fmt"] = chosen.pop() if chosen else default
            ctx = click.get_current_context(silent=True)
            if ctx is None or ctx.invoked_subcommand is None:  # a group's subcommand checks
                given: list[str | None] = []
                for name in inputs:
                    value = kwargs.get(name)
                    given += list(value) if isinstance(value, (tuple, list)) else [value]
                check_outputs(
                    [kwargs.get("output"), *(kwargs.get(n) for n in files)],
                    given,
                    stdout=not kwargs.get("output"),
                )
            return fn(*args, **kwargs)

        cmd = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            help="Write to FILE (atomically) instead of standard output.",
        )(wrapper)
        cmd = click.option(
            "--format",
            "fmt",
            type=click.Choice(formats, case_sensitive=False),
            help=f"Output format (default: {default}).",
        )(cmd)
        for name in reversed(short_forms):
            cmd = click.option(
                f"--{name}", f"{name}_flag", is_flag=True, help=f"Short for --format {name}."
            )(cmd)
        return cmd

    return decorate


def chatter_options(quiet: str, verbose: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The shared click flags ``-q/--quiet`` and ``-v/--verbose``, spelt the same in every
    command; ``quiet`` and ``verbose`` are their help texts there. The command receives
    ``quiet`` and ``verbose`` (bools)."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        for short, name, text in (("-v", "--verbose", verbose), ("-q", "--quiet", quiet)):
            fn = click.option(short, name, is_flag=True, help=text)(fn)  # -q listed first
        return fn

    return decorate


# ---- standard output --------------------------------------------------------------------


def _is_utf8(stream: Any) -> bool:
    enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return enc in ("utf8", "utf8sig")


def setup_streams() -> None:
    """The encoding policy (module docstring), applied once at start-up."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or _is_utf8(stream):
            continue
        try:
            tty = stream.isatty()
        except (OSError, ValueError):
            tty = False
        try:
            if tty:
                reconfigure(errors="replace" if stream is sys.stdout else "backslashreplace")
            else:
                reconfigure(encoding="utf-8", errors="strict")
        except (OSError, ValueError, io.UnsupportedOperation):
            pass


def stdout_closed() -> bool:
    """Standard output was closed before dlcheck started (``dlcheck check >&-``, a cron job
    or a service unit without it): Python then sets ``sys.stdout`` to None."""
    stream = sys.stdout
    if stream is None:
        return True
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False  # a stream in memory (a notebook, a test's capture): open
    try:
        os.fstat(fd)
    except OSError:
        return True
    return False


def check_outputs(
    paths: Iterable[str | None], inputs: Iterable[str | None] = (), stdout: bool = False
) -> None:
    """The one check of a command's outputs, made before its work starts: each of ``paths``
    can be written (its folder exists and is a folder, it is no folder itself, no input, and
    not given twice; a link is checked at its target), and, with ``stdout``, standard output
    is open. UserError (one line) otherwise."""
    inputs = list(inputs)
    seen: dict[str, str] = {}
    for path in paths:
        if not path:
            continue
        path = str(path)
        target = _through_link(path)
        if target in seen:
            raise UserError(
                path, "is given twice: one of this command's inputs or outputs; choose another file"
            )
        seen[target] = path
        st = _target(path, inputs)
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise UserError(path, "is a folder; give a file name")
        if st is not None and not stat.S_ISREG(st.st_mode):
            continue  # /dev/null, a named pipe: written directly
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            what = "no such folder" if not os.path.lexists(folder) else "not a folder"
            raise UserError(path, f"cannot write: {what}: {folder}")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UserError(path, f"cannot write: no permission to write in {folder}")
    if stdout and stdout_closed():
        raise UserError(STDOUT_NAME, "is closed; give -o FILE to write the output to a file")


def keep_elsewhere(text: str, name: str) -> str:
    """``text`` written where it cannot be lost when its own output failed: a new file named
    after ``name`` in the temporary folder (atomically). Its path; UserError if even that
    fails."""
    import tempfile
    import time

    stem = os.path.basename(name) or "result"
    fd, path = tempfile.mkstemp(
        prefix=f"dlcheck-kept-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=f"-{stem}"
    )
    os.close(fd)
    write_file(path, text)
    return path


def write_stdout(text: str) -> None:
    """``text`` to standard output, flushed; a write error is one line (UserError)."""
    if stdout_closed():
        raise UserError(STDOUT_NAME, "is closed; give -o FILE to write the output to a file")
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UserError(STDOUT_NAME, f"cannot write: {exc.strerror or exc}") from None
    except UnicodeEncodeError as exc:
        raise UserError(STDOUT_NAME, f"cannot write: {exc.reason}") from None


# ---- files ------------------------------------------------------------------------------


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_inputs(path: str, inputs: Iterable[str | None]) -> None:
    """UserError when ``path`` is one of ``inputs`` (a named file, or a ``*.json`` file inside
    a named folder: the next run would read it)."""
    real = os.path.realpath(path)
    for given in inputs:
        if not given:
            continue
        given = str(given)
        if os.path.isdir(given):
            folder = os.path.realpath(given)
            if real.startswith(folder.rstrip(os.sep) + os.sep) and real.endswith(".json"):
                raise UserError(
                    path, f"is inside {given}, which this command reads; choose another file"
                )
        elif _same_file(path, given):
            raise UserError(path, "is one of this command's inputs; choose another file")


def _through_link(path: str) -> str:
    """Where ``path`` writes: a symbolic link's final target (the link stays a link and the
    file it points to is replaced), else ``path`` itself."""
    if os.path.islink(path):
        return os.path.realpath(path)
    return path


def _target(path: str, inputs: Iterable[str | None]) -> os.stat_result | None:
    """What is at ``path`` now (None: nothing), once it is known not to be an input."""
    refuse_inputs(path, inputs)
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UserError(path, f"cannot write: {exc.strerror or exc}") from None


def write_file(path: str, text: str, inputs: Iterable[str | None] = ()) -> None:
    """``text`` (UTF-8) to ``path`` atomically (a link: to its target); every failure is one
    UserError line."""
    st = _target(path, inputs)
    shown, path = path, _through_link(path)
    data = text.encode("utf-8", "backslashreplace")  # a lone surrogate stays visible
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UserError(path, "is a folder; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_direct(path, data)  # /dev/null, /dev/stdout, a named pipe: no rename there
        return
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd = -1
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
        )
        mode = (st.st_mode & 0o7777) if st is not None else (0o666 & ~_umask())
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise UserError(shown, f"cannot write: {exc.strerror or exc}") from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def write_with(
    path: str, make: Callable[[str], None], inputs: Iterable[str | None] = (), suffix: str = ""
) -> None:
    """A file another library writes (``make(temporary path)``: a plot's ``savefig``) put at
    ``path`` the way ``write_file`` does: refused when it is an input, atomic, one line for
    every failure."""
    st = _target(path, inputs)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UserError(path, "is not a regular file; give a file name")
    path = _through_link(path)
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix="." + os.path.basename(path) + ".", suffix=suffix + ".tmp"
        )
        os.close(fd)
        final = tmp[: -len(".tmp")]  # the suffix a library reads the format from
        os.replace(tmp, final)
        tmp = final
        make(tmp)
        mode = (st.st_mode & 0o7777) if st is not None else (0o666 & ~_umask())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise UserError(path, f"cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def say_wrote(path: str, verb: str = "wrote") -> None:
    """``wrote PATH`` on standard error: every write says where it wrote."""
    from dlcheck.sanitize import clean

    try:
        sys.stderr.write(f"{verb} {clean(str(path), 300)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _write_direct(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise UserError(path, f"cannot write: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ---- one way out ------------------------------------------------------------------------


def emit(
    text: str | None = None,
    draw: Callable[..., None] | None = None,
    output: str | None = None,
    inputs: Iterable[str | None] = (),
    width: int = 120,
    quiet: bool = False,
) -> None:
    """Send a command's output to ``output`` (atomically) or standard output. Give ``text``
    (already rendered), or ``draw(file=..., width=...)`` for a rich renderer, which draws
    straight to a terminal and into memory for a file. A file written is said on standard
    error (``wrote me.md``) unless ``quiet``."""
    if output:
        if text is None:
            assert draw is not None
            buf = io.StringIO()
            draw(file=buf, width=width)
            text = buf.getvalue()
        write_file(output, text, inputs)
        if not quiet:
            say_wrote(output)
        return
    if text is not None:
        write_stdout(text)
        return
    assert draw is not None
    try:
        draw()
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UserError(STDOUT_NAME, f"cannot write: {exc.strerror or exc}") from None


def draw_to(render: Callable[..., None], *args: Any, **fixed: Any) -> Callable[..., None]:
    """A ``draw`` for ``emit`` from a renderer ``render(*args, file=..., [width=...])``."""

    def draw(file: IO[str] | None = None, width: int | None = None) -> None:
        kw = dict(fixed)
        if file is not None:
            kw["file"] = file
        if width is not None and "width" in _params(render):
            kw["width"] = width
        render(*args, **kw)

    return draw


def _params(fn: Callable[..., Any]) -> tuple[str, ...]:
    import inspect

    try:
        return tuple(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return ()
