"""`dlcheck env remove PREFIX`: an environment made as `env create` makes it (a real venv, its
marker, the token in its pyvenv.cfg, its kernel registered by ipykernel with dlcheck's metadata)
goes with its kernel; a kernel dlcheck did not write and a folder without proof stay."""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

from dlcheck import removal
from dlcheck.envs.create import _marker_base, _write_marker
from tests.test_envs_create import _opts, offline  # noqa: F401 - the fixture
from tests.test_python_option import _cli

TOKEN = "0123456789abcdef"


def _made_by_create(prefix: Path, kernel: str, data: Path) -> tuple[Path, Path]:
    """A venv with `env create`'s proof, and its kernel spec (ipykernel's, with dlcheck's
    metadata as `env create` adds it) under ``data``/kernels."""
    venv.EnvBuilder(with_pip=False).create(prefix)
    cfg = prefix / "pyvenv.cfg"
    cfg.write_text(cfg.read_text() + f"{removal.TOKEN_KEY} = {TOKEN}\n")
    _write_marker(
        prefix, {**_marker_base(prefix, TOKEN, "cpu", "h"), "state": "complete", "kernel": kernel}
    )
    import sys

    subprocess.run(
        [sys.executable, "-m", "ipykernel", "install", "--user", "--name", kernel],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "JUPYTER_DATA_DIR": str(data)},
    )
    spec = data / "kernels" / kernel
    doc = json.loads((spec / "kernel.json").read_text())
    doc["argv"][0] = str(prefix / "bin" / "python")
    doc["metadata"] = {"dlcheck": {"prefix": os.path.realpath(prefix), "token": TOKEN}}
    (spec / "kernel.json").write_text(json.dumps(doc))
    return prefix, spec


@pytest.mark.skipif(os.name == "nt", reason="POSIX venv layout")
def test_env_remove_takes_the_environment_and_its_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "jupyter"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    prefix, spec = _made_by_create(tmp_path / "env", "dlcheck-cpu-test", data)
    # a kernel the user registered for the same interpreter, without dlcheck's metadata
    theirs = data / "kernels" / "mine"
    theirs.mkdir()
    (theirs / "kernel.json").write_text(
        json.dumps({"argv": [str(prefix / "bin/python")], "display_name": "Mine"})
    )
    code, out, err = _cli(["env", "remove", str(prefix)], capsys)
    assert code == 0, err
    assert f"removed the environment {prefix}" in out
    assert f"removed its Jupyter kernel {spec}" in out
    assert not prefix.exists() and not spec.exists()
    assert theirs.is_dir()  # not proven dlcheck's: left


def test_env_remove_refuses_without_proof(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "dl_workshop"
    venv.EnvBuilder(with_pip=False).create(plain)
    code, out, err = _cli(["env", "remove", str(plain)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "has no marker of `dlcheck env create`" in err and plain.is_dir()
    code, out, err = _cli(["env", "remove", str(tmp_path / "nothing")], capsys)
    assert code == 2 and "no such environment folder" in err


@pytest.mark.slow
def test_an_environment_env_create_made_carries_its_backend_and_env_remove_takes_it(
    offline: dict[str, Path],  # noqa: F811 - the fixture imported above
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A real `env create` run (the offline lock of test_envs_create) for a setup whose
    kernel_env names KERAS_BACKEND: its Python starts with it (the hook), `env verify` says
    where it comes from, `env remove` takes the environment."""
    from dlcheck.envs import create as create_mod
    from dlcheck.envs.create import create

    monkeypatch.setattr(create_mod, "_kernel_env", lambda name: {"KERAS_BACKEND": "torch"})
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    prefix = offline["root"] / "torchy"
    assert create(_opts(prefix)) == 0
    assert "making KERAS_BACKEND=torch this environment's default" in capsys.readouterr().out
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERAS_")}
    got = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", "import os; print(os.environ['KERAS_BACKEND'])"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert got.stdout.strip() == "torch"
    code, out, _ = _cli(["env", "verify", "--prefix", str(prefix)], capsys)
    assert code == 0 and "Keras backend: torch, the environment's default" in out
    # the check report says it too, for the interpreter checked (its probe needs nothing
    # there: this environment holds only the lock's one package and dlcheck without its deps)
    code, out, _ = _cli(
        ["check", "--no-frameworks", "--json", "--python", str(prefix / "bin" / "python")], capsys
    )
    section = json.loads(out)["facts"]["environment"]
    assert section["setup"] == "cpu" and section["defaults"]["KERAS_BACKEND"] == "torch"
    assert section["defaults_from"].endswith("_dlcheck_env_defaults.py")
    code, out, _ = _cli(
        ["check", "--no-frameworks", "--python", str(prefix / "bin/python")], capsys
    )
    assert "KERAS_BACKEND=torch by default" in " ".join(out.split())
    code, out, err = _cli(["env", "remove", str(prefix)], capsys)
    assert code == 0 and f"removed the environment {prefix}" in out and not prefix.exists()
