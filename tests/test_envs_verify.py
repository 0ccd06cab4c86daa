"""`dlcheck env verify` against temporary prefixes with conda-meta records and metadata folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dlcheck.cli import main
from dlcheck.envs import setups
from dlcheck.envs.installed import scan_environment
from dlcheck.envs.locks import read_lock
from dlcheck.envs.verify import verify

DATA = Path(__file__).parent / "data" / "env"


def make_prefix(
    root: Path,
    conda: dict[str, tuple[str, str]] | None = None,
    dists: dict[str, tuple[str, str]] | None = None,
    windows: bool = False,
) -> Path:
    """An environment folder: conda-meta/<name>-<version>-<build>.json records and
    <Name>-<version>.dist-info folders with an INSTALLER file."""
    root.mkdir(parents=True, exist_ok=True)
    if conda is not None:
        meta = root / "conda-meta"
        meta.mkdir()
        (meta / "history").write_text("")
        for name, (version, build) in conda.items():
            record = {"name": name, "version": version, "build": build, "channel": "conda-forge"}
            (meta / f"{name}-{version}-{build}.json").write_text(json.dumps(record))
    site = root / ("Lib/site-packages" if windows else "lib/python3.12/site-packages")
    site.mkdir(parents=True)
    for name, (version, installer) in (dists or {}).items():
        d = site / f"{name}-{version}.dist-info"
        d.mkdir()
        (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (d / "INSTALLER").write_text(installer + "\n")
    return root


CONDA_MATCH = {
    "python": ("3.12.7", "hc5c86c4_0_cpython"),
    "libzlib": ("1.3.1", "hb9d3cd8_2"),
    "numpy": ("2.1.3", "py312h58c1407_0"),
}
DISTS_MATCH = {
    "numpy": ("2.1.3", "conda"),  # conda's own Python packages have metadata folders too
    "keras_tuner": ("1.4.7", "pip"),
    "tensorflow_cpu": ("2.21.0", "pip"),
    "pip": ("24.2", "conda"),
    "dlcheck": ("0.1.0", "pip"),
}


def snapshot(root: Path) -> dict[str, tuple[float, bytes]]:
    return {
        str(p): (p.stat().st_mtime, p.read_bytes() if p.is_file() else b"")
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(autouse=True)
def _linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(setups, "current_subdir", lambda: "linux-64")


def test_conda_prefix_matches(tmp_path: Path) -> None:
    prefix = make_prefix(tmp_path / "env", CONDA_MATCH, DISTS_MATCH)
    result = verify(read_lock(DATA / "conda-lock-full.yml"), scan_environment(prefix), "linux-64")
    assert result.verdict == "MATCH", result
    assert result.checked == 6
    # the optional dev package (pytest) is not installed and that is fine
    assert not result.missing and not result.different and not result.extra
    assert [d.name for d in result.ignored] == ["dlcheck"]
    assert result.python_version == "3.12.7"


def test_conda_prefix_differs(tmp_path: Path) -> None:
    conda = dict(CONDA_MATCH)
    del conda["libzlib"]
    conda["numpy"] = ("2.1.2", "py312h58c1407_0")
    conda["python"] = ("3.12.7", "other_build")
    conda["openssl"] = ("3.4.0", "h0")
    dists = dict(DISTS_MATCH, keras_tuner=("1.4.6", "pip"), requests=("2.32.3", "pip"))
    prefix = make_prefix(tmp_path / "env", conda, dists)
    r = verify(read_lock(DATA / "conda-lock-full.yml"), scan_environment(prefix), "linux-64")
    assert r.verdict == "MISMATCH" and r.exit_code == 1
    assert [(d.name, d.manager) for d in r.missing] == [("libzlib", "conda")]
    diff = {d.name: d for d in r.different}
    assert set(diff) == {"numpy", "python", "keras-tuner"}
    assert diff["python"].detail == "build differs"
    assert diff["keras-tuner"].locked == "1.4.7" and diff["keras-tuner"].installed == "1.4.6"
    assert {(d.name, d.manager) for d in r.extra} == {("openssl", "conda"), ("requests", "pip")}


def test_pip_lock_in_venv_with_markers_and_bootstrap(tmp_path: Path) -> None:
    dists = {
        "keras_tuner": ("1.4.7", "pip"),
        "numpy": ("2.1.3", "uv"),
        "pydot": ("4.0.1", "pip"),
        "six": ("1.17.0", "pip"),
        "tensorflow_cpu": ("2.21.0", "pip"),
        "pip": ("24.2", "pip"),
        "setuptools": ("75.0", "pip"),
    }
    prefix = make_prefix(tmp_path / "venv", None, dists, windows=True)
    r = verify(read_lock(DATA / "pip-lock-small.txt"), scan_environment(prefix), "linux-64")
    # never-here is only for Python 2 (marker), pip/setuptools are the venv's installers
    assert r.verdict == "MATCH", r
    assert {d.name for d in r.ignored} == {"pip", "setuptools"}
    assert r.checked == 5


def test_cli_text_json_markdown_and_nothing_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = make_prefix(
        tmp_path / "my_env*",
        dict(CONDA_MATCH, numpy=("2.0.0", "b")),
        dict(DISTS_MATCH, extra_pkg=("0.1", "pip")),
    )
    before = snapshot(prefix)
    lock = str(DATA / "conda-lock-full.yml")
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", lock, "--prefix", str(prefix)])
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "numpy (conda): lock 2.1.3 py312h58c1407_0, installed 2.0.0 b" in out
    assert "extra-pkg 0.1 (pip) is not in the lock" in out
    assert "MISMATCH" in out

    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", lock, "--prefix", str(prefix), "--json"])
    assert exc.value.code == 1
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "dlcheck.env-verify" and data["schema_version"] == 1
    assert data["kind"] == "env-verify" and data["verdict"] == "MISMATCH"
    assert data["platform"] == "linux-64" and data["created"] and "dlcheck_version" in data
    assert "hostname" in data and "setup" in data
    assert data["counts"] == {"checked": 6, "missing": 0, "different": 1, "extra": 1, "ignored": 1}
    assert data["different"][0]["name"] == "numpy"

    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", lock, "--prefix", str(prefix), "--markdown"])
    md = capsys.readouterr().out
    assert md.startswith("## dlcheck env verify: MISMATCH")
    assert "my\\_env\\*" in md  # machine values escaped
    assert snapshot(prefix) == before  # verify changed nothing

    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", lock, "--prefix", str(prefix), "--allow-extra"])
    assert exc.value.code == 1  # the different numpy still fails
    capsys.readouterr()


def test_cli_match_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prefix = make_prefix(tmp_path / "env", CONDA_MATCH, DISTS_MATCH)
    lock = str(DATA / "conda-lock-full.yml")
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", lock, "--prefix", str(prefix)])
    assert exc.value.code == 0
    assert "MATCH" in capsys.readouterr().out


@pytest.mark.parametrize(
    "lock, message",
    [
        ("conda-lock-not-yaml.yml", "not valid YAML"),
        ("conda-lock-missing-hash.yml", "lacks hash"),
        ("conda-lock-osx-only.yml", "made for osx-arm64, not for this platform (linux-64)"),
        ("pip-lock-other-platform.txt", "made for win-64"),
        ("pip-lock-unpinned.txt", "not a requirement pinned with =="),
        ("missing.yml", "file not found"),
    ],
)
def test_cli_bad_lock_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lock: str, message: str
) -> None:
    prefix = make_prefix(tmp_path / "env", CONDA_MATCH, DISTS_MATCH)
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--lock", str(DATA / lock), "--prefix", str(prefix)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("dlcheck: error: ")
    assert message in err


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["env", "verify"],
        ["env", "verify", "--lock", "a", "--setup", "cpu"],
        ["env", "verify", "--setup", "no-such-setup"],
        ["env", "verify", "--lock", str(DATA / "pip-lock-small.txt"), "--prefix", "/nonexistent"],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2, argv
        assert capsys.readouterr().err.count("\n") == 1


def test_setup_finds_the_lock_in_this_checkout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--setup NAME finds envs/<setup>/pylock.txt in this checkout; the running test
    environment is not that environment, so this is a readable mismatch, exit 1."""
    monkeypatch.chdir(Path(__file__).parents[1])
    with pytest.raises(SystemExit) as exc:
        main(["env", "verify", "--setup", "cpu", "--json"])
    assert exc.value.code in (0, 1)
    data = json.loads(capsys.readouterr().out)
    assert data["setup"] == "cpu" and data["lock"]["path"].endswith(
        os.path.join("cpu", "pylock.txt")
    )
    assert data["counts"]["checked"] > 100
