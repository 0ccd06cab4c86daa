"""Text views of bench results and comparisons (rich). Formatting only: no verdicts here."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from dlcheck.bench.compare import Comparison
from dlcheck.bench.results import BenchResult, EpisodePrediction
from dlcheck.formats import fmt_seconds
from dlcheck.render.layout import style_of
from dlcheck.sanitize import clean

if TYPE_CHECKING:
    from rich.text import Text

# The one-line legend under every single-result table: the figures a reader could confuse.
LEGEND = (
    "train img/s: steady-state training throughput over whole epochs (images per second, "
    "epoch start and end included; * the timed windows' median, in results without whole "
    "epochs); MAD, CV: spread of the timed windows (median absolute deviation in images per "
    "second, coefficient of variation); val img/s: validation images per second; GFLOP/s: "
    "billions of floating-point operations per second in training (share of the "
    "matrix-product peak measured in the same run)."
)


def _epoch_rates(result: BenchResult) -> dict[str, tuple[float | None, bool]]:
    """THE images/s figure of each workload (``predict.epoch_images_per_s``)."""
    from dlcheck.bench.predict import epoch_images_per_s
    from dlcheck.bench.workloads import load_workloads

    workloads = load_workloads()
    return {
        name: epoch_images_per_s(result.results, result.predictions, name, workloads)
        for name in result.results
    }


def _rate_cell(rate: tuple[float | None, bool] | None) -> str:
    if rate is None or rate[0] is None:
        return "-"
    return f"{rate[0]:,.1f}" + ("" if rate[1] else " *")


def render_result_csv(result: BenchResult) -> str:
    """One row per workload: THE images/s figure, the windows' spread, the step time and
    the workload's predicted episode (the same figures as the text view); an episode not
    timed here has its prediction alone."""
    from dlcheck.render.layout import csv_text

    rates = _epoch_rates(result)
    episodes = {e.workload: e for e in result.predictions.episodes}
    heads = [
        "workload", "train_images_per_s", "whole_epochs", "windows_mad_images_per_s",
        "windows_cv", "step_ms", "val_images_per_s", "train_gflops", "share_of_peak",
        "peak_rss_bytes", "episode", "epochs", "predicted_seconds", "low_seconds",
        "high_seconds", "verdict",
    ]  # fmt: skip
    rows = []
    for r in result.results.values():
        rate, whole = rates.get(r.workload, (None, False))
        t = r.train.images_per_s
        e = episodes.get(r.workload)
        rows.append(
            [
                clean(r.workload, 40), _num(rate), "yes" if whole else "no", _num(t.mad),
                _num(t.cv, 4), _num(r.train.step_seconds.median * 1000),
                _num(r.inference.images_per_s.median) if r.inference else None,
                _num(r.achieved_train_flops / 1e9 if r.achieved_train_flops else None),
                _num(r.utilisation, 4), r.peak_rss_bytes,
                e.episode if e else None, e.epochs if e else None,
                _num(e.seconds) if e else None, _num(e.low) if e else None,
                _num(e.high) if e else None, e.verdict if e else None,
            ]
        )  # fmt: skip
    for e in result.predictions.episodes:  # not timed here: the prediction alone (scaled)
        if e.workload not in result.results:
            rows.append([clean(e.workload, 40), *([None] * 10), e.episode, e.epochs,
                         _num(e.seconds), _num(e.low), _num(e.high), e.verdict])  # fmt: skip
    return csv_text(heads, rows)


def _num(x: float | None, digits: int = 2) -> str | None:
    return None if x is None else f"{x:.{digits}f}"


_STOPS = {"target": "precision reached", "budget": "budget spent", "limit": "window limit"}


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{fmt_seconds(low)} - {fmt_seconds(high)}"


def _mib(b: int | None) -> str:
    return "?" if b is None else f"{b / 2**20:,.0f} MiB"


def _g(x: float | None) -> str:
    return "?" if x is None else f"{x / 1e9:,.1f}"


def _breakdown_line(episode: int, epochs: int, b: dict[str, float], how: str = "") -> str:
    def each(key: str) -> str:
        return fmt_seconds(b.get(key, 0.0) / epochs)

    return (
        f"Episode {episode}: {epochs} epochs x (full batches {each('train_steps')} + last batch "
        f"and epoch end {each('last_batch_and_epoch_end')} + epoch start and gaps "
        f"{each('epoch_start')} + validation {each('validation')}) + fit set-up "
        f"{fmt_seconds(b.get('fit_setup', 0.0))} + first-epoch tracing "
        f"{fmt_seconds(b.get('first_epoch_tracing', 0.0))}, {how or 'each measured'}."
    )


def _how(e: EpisodePrediction) -> str:
    """How an episode's prediction was made: measured here, or scaled from a reference."""
    if e.basis == "measured":
        return ""
    rough = ", roughly" if e.rough else ""
    return (f"not timed here: the reference {clean(e.reference or '?', 60)}'s parts x "
            f"{e.speed or 0:.2f} (this machine's speed on {clean(e.scaled_from or '?', 40)}"
            f"{rough})")  # fmt: skip


