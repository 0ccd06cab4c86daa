"""The table for the issue-13 note: machine | verdict | first next step | recommended setup.

python tests/advice_table.py

Every machine is a saved report: the recorded machines of tests/data/reports/ and the older
or foreign reports of tests/data/machines/, read by the `--from` reader and judged again.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from recorded import MACHINES, machine_facts  # noqa: E402

from dlcheck.documents import read_document  # noqa: E402
from dlcheck.envs.recommend import recommend  # noqa: E402
from dlcheck.envs.setups import load_catalog  # noqa: E402
from dlcheck.places import load_places  # noqa: E402
from dlcheck.profile import load_profile  # noqa: E402
from dlcheck.report import judge  # noqa: E402
from dlcheck.verdict import next_steps  # noqa: E402

REPORTS = {
    "older dlcheck, Windows AMD64": ("older report", "old-dlcheck-windows-amd64.json"),
    "other tool, Linux aarch64": ("odd spellings", "other-tool-linux-aarch64.json"),
    "report without packages": ("absent section", "no-packages-section.json"),
}


def all_machines():
    """(name, class, facts) for every recorded machine."""
    out = [(name, cls, machine_facts(slug)) for name, (cls, slug) in MACHINES.items()]
    for name, (cls, file) in REPORTS.items():
        path = HERE / "data" / "machines" / file
        out.append((name, cls, read_document(path, ["dlcheck.report"]).record()))
    return out


def row(name, facts):
    report = judge(facts, load_profile(), load_places())
    steps = next_steps(report.findings)
    first = f"{steps[0].title}: {steps[0].advice}" if steps else "(none)"
    rec = recommend(facts, load_catalog())
    setup = rec.setup or f"no lock: {rec.routes[0].name}" if rec.routes else "NONE"
    return report, steps, rec, first, setup


if __name__ == "__main__":
    rows = all_machines()
    print(f"{len(rows)} machines, {len({c for _, c, _ in rows})} classes\n")
    print("| machine | verdict | first next step | recommended setup |\n|---|---|---|---|")
    for name, _cls, facts in rows:
        report, _s, _r, first, setup = row(name, facts)
        cut = first if len(first) < 110 else first[:107] + "..."
        print(f"| {name} | {report.verdict} | {cut.replace('|', '/')} | {setup} |")
