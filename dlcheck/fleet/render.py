"""Formats of a fleet report: terminal table, Markdown, CSV, HTML page, JSON.

Renderers only format. Every value that came from a machine is escaped for its format:
rich Text (never markup) for the terminal, CommonMark/HTML escaping for Markdown, neutralised
formulas for CSV, ``html.escape`` for HTML, whose page also forbids every script by CSP.
"""

from __future__ import annotations

from html import escape
from typing import IO, Any

from dlcheck.fleet.model import Fleet, MachineRow
from dlcheck.render.layout import HTML_COLOUR, csv_text
from dlcheck.render.markdown import md_escape
from dlcheck.sanitize import clean as sanitize
from dlcheck.version import __version__

GIB = 1024**3
COLUMNS = (
    "Machine",
    "Verdict",
    "OS",
    "CPU",
    "Cores",
    "RAM",
    "GPU",
    "Environment",
    "Benchmark",
    "Episode 4",
    "Fails",
    "First step",
    "Checked",
)


def fmt_cores(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def fmt_ram(v: int | None) -> str:
    return "" if v is None else f"{v / GIB:.1f} GiB"


def fmt_seconds(v: float | None) -> str:
    """The views' one duration format (dlcheck.render.layout); empty when unknown."""
    from dlcheck.formats import fmt_seconds as fmt

    return fmt(v, missing="")


def verdict_cell(r: MachineRow) -> str:
    """The verdict, and the saved one where today's judgement of the facts differs."""
    return r.verdict + (f" (saved as {r.saved_verdict})" if r.saved_verdict else "")


def env_cell(r: MachineRow, repair: bool = True) -> str:
    """The environment, with its repair command (``repair``; the text table shows commands
    apart, never wrapped)."""
    return r.env + (f"; repair: {r.repair}" if repair and r.repair else "")


def cells(r: MachineRow, repair: bool = True) -> list[str]:
    """A row as plain text cells, in COLUMNS order (formats escape them)."""
    bench = r.bench + (f" ({r.bench_verdict})" if r.bench_verdict else "")
    return [
        sanitize(c, None)
        for c in (
            r.machine,
            verdict_cell(r),
            r.os,
            r.cpu,
            fmt_cores(r.cores),
            fmt_ram(r.ram_bytes),
            r.gpu,
            env_cell(r, repair),
            bench,
            fmt_seconds(r.ep4_seconds),
            ", ".join(r.failing),
            r.first_step,
            r.checked,
        )
    ]


def _count(n: int, word: str) -> str:
    """``1 machine``, ``2 machines``, ``0 files``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_lines(fleet: Fleet) -> list[str]:
    """The summary as plain sentences (formats escape them)."""
    s = fleet.summary
    counts = ", ".join(f"{n} {v}" for v, n in s.by_verdict.items()) or "none"
    out = [f"{s.ready} of {_count(s.machines, 'machine')} ready ({counts})."]
    if s.common_failures:
        out.append(
            "Most common failures: "
            + "; ".join(f"{title} [{fid}]: {n}" for fid, title, n in s.common_failures)
            + (
                f"; and {s.more_failures} more, each on {s.more_failures_most} "
                f"machine{'s' if s.more_failures_most != 1 else ''} or fewer"
                if s.more_failures
                else ""
            )
            + "."
        )
    if s.common_first_steps:
        out.append(
            "Most common first steps: "
            + "; ".join(
                f"{n} machine{'s' if n != 1 else ''}: {step}" for step, n in s.common_first_steps
            )
            + "."
        )
    if len(s.fastest) == 1 and s.fastest == s.slowest:
        m, t = s.fastest[0]
        out.append(f"Benchmarked: {m}, predicted episode 4 {fmt_seconds(t)}.")
    elif s.fastest:
        out.append(
            "Fastest (predicted episode 4): "
            + ", ".join(f"{m} {fmt_seconds(t)}" for m, t in s.fastest)
            + "."
        )
        out.append("Slowest: " + ", ".join(f"{m} {fmt_seconds(t)}" for m, t in s.slowest) + ".")
    if any(r.bench for r in fleet.rows) or fleet.references:
        out.append(IMAGES_LEGEND)
    read = f"{_count(s.files_read, 'file')} read"
    if fleet.references:
        read += f" ({_count(len(fleet.references), 'bench reference')} among them)"
    out.append(f"{read}, {s.skipped} skipped.")
    if fleet.profile:
        out.append(f"Check reports re-evaluated against {fleet.profile}.")
    elif any(c != "tensorflow" for c, _ in s.courses):  # a flavour other than the default
        each = ", ".join(f"{_count(n, 'machine')} the {c} course" for c, n in s.courses)
        out.append(f"Each check report judged against the course it was checked with: {each}.")
    return out


# The one images/s figure (dlcheck.bench.predict.epoch_images_per_s), said where it is shown.
IMAGES_LEGEND = (
    "img/s: steady-state training images per second over whole epochs (the benchmark's "
    "headline workload)."
)


def reference_lines(fleet: Fleet) -> list[str]:
    """The published bench references given among the inputs, as plain sentences: what the
    lab is compared with (never counted as its machines nor as failures)."""
    out = []
    for b in fleet.references:
        figures = [f"{b.workload or 'benchmark'} {b.verdict}".strip()]
        if b.deciding is not None and f"ep{b.deciding}-" not in (b.workload or ""):
            # the verdict is the course's, decided by another episode than the headline's
            figures = [f"course {b.verdict} (episode {b.deciding} decides)"]
        if b.images_per_s is not None:
            figures.append(f"{b.images_per_s:,.0f} img/s")
        if b.ep4_seconds is not None:
            figures.append(f"episode 4 predicted {fmt_seconds(b.ep4_seconds)}")
        out.append(f"{b.host or b.path}: {', '.join(figures)} ({b.reference}).")
    return out


def exit_line(fleet: Fleet) -> str | None:
    """Why the command exits non-zero, in one line (None for exit 0): said on standard error
    when the table went to a file or into a format that does not say it."""
    code = fleet.exit_code
    if code == 0:
        return None
    if not fleet.rows:
        return f"exit {code}: no machine could be read ({len(fleet.skipped)} files skipped)"
    s = fleet.summary
    not_ready = s.machines - s.ready
    return (
        f"exit {code}: {not_ready} of {s.machines} machine{'s' if s.machines != 1 else ''} "
        "not ready ("
        + ", ".join(
            f"{n} {v}" for v, n in s.by_verdict.items() if v not in ("READY", "READY WITH WARNINGS")
        )
        + ")"
    )


# -- terminal ---------------------------------------------------------------------------------


def render_text(fleet: Fleet, file: IO[str] | None = None, width: int | None = None) -> None:
    """A table when it fits the width with every word whole, otherwise one block of
    ``field: value`` lines per machine (never cropped); machine values go in as Text."""
    from rich.console import Console
    from rich.text import Text

    from dlcheck.render.layout import console_width, hang, print_table, style_of

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)
    rows = [cells(r, repair=False) for r in fleet.rows]
    # Columns no machine has a value for (no env or bench results yet) only take room.
    keep = [i for i, col in enumerate(COLUMNS) if i < 2 or any(row[i] for row in rows)]
    heads = [COLUMNS[i] for i in keep]
    console.print(Text("dlcheck fleet report", style="bold"))
    if len(rows) > RICH_ROWS:
        # rich measures every cell (about 3 ms a row here): a big fleet gets plain text
        console.file.write(plain_table([[row[i] for i in keep] for row in rows], keep, w))
    else:
        texts = []
        for r, row in zip(fleet.rows, rows):
            line = [Text(row[i]) for i in keep]
            line[1].stylize(style_of(r.verdict))
            texts.append(line)
        print_table(console, heads, texts, w, 0)
    repairs = [(r.machine, r.repair) for r in fleet.rows if r.repair]
    if repairs:  # commands are never wrapped (docs/check.md): one line each, below the table
        console.print(Text("Repair the environment:", style="bold"))
        for machine, command in repairs:
            console.print(
                Text(f"  {sanitize(machine, None)}: {sanitize(command, None)}"), soft_wrap=True
            )
    for line in summary_lines(fleet):
        hang(console, Text(""), Text(line), w, indent=2)
    if fleet.references:
        console.print(Text("Compared with (bench references, not machines of this lab):", "bold"))
        for line in reference_lines(fleet):
            hang(console, Text("  "), Text(line), w, indent=4)
    for sk in fleet.skipped:
        hang(console, Text(""), Text(f"skipped {sk.path}: {sk.reason}", style="dim"), w, indent=2)


RICH_ROWS = 300


def plain_table(rows: list[list[str]], keep: list[int], width: int = 200) -> str:
    """Fixed-width columns, one line per machine, for fleets too big for a rich table; when
    the widest values do not fit ``width``, one block of ``field: value`` lines per machine.
    Nothing is cut."""
    heads = [COLUMNS[i] for i in keep]
    widths = [max([len(h)] + [len(row[j]) for row in rows]) for j, h in enumerate(heads)]
    if sum(widths) + 2 * (len(widths) - 1) <= width:

        def line(values: list[str]) -> str:
            return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

        out = [line(heads), "  ".join("-" * w for w in widths)]
        out += [line(row) for row in rows]
        return "\n".join(out) + "\n"
    label = max(len(h) for h in heads[1:]) + 4
    out = []
    for row in rows:
        out.append(row[0])
        out += [f"  {h}: ".ljust(label) + v for h, v in zip(heads[1:], row[1:]) if v]
    return "\n".join(out) + "\n"


# -- Markdown ---------------------------------------------------------------------------------


def render_markdown(fleet: Fleet) -> str:
    out = ["## dlcheck fleet report", ""]
    out += [f"- {md_escape(line)}" for line in summary_lines(fleet)]
    out += ["", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in fleet.rows:
        out.append("| " + " | ".join(md_escape(c) for c in cells(r)) + " |")
    if fleet.references:
        out += ["", "### Compared with (bench references, not machines of this lab)", ""]
        out += [f"- {md_escape(line)}" for line in reference_lines(fleet)]
    if fleet.skipped:
        out += ["", "### Skipped files", ""]
        out += [f"- {md_escape(s.path)}: {md_escape(s.reason)}" for s in fleet.skipped]
    return "\n".join(out) + "\n"


# -- CSV --------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "machine",
    "anonymized",
    "verdict",
    "check_verdict",
    "os",
    "cpu",
    "usable_cores",
    "ram_gib",
    "gpu",
    "environment",
    "benchmark",
    "benchmark_verdict",
    "episode4_seconds",
    "failing",
    "sources",
    "checked",
    "saved_verdict",
    "first_step",
)


def render_csv(fleet: Fleet) -> str:
    rows = [
        (
            r.machine,
            "yes" if r.anonymized else "no",
            r.verdict,
            r.check_verdict,
            r.os,
            r.cpu,
            fmt_cores(r.cores),
            None if r.ram_bytes is None else f"{r.ram_bytes / GIB:.2f}",
            r.gpu,
            env_cell(r),
            r.bench,
            r.bench_verdict,
            None if r.ep4_seconds is None else f"{r.ep4_seconds:.1f}",
            " ".join(r.failing),
            " ".join(r.sources),
            r.checked,
            r.saved_verdict,
            r.first_step,
        )
        for r in fleet.rows
    ]
    return csv_text(CSV_COLUMNS, rows)


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1f2328}
h1{font-size:1.4rem}table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
th[scope=row]{max-width:22rem;overflow-wrap:break-word}td[class^=v-]{white-space:nowrap}
#summary li{margin:.2rem 0}.skipped{color:#57606a;font-size:.85rem}
"""
# The verdict colours of every view (dlcheck.render.layout), as classes v-READY, v-NOT-READY...
_CSS += "".join(
    f".v-{v.replace(' ', '-')}{{color:{c};font-weight:bold}}" for v, c in HTML_COLOUR.items()
)
_CSS += "\n"
# No script may run on this page, whatever a machine wrote into its report.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_NUMERIC = {"Cores", "RAM", "Episode 4"}


def render_html(fleet: Fleet) -> str:
    """One self-contained page (no script, no external resource)."""
    e = escape
    s = fleet.summary
    head = "".join(f"<th scope='col'>{e(c)}</th>" for c in COLUMNS)
    body = []
    for r in fleet.rows:
        tds = []
        for col, val in zip(COLUMNS, cells(r), strict=True):
            if col == "Verdict":
                cls = "v-" + r.verdict.replace(" ", "-")
                tds.append(f"<td class='{e(cls)}'>{e(val)}</td>")
            elif col == "Machine":
                tds.append(f"<th scope='row'>{e(val)}</th>")
            else:
                tds.append(
                    f"<td class='num'>{e(val)}</td>" if col in _NUMERIC else f"<td>{e(val)}</td>"
                )
        body.append("<tr>" + "".join(tds) + "</tr>")
    summary = "".join(f"<li>{e(line)}</li>" for line in summary_lines(fleet))
    skipped = ""
    if fleet.references:
        skipped += (
            "<section id='references'><h2>Compared with (bench references, not machines of "
            "this lab)</h2><ul>"
            + "".join(f"<li>{e(line)}</li>" for line in reference_lines(fleet))
            + "</ul></section>"
        )
    if fleet.skipped:
        skipped = (
            skipped
            + "<section id='skipped' class='skipped'><h2>Skipped files</h2><ul>"
            + "".join(f"<li><code>{e(x.path)}</code>: {e(x.reason)}</li>" for x in fleet.skipped)
            + "</ul></section>"
        )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{_CSP}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>dlcheck fleet report: {s.ready} of {s.machines} ready</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>dlcheck fleet report</h1>"
        f"<section id='summary'><h2>Summary</h2><ul>{summary}</ul></section>"
        f"<table id='machines'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f"{skipped}<p class='skipped'>dlcheck {e(__version__)}</p></body></html>\n"
    )