def render_result(
    result: BenchResult,
    file: IO[str] | None = None,
    width: int | None = None,
) -> None:
    """The human report of one bench run; tables that do not fit ``width`` become stacked
    blocks (dlcheck.render.layout)."""
    from rich.console import Console
    from rich.text import Text

    from dlcheck.render.layout import console_width, hang, print_table

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)  # the one width rule: 80 for a pipe

    def say(text: Text) -> None:
        """A line wrapped at ``w`` without trailing blanks (rich's own wrap keeps them)."""
        hang(console, Text(""), text, w, indent=0)

    for line in _context_lines(result):
        say(line)
    print_table(console, MEASURED_HEADS, _measured_rows(result), w, 0)
    hang(console, Text(""), Text(LEGEND, "dim"), w)
    for line in _load_lines(result):
        say(line)
    if result.predictions.episodes:
        say(Text("Predicted training wall time", "bold"))
        print_table(console, PREDICTED_HEADS, _predicted_rows(result), w, 0)
        for line in _course_lines(result):
            say(line)
    for line in _verdict_lines(result):
        say(line)


def _context_lines(result: BenchResult) -> list[Text]:
    """What ran, on what, under which plan; the matrix-product peak."""
    from rich.text import Text

    c = result.context
    lines = [Text(f"dlcheck bench {clean(result.dlcheck_version)} · {clean(result.created)}",
                  "bold")]  # fmt: skip
    budget = ""
    if c.budget_seconds is not None and c.target is not None:
        budget = f", until +-{c.target:.0%} or {c.budget_seconds:g} s"
    wall = f" · {c.wall_seconds:.0f} s wall, import included" if c.wall_seconds else ""
    lines.append(
        Text(
            f"Keras {clean(c.keras_version)} on {clean(c.backend)} {clean(c.backend_version)} · "
            f"device {clean(c.device)} · CPU {clean(c.cpu_model)} "
            f"({(c.usable_cores or c.logical_cores or 0):g} usable cores) · "
            f"plan {clean(c.plan)}: >= {c.windows} windows of >= {c.window_seconds} s{budget}{wall}"
        )
    )
    if c.matmul and c.matmul.peak:
        lines.append(
            Text(
                f"Matrix-product peak measured now (float32, n={c.matmul.n}): "
                f"numpy {_g(c.matmul.numpy_flops)} GFLOP/s, "
                f"{c.backend} {_g(c.matmul.backend_flops)} GFLOP/s"
            )
        )
    return lines


MEASURED_HEADS = [
    "workload",
    "train img/s",
    "spread (MAD, CV)",
    "step (95% CI)",
    "stopped",
    "val img/s",
    "warm-up",
    "GFLOP/s (of peak)",
    "peak RSS (+ workload)",
]


