"""The Ansible playbook and the Slurm scripts: well formed, and the options people use work.
(CI runs both for real: .ci/steps/40-ansible.sh and 50-slurm.sh.)"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def sh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", *args], capture_output=True, text=True, timeout=30, check=False, cwd=ROOT
    )


@pytest.mark.parametrize(
    "script",
    [
        "slurm/dlcheck-bench.sbatch",
        "slurm/submit.sh",
        ".ci/steps/40-ansible.sh",
        ".ci/steps/50-slurm.sh",
        ".ci/steps/60-html.sh",
    ],
)
def test_scripts_parse(script: str) -> None:
    r = sh("-n", script)
    assert r.returncode == 0, r.stderr


def test_submit_requests_a_gpu_when_asked() -> None:
    r = sh("slurm/submit.sh", "--gpu", "a100:2", "--cpus", "8", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "--gres=gpu:a100:2" in r.stdout and "--cpus-per-task=8" in r.stdout
    assert r.stdout.strip().endswith("dlcheck-bench.sbatch")
    plain = sh("slurm/submit.sh", "--dry-run").stdout
    assert "--gres" not in plain
    bad = sh("slurm/submit.sh", "--gpus", "1")
    assert bad.returncode == 2 and "unknown option" in bad.stderr


@pytest.mark.e2e
def test_batch_script_fails_clearly_without_dlcheck(tmp_path: Path) -> None:
    r = subprocess.run(
        ["bash", "slurm/dlcheck-bench.sbatch"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DLCHECK": "no-such-dlcheck", "HOME": str(tmp_path)},
    )
    assert r.returncode == 2 and "not found" in r.stderr


@pytest.mark.e2e
def test_batch_script_check_only(tmp_path: Path) -> None:
    """DLCHECK_NO_BENCH=1 with a stand-in dlcheck: the files land where asked, named by host."""
    fake = tmp_path / "fake-dlcheck"
    fake.write_text(
        '#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\necho "{}" > "$2"\nexit 1\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    out = tmp_path / "res"
    r = subprocess.run(
        ["bash", "slurm/dlcheck-bench.sbatch"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DLCHECK": str(fake),
            "DLCHECK_RESULTS": str(out),
            "DLCHECK_NO_BENCH": "1",
        },
    )
    assert r.returncode == 0, r.stderr
    files = list(out.iterdir())
    assert len(files) == 1 and files[0].name.endswith(".check.json")


def test_playbook_is_valid_yaml_with_both_plays() -> None:
    yaml = pytest.importorskip("yaml")
    plays = yaml.safe_load((ROOT / "ansible/site.yml").read_text(encoding="utf-8"))
    assert [p["name"] for p in plays] == [
        "Run dlcheck on every host",
        "Build the fleet report on the controller",
    ]
    names = [t["name"] for t in plays[0]["tasks"]]
    assert "dlcheck check --json" in names
    assert any("Fetch" in n for n in names)
    modules = {k for t in plays[0]["tasks"] for k in t if k.startswith("ansible.")}
    # ansible-core only: no collections
    assert all(m.startswith("ansible.builtin.") for m in modules), modules


@pytest.mark.skipif(shutil.which("ansible-playbook") is None, reason="ansible-core not here")
@pytest.mark.slow
@pytest.mark.e2e
def test_playbook_syntax_check() -> None:
    r = subprocess.run(
        ["ansible-playbook", "--syntax-check", "-i", "localhost,", "ansible/site.yml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stdout + r.stderr