# -- JSON -------------------------------------------------------------------------------------


def to_json_dict(fleet: Fleet) -> dict[str, Any]:
    s = fleet.summary
    from dlcheck.documents import FLEET, with_header

    body = {
        "dlcheck_version": __version__,
        "profile": fleet.profile,
        "courses": dict(s.courses),
        "exit_code": fleet.exit_code,
        "summary": {
            "machines": s.machines,
            "ready": s.ready,
            "by_verdict": s.by_verdict,
            "common_failures": [
                {"id": i, "title": t, "machines": n} for i, t, n in s.common_failures
            ],
            "fastest": [{"machine": m, "episode4_seconds": t} for m, t in s.fastest],
            "slowest": [{"machine": m, "episode4_seconds": t} for m, t in s.slowest],
            "more_failures": s.more_failures,
            "common_first_steps": [
                {"step": step, "machines": n} for step, n in s.common_first_steps
            ],
            "files_read": s.files_read,
            "skipped": s.skipped,
        },
        "machines": [
            {
                "machine": r.machine,
                "anonymized": r.anonymized,
                "verdict": r.verdict,
                "check_verdict": r.check_verdict or None,
                "os": r.os,
                "cpu": r.cpu,
                "usable_cores": r.cores,
                "ram_bytes": r.ram_bytes,
                "gpu": r.gpu,
                "environment": r.env or None,
                "repair": r.repair or None,
                "checked": r.checked or None,
                "saved_verdict": r.saved_verdict or None,
                "benchmark": r.bench or None,
                "benchmark_verdict": r.bench_verdict or None,
                "episode4_seconds": r.ep4_seconds,
                "failing": list(r.failing),
                "sources": list(r.sources),
                "machines_with_this_name": r.shared_name,
                "first_step": r.first_step or None,
            }
            for r in fleet.rows
        ],
        "skipped": [{"path": x.path, "reason": x.reason} for x in fleet.skipped],
        "references": [
            {
                "machine": b.host,
                "description": b.reference,
                "workload": b.workload,
                "train_images_per_s": b.images_per_s,
                "episode4_seconds": b.ep4_seconds,
                "verdict": b.verdict,
                "source": b.path,
            }
            for b in fleet.references
        ],
    }
    return with_header(FLEET, body)


def render_json(fleet: Fleet) -> str:
    from dlcheck.documents import document_json

    return document_json(to_json_dict(fleet))
