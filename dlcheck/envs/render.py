"""Text (rich) and Markdown for `dlcheck env verify` and `dlcheck env recommend`.
Formatting only; every value from a machine or a file is escaped."""

from __future__ import annotations

from typing import IO

from dlcheck.envs.recommend import Recommendation
from dlcheck.envs.verify import PackageDiff, VerifyResult
from dlcheck.render.markdown import md_escape
from dlcheck.sanitize import clean_record


def _diff_line(kind: str, d: PackageDiff) -> str:
    if kind == "missing":
        return f"{d.name} {d.locked} ({d.manager}) is not installed"
    if kind == "different":
        extra = f", {d.detail}" if d.detail else ""
        return f"{d.name} ({d.manager}): lock {d.locked}, installed {d.installed}{extra}"
    if kind == "extra":
        return f"{d.name} {d.installed} ({d.manager}) is not in the lock"
    return f"{d.name} {d.installed}: {d.detail}"


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


def render_verify_text(
    r: VerifyResult, file: IO[str] | None = None, width: int | None = None
) -> None:
    r = clean_record(r)  # every machine string sanitized before any view
    from rich.console import Console
    from rich.text import Text

    from dlcheck.render.layout import console_width, hang, style_of

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    console.print(
        Text.assemble(("dlcheck env verify", "bold"), f" · setup {r.setup or '(none named)'}")
    )
    console.print(Text(f"Lock:        {r.lock_path} ({r.lock_format}, {r.platform})"))
    console.print(Text(f"Environment: {r.prefix} (Python {r.python_version or '?'})"))
    for title, lines in verify_sections(r):
        console.print(Text(f"{title} ({len(lines)}):", style="bold"))
        for line in lines:
            hang(console, Text("  - "), Text(line), w)
    if r.ignored:
        names = ", ".join(f"{d.name} ({d.detail})" for d in r.ignored)
        console.print(Text(f"Not compared: {names}", style="dim"))
    for note in r.notes:
        console.print(Text(f"Note: {note}", style="yellow"))
    console.print(
        Text.assemble(
            ("Verdict: ", "bold"),
            (r.verdict, style_of(r.verdict) or "bold"),
            f"  ({r.checked} locked packages; {len(r.missing)} missing, "
            f"{len(r.different)} different, {len(r.extra)} extra)",
        )
    )
    if not r.matches:
        console.print(
            Text(
                "Nothing was changed. To repair a pip environment: python -m pip install "
                f"--require-hashes -r {r.lock_path}; or create a fresh one "
                "(`dlcheck env recommend`).",
                style="dim",
            )
        )


def render_verify_markdown(r: VerifyResult) -> str:
    r = clean_record(r)  # every machine string sanitized before any view
    out = [
        f"## dlcheck env verify: {r.verdict}",
        "",
        f"Setup {md_escape(r.setup or '(none named)')}, lock {md_escape(r.lock_path)} "
        f"({md_escape(r.lock_format)}, {md_escape(r.platform)})  ",
        f"Environment {md_escape(r.prefix)} (Python {md_escape(r.python_version or '?')})",
        "",
    ]
    for title, lines in verify_sections(r):
        out += [f"### {md_escape(title)} ({len(lines)})", ""]
        out += [f"- {md_escape(line)}" for line in lines]
        out.append("")
    for note in r.notes:
        out += [f"> {md_escape(note)}", ""]
    out.append(
        f"**{r.verdict}**: {r.checked} locked packages; {len(r.missing)} missing, "
        f"{len(r.different)} different, {len(r.extra)} extra."
    )
    return "\n".join(out) + "\n"


def render_recommend_text(
    rec: Recommendation, file: IO[str] | None = None, width: int | None = None
) -> None:
    rec = clean_record(rec)  # every machine string sanitized before any view
    from rich.console import Console
    from rich.text import Text

    from dlcheck.render.layout import console_width, hang

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    if rec.setup is None:
        console.print(Text("No locked setup fits this machine.", style="bold red"))
    else:
        console.print(
            Text.assemble(
                ("Setup: ", "bold"),
                (rec.setup, "bold green"),
                f" for {rec.platform}: {rec.title}",
            )
        )
    for reason in rec.reasons:
        hang(console, Text("  because: "), Text(reason), w)
    for route in rec.routes:
        console.print()
        head = f"{route.name} route" + (f" ({route.comment})" if route.comment else "")
        console.print(Text(head + ", from a clone of the dlcheck repository:", style="bold"))
        for cmd in route.commands:
            hang(console, Text("  "), Text(cmd), w, indent=4)
    if rec.notes:
        console.print()
        for note in rec.notes:
            console.print(Text(f"Note: {note}", style="yellow"))
    for alt in rec.alternatives:
        console.print(Text(f"Also possible: {alt}", style="dim"))


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
    out += [f"- because: {md_escape(r)}" for r in rec.reasons]
    for route in rec.routes:
        out += ["", f"### {route.name} route", "", "```"]
        # Inside a code fence nothing needs escaping but the fence itself.
        out += [cmd.replace("```", "'''") for cmd in route.commands]
        out.append("```")
    if rec.notes:
        out.append("")
        out += [f"> {md_escape(n)}" for n in rec.notes]
    return "\n".join(out) + "\n"
