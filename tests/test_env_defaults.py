"""An environment carries its Keras backend (dlcheck/envs/defaults.py): the startup hook
`env create` writes into a real venv sets KERAS_BACKEND and KERAS_HOME however its Python
starts, never over a value the user set, and Keras then runs on torch without creating or
changing ~/.keras/keras.json."""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path

import pytest

from dlcheck.envs.defaults import MARK, backend_source, read_hook, write_hook
from dlcheck.frameworks.probe import keras_backend
from tests.test_python_option import course_venv


def _py(prefix: Path) -> Path:
    return prefix / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERAS_") and k != MARK}
    return {**env, "HOME": str(home), **extra}


def _ask(py: Path, env: dict[str, str], code: str) -> str:
    proc = subprocess.run(
        [str(py), "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


SHOW = (
    "import json, os; print(json.dumps({k: os.environ.get(k) for k in "
    "('KERAS_BACKEND', 'KERAS_HOME', 'DLCHECK_ENV_DEFAULTS')}))"
)


@pytest.fixture()
def bare(tmp_path: Path) -> Path:
    prefix = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(prefix)
    return prefix


def test_the_hook_sets_the_backend_when_python_starts(bare: Path, tmp_path: Path) -> None:
    module = write_hook(bare, {"KERAS_BACKEND": "torch"})
    seen = json.loads(_ask(_py(bare), _env(tmp_path), SHOW))
    assert seen["KERAS_BACKEND"] == "torch"
    assert seen["KERAS_HOME"] == str(Path(os.path.realpath(bare)) / "etc" / "keras")
    assert seen["DLCHECK_ENV_DEFAULTS"] == f"KERAS_BACKEND,KERAS_HOME@{module}"
    # where the backend came from, as the framework probe says it
    backend, source = keras_backend(seen)
    assert backend == "torch" and source == f"the environment's default ({module})"
    hook = read_hook(bare)
    assert hook is not None and hook["defaults"]["KERAS_BACKEND"] == "torch"
    assert backend_source({}, hook) == ("torch", f"the environment's default ({module})")


def test_a_value_the_user_set_wins(bare: Path, tmp_path: Path) -> None:
    write_hook(bare, {"KERAS_BACKEND": "torch"})
    seen = json.loads(_ask(_py(bare), _env(tmp_path, KERAS_BACKEND="jax"), SHOW))
    assert seen["KERAS_BACKEND"] == "jax"
    assert seen["DLCHECK_ENV_DEFAULTS"].split("@")[0] == "KERAS_HOME"
    assert keras_backend(seen) == ("jax", "KERAS_BACKEND")
    mine = json.loads(_ask(_py(bare), _env(tmp_path, KERAS_HOME=str(tmp_path / "kh")), SHOW))
    assert mine["KERAS_HOME"] == str(tmp_path / "kh")
    assert (
        backend_source({"KERAS_BACKEND": "jax"}, read_hook(bare))[1] == "KERAS_BACKEND, set by you"
    )


def test_no_hook_no_defaults(bare: Path) -> None:
    assert read_hook(bare) is None
    assert backend_source({}, None)[0] is None


@pytest.mark.slow
def test_keras_runs_on_torch_without_touching_the_shared_keras_json(tmp_path: Path) -> None:
    pytest.importorskip("keras")
    pytest.importorskip("torch")
    prefix = tmp_path / "env"
    py = course_venv(prefix)
    write_hook(prefix, {"KERAS_BACKEND": "torch"})
    home = tmp_path / "home"
    home.mkdir()
    out = _ask(py, _env(home), "import keras; print(keras.backend.backend())")
    assert out.splitlines()[-1] == "torch"
    assert not (home / ".keras").exists()  # the shared keras.json: not created
    assert (prefix / "etc" / "keras" / "keras.json").is_file()  # the environment's own
    # an existing shared keras.json is left as it was
    (home / ".keras").mkdir()
    shared = home / ".keras" / "keras.json"
    shared.write_text('{"backend": "tensorflow"}')
    out = _ask(py, _env(home), "import keras; print(keras.backend.backend())")
    assert out.splitlines()[-1] == "torch" and shared.read_text() == '{"backend": "tensorflow"}'
