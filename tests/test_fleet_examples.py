"""The fleet examples run as written (issue 20): README's example inventory sets the
controller's interpreter (a pyenv-shimmed python3 broke interpreter discovery; CI runs it:
.ci/steps/40-ansible.sh), the playbook's summary is plain text (it showed the Markdown
report's escapes, ``\\[jupyter\\]``), and the Slurm script says each file it writes once."""

from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_example_inventory_sets_the_controller_interpreter() -> None:
    ini = configparser.ConfigParser(allow_no_value=True, delimiters=(" ",), strict=False)
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read(ROOT / "ansible" / "inventory.example.ini", encoding="utf-8")
    local = ini["local"]["localhost"] or ""
    assert "ansible_connection=local" in local
    assert 'ansible_python_interpreter="{{ ansible_playbook_python }}"' in local
    text = (ROOT / "ansible" / "inventory.example.ini").read_text(encoding="utf-8")
    assert "pyenv" in text and "ansible_python_interpreter=/usr/bin/python3" in text


def test_playbook_summary_is_plain_text_not_the_markdown_file() -> None:
    import yaml

    plays = yaml.safe_load((ROOT / "ansible" / "site.yml").read_text(encoding="utf-8"))
    tasks = plays[1]["tasks"]
    summary = next(t for t in tasks if t["name"] == "Summary")
    assert "fleet.md" not in str(summary)
    quiet = next(t for t in tasks if "--quiet" in str(t))
    assert "report" in str(quiet["ansible.builtin.command"]["argv"])


@pytest.mark.slow
@pytest.mark.e2e
def test_slurm_script_says_each_file_once(tmp_path: Path) -> None:
    """The real `dlcheck check -o` says `wrote FILE`; the script printed it a second time."""
    wrapper = tmp_path / "dlcheck"
    wrapper.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m dlcheck "$@" --no-frameworks\n', encoding="utf-8"
    )
    wrapper.chmod(0o755)
    out = tmp_path / "res"
    r = subprocess.run(
        ["bash", "slurm/dlcheck-bench.sbatch"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DLCHECK": str(wrapper),
            "DLCHECK_RESULTS": str(out),
            "DLCHECK_NO_BENCH": "1",
        },
    )
    assert r.returncode == 0, r.stderr
    (written,) = list(out.iterdir())
    said = r.stdout + r.stderr
    assert said.count(f"wrote {out}") == 1, said
    assert written.name.endswith(".check.json")