def _measured_rows(result: BenchResult) -> list[list[Text]]:
    """A row per measured workload, in MEASURED_HEADS order."""
    from rich.text import Text

    rates = _epoch_rates(result)
    rows = []
    for r in result.results.values():
        t = r.train.images_per_s
        inf = r.inference.images_per_s if r.inference else None
        util = f" ({r.utilisation:.0%})" if r.utilisation else ""
        ci = r.train.step_ci
        step = f"{r.train.step_seconds.median * 1000:,.1f} ms"
        if len(ci) == 2:
            step += f" ({ci[0] * 1000:,.1f}-{ci[1] * 1000:,.1f})"
        stops = [
            f"{what}: {_STOPS.get(p.stop_reason, clean(p.stop_reason, 20))}"
            for what, p in (("training", r.train), ("validation", r.inference))
            if p and p.stop_reason
        ]
        rows.append(
            [
                Text(clean(r.workload, 40)),
                Text(_rate_cell(rates.get(r.workload))),
                Text(f"± {t.mad:,.1f} img/s, CV {t.cv:.0%}"),
                Text(step),
                Text("; ".join(stops) or "-"),
                Text(f"{inf.median:,.1f}" if inf else "-"),
                Text(f"{r.train.warmup_seconds:.1f} s"),
                Text(f"{_g(r.achieved_train_flops)}{util}"),
                Text(f"{_mib(r.peak_rss_bytes)} (+{_mib(r.rss_increase_bytes)})"),
            ]
        )
    return rows


def _load_lines(result: BenchResult) -> list[Text]:
    """The load as recorded, and each workload whose later windows were steadily slower."""
    from rich.text import Text

    from dlcheck.bench.load import describe_load

    lines = []
    load = result.load
    if load is not None and load.busy:
        lines.append(
            Text(
                f"Load: {describe_load(load)}: " + "; ".join(clean(n, 300) for n in load.notes)
                + f". Predicted intervals are widened by {load.widen:.0%} each side.",
                "yellow",
            )
        )  # fmt: skip
    elif load is not None:
        lines.append(Text(f"Load: {describe_load(load)}.", "dim"))
    for r in result.results.values():
        if r.throttling.suspected:
            lines.append(
                Text(
                    f"{clean(r.workload, 40)}: later windows were steadily slower "
                    f"({r.throttling.change:+.0%}): the CPU may be throttling (heat, power "
                    "saving, battery) or another program took the cores.",
                    "yellow",
                )
            )
    return lines


PREDICTED_HEADS = ["episode", "fit as the lesson runs it", "per epoch", "total", "interval",
                   "verdict"]  # fmt: skip


def _predicted_rows(result: BenchResult) -> list[list[Text]]:
    """A row per predicted episode, in PREDICTED_HEADS order."""
    from rich.text import Text

    rows = []
    for e in result.predictions.episodes:
        what = f"{e.epochs} epochs"
        if e.early_stopping:
            what += " (early stopping may end sooner)"
        if e.basis != "measured":
            what += ", not timed: scaled"
        rows.append(
            [
                Text(f"{e.episode} ({clean(e.workload, 40)})"),
                Text(what),
                Text(fmt_seconds(e.seconds_per_epoch)),
                Text(fmt_seconds(e.seconds)),
                Text(_range(e.low, e.high)),
                Text(e.verdict, style_of(e.verdict)),
            ]
        )
    return rows


