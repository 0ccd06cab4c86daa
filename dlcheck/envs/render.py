"""Text (rich) and Markdown for `dlcheck env verify` and `dlcheck env recommend`, and the
printer of `dlcheck env create`'s events. Formatting only; every value from a machine or a
file is escaped."""

from __future__ import annotations

import sys
from typing import IO, Any

from dlcheck.envs import create as made
from dlcheck.envs.recommend import ROUTE_HEADINGS, Recommendation, Route
from dlcheck.envs.verify import PackageDiff, VerifyResult
from dlcheck.render.markdown import md_advice, md_code_block, md_escape
from dlcheck.sanitize import clean, clean_record


def _diff_line(kind: str, d: PackageDiff) -> str:
    if kind == "missing":
        return f"{d.name} {d.locked} ({d.manager}) is not installed"
    if kind == "different":
        extra = f", {d.detail}" if d.detail else ""
        return f"{d.name} ({d.manager}): lock {d.locked}, installed {d.installed}{extra}"
    if kind == "extra":
        return f"{d.name} {d.installed} ({d.manager}) is not in the lock"
    return f"{d.name} {d.installed}: {d.detail}"


# Names listed per category before "and N more" (``--all`` lists every one).
SHOWN_NAMES = 10


def verify_sections(r: VerifyResult) -> list[tuple[str, list[str]]]:
    out = [
        ("Missing", [_diff_line("missing", d) for d in r.missing]),
        ("Different version", [_diff_line("different", d) for d in r.different]),
        (
            "Extra" + (" (allowed)" if r.allow_extra else ""),
            [_diff_line("extra", d) for d in r.extra],
        ),
    ]
    return [(title, lines) for title, lines in out if lines]


def shown_lines(lines: list[str], show_all: bool) -> tuple[list[str], int]:
    """The lines to list and how many are left out (at most SHOWN_NAMES unless show_all)."""
    if show_all or len(lines) <= SHOWN_NAMES + 1:  # "and 1 more" would save nothing
        return lines, 0
    return lines[:SHOWN_NAMES], len(lines) - SHOWN_NAMES


def repair(r: VerifyResult) -> tuple[str, list[str]] | None:
    """The result's repair route (its judgement, ``VerifyResult.repair``) as (why, commands)."""
    return (r.repair.why, list(r.repair.commands)) if r.repair else None


def render_verify_text(
    r: VerifyResult,
    file: IO[str] | None = None,
    width: int | None = None,
    show_all: bool = False,
) -> None:
    """The verdict and the repair first, then what differs (at most SHOWN_NAMES names per
    category unless ``show_all``), then where the lock and the environment are."""
    r = clean_record(r)  # every machine string sanitized before any view
    from rich.console import Console
    from rich.text import Text

    from dlcheck.render.layout import command_line, console_width, hang, style_of

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    console.print(
        Text.assemble(("dlcheck env verify", "bold"), f" · setup {r.setup or '(none named)'}")
    )
    hang(
        console,
        Text("Verdict: ", style="bold"),
        Text.assemble(
            (r.verdict, style_of(r.verdict) or "bold"),
            f"  ({r.checked} locked packages: {len(r.missing)} missing, "
            f"{len(r.different)} different, {len(r.extra)} extra)",
        ),
        w,
    )
    if r.incomplete:
        hang(console, Text("Why: "), Text(r.incomplete), w)
    fix = repair(r)
    if fix:
        hang(console, Text("Fix: ", style="bold"), Text(fix[0]), w)
        for cmd in fix[1]:
            command_line(console, cmd)
        console.print(Text("Nothing was changed.", style="dim"))
    console.print()
    # Paths are never folded (to be copied whole), as commands.
    console.print(
        Text(f"Lock:        {r.lock_path} ({r.lock_format}, {r.platform})"), soft_wrap=True
    )
    console.print(
        Text(f"Environment: {r.prefix} (Python {r.python_version or '?'})"), soft_wrap=True
    )
    left_out = 0
    for title, lines in verify_sections(r):
        shown, more = shown_lines(lines, show_all)
        left_out += more
        console.print(Text(f"{title} ({len(lines)}):", style="bold"))
        for line in shown:
            hang(console, Text("  - "), Text(line), w)
        if more:
            console.print(Text(f"  - and {more} more", style="dim"))
    if left_out:
        hang(console, Text(""), Text("`--all` lists every package.", style="dim"), w, indent=0)
    if r.ignored:
        names = ", ".join(f"{d.name} ({d.detail})" for d in r.ignored)
        hang(console, Text("Not compared: ", style="dim"), Text(names, style="dim"), w)
    for note in r.notes:
        hang(console, Text("Note: ", style="yellow"), Text(note, style="yellow"), w)


