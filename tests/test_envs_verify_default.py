"""`dlcheck env verify` with no --lock or --setup checks the environment against the lock it
was made from, and says which (issue 20: it used to fail with "give exactly one of --lock
FILE and --setup NAME" while README said it checks the running environment)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dlcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]


def made_by_create(folder: Path, setup: str = "cpu") -> Path:
    folder.mkdir()
    marker = {"schema": "dlcheck.env-create", "state": "complete", "setup": setup}
    (folder / "dlcheck-env.json").write_text(json.dumps(marker), encoding="utf-8")
    return folder


def test_no_option_uses_the_setup_named_by_the_create_marker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    prefix = made_by_create(tmp_path / "venv-cpu")
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--prefix", str(prefix)])
    assert exc.value.code == 1  # an empty folder: every locked package is missing
    out = capsys.readouterr().out
    assert "setup cpu" in out and "MISMATCH" in out
    assert "lock chosen: setup cpu, named by" in " ".join(out.split())
    with pytest.raises(SystemExit):
        main(["env", "verify", "--prefix", str(prefix), "--json", "-v"])
    said = capsys.readouterr()
    data = json.loads(said.out)
    assert data["setup"] == "cpu" and data["lock"]["path"].endswith("pylock.txt")
    assert any(n.startswith("lock chosen: setup cpu") for n in data["notes"])
    assert "dlcheck: lock chosen: setup cpu" in said.err


def test_no_option_uses_the_lock_the_environment_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No marker (made by hand from the lock): the lock most of its packages match."""
    import dlcheck.envs.detect as detect

    lock = ROOT / "envs" / "cpu" / "pylock.txt"
    monkeypatch.setattr(
        detect,
        "environment_section",
        lambda prefix=None, **kw: {
            "setup": "cpu",
            "lock": str(lock),
            "share_at_locked_version": 0.93,
        },
    )
    prefix = tmp_path / "by-hand"
    prefix.mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--prefix", str(prefix), "--quiet"])
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert out.startswith("MISMATCH: ") and len(out.splitlines()) == 1  # --quiet: one line
    with pytest.raises(SystemExit):
        main(["env", "verify", "--prefix", str(prefix)])
    flat = " ".join(capsys.readouterr().out.split())
    assert "the lock this environment matches (93% of its packages" in flat


def test_no_option_and_no_lock_to_find_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = tmp_path / "plain"
    prefix.mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--prefix", str(prefix)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--setup NAME (cpu, keras-torch, nvidia) or --lock FILE" in err
    assert "dlcheck env recommend" in err  # which setup fits
    assert "not made from a course setup" in err


def test_recommend_help_names_only_the_routes_it_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`env recommend --help` promised "conda and pip routes" and printed only pip; the
    pip route said "from python.org" on Linux too."""
    from click.testing import CliRunner
    from recorded import machine_facts

    from dlcheck.cli import cli
    from dlcheck.envs.recommend import recommend
    from dlcheck.envs.setups import conda_locks_present, load_catalog

    text = " ".join(CliRunner().invoke(cli, ["env", "recommend", "--help"]).output.split())
    assert "(conda and pip routes)" not in text
    assert "named in the output" in text
    catalog = load_catalog()
    rec = recommend(machine_facts("graviton-vm"), catalog, conda_locks_present(catalog))
    assert rec.routes and all("python.org" not in (r.comment or "") for r in rec.routes)