def _course_lines(result: BenchResult) -> list[Text]:
    """Each episode's parts, and the course's training together."""
    from rich.text import Text

    p = result.predictions
    lines = [Text(_breakdown_line(e.episode, e.epochs, e.breakdown, _how(e)), "dim")
             for e in p.episodes if e.breakdown]  # fmt: skip
    course = fmt_seconds(p.course_seconds)
    scaled = [e for e in p.episodes if e.basis != "measured"]
    if scaled:
        nums = [str(e.episode) for e in scaled]
        which = (f"Episodes {', '.join(nums[:-1])} and {nums[-1]} were" if len(nums) > 1
                 else f"Episode {nums[0]} was")  # fmt: skip
        lines.append(Text(f"{which} not timed here (`dlcheck bench --all` times every "
                          "episode).", "dim"))  # fmt: skip
    if p.course_complete:
        lines.append(Text(f"All course training runs together: about {course}."))
    else:
        lines.append(
            Text(
                f"Measured episodes together: about {course} "
                "(`dlcheck bench --all` measures every episode).",
                "dim",
            )
        )
    return lines


def _verdict_lines(result: BenchResult) -> list[Text]:
    """The verdict, its message, where to run instead, and an interruption."""
    from rich.text import Text

    v = result.verdict
    between = f" ({' / '.join(v.between)})" if v.between else ""
    lines = [
        Text.assemble(("Verdict: ", "bold"), (v.verdict + between, style_of(v.verdict))),
        Text(clean(v.message, 1000)),
    ]
    if v.places:
        lines.append(Text("Where to run it instead:", "bold"))
        for pl in v.places:
            there = (
                f"predicted {fmt_seconds(pl.predicted_seconds)} (measured reference {pl.reference})"
                if pl.predicted_seconds is not None
                else "no measured reference yet"
            )
            url = f" {clean(pl.url)}" if pl.url else ""
            lines.append(Text(f"  - {clean(pl.name)}{url}: {clean(there)}"))
    if result.interrupted:
        gone = ", ".join(clean(w, 40) for w in result.not_measured)
        done = ", ".join(clean(w, 40) for w in result.results) or "none"
        said = f"Interrupted: finished {done}" + (f"; not measured: {gone}." if gone else ".")
        lines.append(Text(said, "yellow"))
    return lines


def render_comparison(
    comp: Comparison, file: IO[str] | None = None, width: int | None = None, quiet: bool = False
) -> None:
    """Side-by-side table of several results, where and on what each was measured, speeds
    against the first; then the comparison in words, one line per episode
    (dlcheck.bench.versus). When the side-by-side table does not fit ``width`` with more than
    two results (a room's learners), one row per result instead (where, device, each
    episode's predicted time and verdict), as the fleet does: never wider than ``width``.
    ``quiet``: the table alone."""
    from rich.console import Console
    from rich.text import Text

    from dlcheck.bench.versus import versus_lines
    from dlcheck.render.layout import console_width, hang, print_table, table_fits

    console = Console(file=file, highlight=False, width=width)
    w = console_width(console, width)  # the one width rule (dlcheck.render.layout)

    def say(text: Text) -> None:
        hang(console, Text(""), text, w, indent=0)

    heads, plain = comparison_table(comp)  # the same cells as Markdown and CSV
    rows = [
        [Text(c, "dim" if j and c == "missing" else "") for j, c in enumerate(cells)]
        for cells in plain
    ]
    many = len(comp.labels) > 2 and table_fits(heads, rows, w, (0,)) is None
    if not quiet:
        for note in comp.notes:
            say(Text(clean(note, 1000), "yellow"))
    if many:
        rheads, rrows = result_rows(comp)
        print_table(console, rheads, [[Text(c) for c in r] for r in rrows], w, 0)
        if not quiet:
            say(Text(f"{len(comp.labels)} results, one row each: each episode's predicted "
                     "training time; course: the worst episode's verdict (- not measured; the "
                     f"side-by-side table does not fit {w} columns: `--format csv` or `--json` "
                     "have every figure).", "dim"))  # fmt: skip
            say(Text(comfortable_line(comp)))
        return
    print_table(console, heads, rows, w, 0, whole=(0,))  # a figure's label never wraps
    if quiet:
        return
    say(Text(_ratio_note(comp), "dim"))
    for i, line in enumerate(versus_lines(comp)):
        say(Text(line, "bold" if i == 0 else ""))