def render_verify_markdown(r: VerifyResult, show_all: bool = False) -> str:
    r = clean_record(r)  # every machine string sanitized before any view
    out = [
        f"## dlcheck env verify: {r.verdict}",
        "",
        f"**{r.verdict}**: {r.checked} locked packages: {len(r.missing)} missing, "
        f"{len(r.different)} different, {len(r.extra)} extra.",
        "",
    ]
    if r.incomplete:
        out += [f"Why: {md_escape(r.incomplete)}", ""]
    fix = repair(r)
    if fix:
        out += ["Fix: " + md_escape(fix[0]), ""]
        out += md_code_block(fix[1])
        out.append("")
    out += [
        f"Setup {md_escape(r.setup or '(none named)')}, lock {md_escape(r.lock_path)} "
        f"({md_escape(r.lock_format)}, {md_escape(r.platform)})  ",
        f"Environment {md_escape(r.prefix)} (Python {md_escape(r.python_version or '?')})",
        "",
    ]
    for title, lines in verify_sections(r):
        shown, more = shown_lines(lines, show_all)
        out += [f"### {md_escape(title)} ({len(lines)})", ""]
        out += [f"- {md_escape(line)}" for line in shown]
        if more:
            out.append(f"- and {more} more (`--all` lists every package)")
        out.append("")
    for note in r.notes:
        out += [f"> {md_escape(note)}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def route_heading(route: Route, first: bool) -> str:
    """How a person says a route: 'In one command (it makes ...)', 'Or step by step with pip
    (needs Python 3.12 from python.org; ...), from a clone of the dlcheck repository'."""
    head = ROUTE_HEADINGS.get(route.name, route.name)
    if not first:
        head = "Or " + head[:1].lower() + head[1:]
    if route.comment:
        head += f" ({route.comment})"
    if any("envs/" in c or c.rstrip().endswith("-e .") for c in route.commands):
        head += ", from a clone of the dlcheck repository"
    return head + ":"


def render_recommend_text(
    rec: Recommendation, file: IO[str] | None = None, width: int | None = None
) -> None:
    rec = clean_record(rec)  # every machine string sanitized before any view
    from rich.console import Console
    from rich.text import Text

    from dlcheck.render.layout import command_line, console_width, hang

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    if rec.setup is None:
        console.print(Text("No locked setup fits this machine.", style="bold red"))
    else:
        hang(
            console,
            Text("Setup: ", style="bold"),
            Text.assemble((rec.setup, "bold green"), f" ({rec.platform}): {rec.title}"),
            w,
        )
    for reason in rec.reasons:
        hang(console, Text("Why: "), Text(reason), w)
    for i, route in enumerate(rec.routes):
        console.print()
        hang(console, Text(""), Text(route_heading(route, i == 0), style="bold"), w, indent=0)
        for cmd in route.commands:
            command_line(console, cmd)
    if rec.notes:
        console.print()
        for note in rec.notes:
            hang(console, Text("Note: ", style="yellow"), Text(note, style="yellow"), w)
    if rec.alternatives:
        console.print()
    for alt in rec.alternatives:
        hang(console, Text("Also possible: ", style="dim"), Text(alt, style="dim"), w)


def render_recommend_markdown(rec: Recommendation) -> str:
    rec = clean_record(rec)  # every machine string sanitized before any view
    if rec.setup is None:
        out = ["## dlcheck env recommend: no locked setup fits", ""]
    else:
        out = [
            f"## dlcheck env recommend: {md_escape(rec.setup)} ({md_escape(rec.platform)})",
            "",
            md_escape(rec.title or ""),
            "",
        ]
    out += [f"- Why: {md_escape(r)}" for r in rec.reasons]
    for i, route in enumerate(rec.routes):
        out += ["", f"### {md_escape(route_heading(route, i == 0))}", ""]
        out += md_code_block(route.commands)
    if rec.notes:
        out.append("")
        out += [f"> {md_advice(n)}" for n in rec.notes]
    if rec.alternatives:
        out.append("")
        out += [f"Also possible: {md_advice(a)}" for a in rec.alternatives]
    return "\n".join(out) + "\n"


class CreateView:
    """Prints the events of `dlcheck env create` (dlcheck.envs.create) as they come: what it
    chose, then one status line that rewrites itself on a terminal (rich) or plain
    "... step" lines elsewhere, then the result; a stop on standard error."""

    def __init__(self, out: IO[str], live: bool | None = None) -> None:
        self.out = out
        self.live = out.isatty() if live is None else live
        self._status: Any = None
        self._step = ""

    def __call__(self, event: made.Event) -> None:
        if isinstance(event, made.PythonChosen):
            p = event.python
            print(f"Python: {p.executable} ({p.version}, {p.how})", file=self.out)
        elif isinstance(event, made.Starting):
            print(
                f"Creating the {event.setup} environment in {event.prefix} from {event.lock} "
                f"with {event.installer}",
                file=self.out,
            )
        elif isinstance(event, made.StepStarted):
            self._step_line(event.what)
        elif isinstance(event, made.StepOutput):
            self._detail(event.line)
        elif isinstance(event, made.SelfInstallFailed):
            self._say(
                f"warning: {event.what} failed ({event.error}); the environment is complete "
                "without it: install dlcheck into it later with "
                "`python -m pip install --no-deps dlcheck`"
            )
        elif isinstance(event, made.StepsOver):
            self._stop()
        else:
            self._end(event)

    def _end(self, event: made.Event) -> None:
        self._stop()
        if isinstance(event, made.AlreadyMade):
            print(
                f"{event.prefix} is already the finished {event.setup} environment (from "
                f"{event.lock_name}); nothing to do (--force rebuilds it).\n"
                f"Activate it: {event.activate}",
                file=self.out,
            )
        elif isinstance(event, made.Finished):
            print(f"{event.summary} ({event.lock_name})", file=self.out)
            if event.kernel:
                print(f'Jupyter kernel: "{event.kernel_display}" ({event.kernel})', file=self.out)
            print(f"Done. Activate it: {event.activate}", file=self.out)
        elif isinstance(event, made.Stopped):
            try:
                print(f"dlcheck: {event.why}; {event.cleanup}", file=sys.stderr, flush=True)
            except (OSError, ValueError):  # SIGHUP: the terminal is gone
                pass

    def _step_line(self, text: str) -> None:
        self._step = text
        if not self.live:
            print(f"... {text}", file=self.out, flush=True)
            return
        from rich.console import Console

        if self._status is None:
            self._status = Console(file=self.out).status(text)
            self._status.start()
        else:
            self._status.update(text)

    def _detail(self, line: str) -> None:
        if self.live and self._status is not None:
            # one line: what fits of the installer's latest line after the step's name
            room = self._status.console.width - len(self._step) - 6
            if room >= 10:
                self._status.update(f"{self._step}: {clean(line, room)}")

    def _say(self, text: str) -> None:
        if self._status is not None:
            self._status.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.out, flush=True)

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
