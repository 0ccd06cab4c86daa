"""An environment's own defaults for environment variables (the keras-torch setup's
``KERAS_BACKEND=torch``), carried by the environment however Python starts in it: an activated
shell of any kind, its Jupyter kernel, an IDE pointing at its interpreter, ``bin/python``
called directly.

`dlcheck env create` writes two files into the environment's site-packages: a ``.pth`` file
(``site`` runs its ``import`` line at every start of that interpreter, ``-S`` aside) and the
small module it imports, which sets each variable only where the user has not set it
(``setdefault``), and ``KERAS_HOME`` to a folder inside the environment unless set: Keras 3
writes ``keras.json`` into its home on its first import (with ``"backend": "tensorflow"``,
whatever ``KERAS_BACKEND`` says), and the shared ``~/.keras/keras.json`` must not be created or
changed by this environment. ``DLCHECK_ENV_DEFAULTS`` (``NAME,NAME@module path``) says which
variables the hook set, so a report says where the backend came from.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PTH = "dlcheck-env-defaults.pth"
MODULE = "_dlcheck_env_defaults"
MARK = "DLCHECK_ENV_DEFAULTS"

_TEMPLATE = '''"""Written by `dlcheck env create`: this environment's defaults (a variable
the user set wins). Remove this file and {pth} to drop them."""

import os

DEFAULTS = {defaults}
_set = []
for _name, _value in DEFAULTS.items():
    if _name not in os.environ:
        os.environ[_name] = _value
        _set.append(_name)
if _set:
    os.environ["{mark}"] = ",".join(_set) + "@" + __file__
'''


def site_packages(prefix: Path) -> Path | None:
    """The site-packages folder of the environment at ``prefix`` (venv or conda, POSIX or
    Windows); None when there is not exactly one."""
    win = prefix / "Lib" / "site-packages"
    if win.is_dir():
        return win
    found = sorted((prefix / "lib").glob("python3*/site-packages"))
    return found[0] if len(found) == 1 else None


def hook_source(defaults: dict[str, str]) -> str:
    """The module's text for ``defaults`` (names and values as JSON-safe strings)."""
    return _TEMPLATE.format(defaults=json.dumps(dict(sorted(defaults.items()))), pth=PTH, mark=MARK)


def write_hook(prefix: Path, defaults: dict[str, str]) -> Path:
    """Write the hook into the environment at ``prefix``: its module and the ``.pth`` line.
    ``KERAS_HOME`` defaults to ``<prefix>/etc/keras`` when Keras's backend is among the
    defaults. Returns the module's path; OSError when site-packages cannot be found."""
    site = site_packages(prefix)
    if site is None:
        raise OSError(f"no single site-packages folder in {prefix}")
    values = dict(defaults)
    if "KERAS_BACKEND" in values:
        values.setdefault("KERAS_HOME", str(Path(os.path.realpath(prefix)) / "etc" / "keras"))
    module = site / f"{MODULE}.py"
    module.write_text(hook_source(values), encoding="utf-8")
    (site / PTH).write_text(f"import {MODULE}\n", encoding="utf-8")
    return module


def read_hook(prefix: Path) -> dict[str, Any] | None:
    """The defaults the environment at ``prefix`` carries (``{"module": path, "defaults":
    {...}}``), read from its hook without running it; None when it has none."""
    site = site_packages(prefix)
    if site is None or not (site / PTH).is_file():
        return None
    module = site / f"{MODULE}.py"
    try:
        text = module.read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("DEFAULTS = "):
            try:
                data = json.loads(line[len("DEFAULTS = ") :])
            except ValueError:
                return None
            if isinstance(data, dict):
                values = {str(k): str(v) for k, v in data.items()}
                return {"module": str(module), "defaults": values}
    return None


def backend_source(env: dict[str, str], hook: dict[str, Any] | None) -> tuple[str | None, str]:
    """The Keras backend an interpreter of this environment starts with, and where it comes
    from: ``env`` (the caller's variables) wins over the environment's hook."""
    if env.get("KERAS_BACKEND") and MARK not in env:
        return env["KERAS_BACKEND"], "KERAS_BACKEND, set by you"
    if hook and "KERAS_BACKEND" in hook.get("defaults", {}):
        return hook["defaults"]["KERAS_BACKEND"], f"the environment's default ({hook['module']})"
    if env.get("KERAS_BACKEND"):
        return env["KERAS_BACKEND"], "KERAS_BACKEND"
    return None, "not set (Keras reads keras.json, else tensorflow)"