def result_rows(comp: Comparison) -> tuple[list[str], list[list[str]]]:
    """One row per compared result: its name, where and on what it was measured (only when
    they differ between results), each episode's predicted time, and the course's verdict
    (the worst episode's, graded by the compare's profile, and which episode)."""
    where = [clean(c.where, 80) for c in comp.columns]
    device = [clean(c.accelerator, 80) for c in comp.columns]
    heads = ["result"]
    extra = [(h, v) for h, v in (("measured in", where), ("device", device)) if len(set(v)) > 1]
    heads += [h for h, _ in extra]
    heads += [f"ep {e.episode}" for e in comp.episodes] + ["course"]
    order = {"PASS": 0, "WARN": 1, "BORDERLINE": 2, "FAIL": 3}
    rows = []
    for i, col in enumerate(comp.columns):
        cells = [clean(col.name, 80), *(v[i] for _, v in extra)]
        worst: tuple[int, int] | None = None
        for e in comp.episodes:
            c = e.cells[i]
            cells.append("-" if c.seconds is None else fmt_seconds(c.seconds))
            if c.seconds is not None:
                rank = (order.get(c.verdict, -1), e.episode)
                worst = rank if worst is None or rank > worst else worst
        verdict = next((k for k, v in order.items() if worst and v == worst[0]), "UNKNOWN")
        cells.append(f"{verdict} (ep {worst[1]})" if worst else "UNKNOWN")
        rows.append(cells)
    return heads, rows


def comfortable_line(comp: Comparison) -> str:
    """Which results make the course comfortable; counted when they are many."""
    from dlcheck.bench.versus import comfortable_sentence

    if len(comp.comfortable) <= 5:
        return comfortable_sentence(comp)
    limit = fmt_seconds(comp.pass_seconds) if comp.pass_seconds is not None else "the limit"
    return (f"{len(comp.comfortable)} of {len(comp.labels)} results make the course "
            f"comfortable (every episode compared PASS, at most {limit}).")  # fmt: skip


# -- Markdown and CSV: the same content as the text views ----------------------------------


def comparison_table(comp: Comparison) -> tuple[list[str], list[list[str]]]:
    """The comparison as plain cells (formats escape them): a header, where and on what each
    was measured, and one row a figure with its speed against the first column."""
    from dlcheck.bench.versus import context_rows, faster_words

    heads = ["workload / figure", *(clean(label, 200) for label in comp.labels)]
    rows = context_rows(comp)
    for row in comp.rows:
        cells = [clean(f"{row.workload} {row.figure}", 200)]
        for i, cell in enumerate(row.cells):
            if cell.value is None:
                cells.append("missing")
                continue
            text = f"{cell.value:,.{row.digits}f}{row.unit}"
            if i and cell.ratio:
                speed = cell.ratio if row.better == "higher" else 1.0 / cell.ratio
                mark = (
                    ""
                    if cell.significant is None
                    else (", significant" if cell.significant else ", within noise")
                )
                text += f" ({faster_words(speed)}{mark})"
            cells.append(text)
        rows.append(cells)
    return heads, rows


def _ratio_note(comp: Comparison) -> str:
    return (
        f"Ratios are relative to {comp.baseline or 'the first file'}: 'Nx faster' takes 1/N "
        "of its time, 'Nx as long' takes N times its time (slower); 'significant' means "
        "Welch's t-test on the timed windows says the difference is bigger than their "
        "noise (95%)."
    )


def render_comparison_markdown(comp: Comparison) -> str:
    """The comparison for a chat: notes, the table (where each was measured first), and the
    comparison in words, one bullet per episode."""
    from dlcheck.bench.versus import versus_lines
    from dlcheck.render.markdown import md_advice, md_escape

    heads, rows = comparison_table(comp)
    out = ["## dlcheck bench compare", ""]
    out += [f"> {md_escape(clean(n, 1000))}" for n in comp.notes]
    if comp.notes:
        out.append("")
    out.append("| " + " | ".join(md_escape(h) for h in heads) + " |")
    out.append("|" + "---|" * len(heads))
    out += ["| " + " | ".join(md_escape(c) for c in r) + " |" for r in rows]
    out += ["", md_escape(_ratio_note(comp))]
    words = versus_lines(comp)
    if words:
        out += ["", f"**{md_escape(words[0])}**", ""]
        out += [f"- {md_advice(line)}" for line in words[1:]]  # `dlcheck bench` stays code
    return "\n".join(out) + "\n"


def render_comparison_csv(comp: Comparison) -> str:
    """One row a figure, the values as numbers (no ratio marks), machine text made safe."""
    from dlcheck.render.layout import csv_text

    rows = [
        (
            row.workload,
            row.figure,
            row.unit.strip(),
            *(None if c.value is None else f"{c.value:.{row.digits}f}" for c in row.cells),
        )
        for row in comp.rows
    ]
    return csv_text(["workload", "figure", "unit", *comp.labels], rows)


def render_result_markdown(result: BenchResult) -> str:
    """A bench result for a helpdesk chat: context, measurements, predictions, verdict."""
    from dlcheck.render.markdown import md_advice, md_escape

    c = result.context
    v = result.verdict
    between = f" ({' / '.join(v.between)})" if v.between else ""
    out = [
        f"## dlcheck bench: {md_escape(v.verdict + between)}",
        "",
        f"dlcheck {md_escape(result.dlcheck_version)}, {md_escape(result.created)}  ",
        f"Keras {md_escape(c.keras_version)} on {md_escape(c.backend)} "
        f"{md_escape(c.backend_version)}, device {md_escape(c.device)}, CPU "
        f"{md_escape(c.cpu_model)} ({(c.usable_cores or c.logical_cores or 0):g} usable cores), "
        f"plan {md_escape(c.plan)}",
        "",
        "| workload | train img/s | spread (MAD, CV) | step (95% CI) | val img/s | peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    rates = _epoch_rates(result)
    for r in result.results.values():
        t = r.train.images_per_s
        ci = r.train.step_ci
        step = f"{r.train.step_seconds.median * 1000:,.1f} ms"
        if len(ci) == 2:
            step += f" ({ci[0] * 1000:,.1f}-{ci[1] * 1000:,.1f})"
        inf = r.inference.images_per_s if r.inference else None
        out.append(
            f"| {md_escape(clean(r.workload, 40))} | {_rate_cell(rates.get(r.workload))} "
            f"| ± {t.mad:,.1f} img/s, CV {t.cv:.0%} | {step} "
            f"| {f'{inf.median:,.1f}' if inf else '-'} | {_mib(r.peak_rss_bytes)} |"
        )
    p = result.predictions
    if p.episodes:
        out += [
            "",
            "| episode | epochs | per epoch | total | interval | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for e in p.episodes:
            out.append(
                f"| {e.episode} ({md_escape(clean(e.workload, 40))}"
                f"{', not timed: scaled' if e.basis != 'measured' else ''}) | {e.epochs} "
                f"| {fmt_seconds(e.seconds_per_epoch)} | {fmt_seconds(e.seconds)} "
                f"| {_range(e.low, e.high)} | {md_escape(e.verdict)} |"
            )
    out += ["", md_escape(LEGEND)]
    load = result.load
    if load is not None and load.busy:
        from dlcheck.bench.load import describe_load

        busy = f"Load: {describe_load(load)}: " + "; ".join(clean(n, 300) for n in load.notes)
        out += ["", md_escape(busy + ".")]
    message = md_advice(clean(v.message, 1000))  # its `code` spans stay code
    out += ["", f"**{md_escape(v.verdict + between)}**: {message}"]
    return "\n".join(out) + "\n"
