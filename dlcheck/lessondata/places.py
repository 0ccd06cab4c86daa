"""Where the lesson looks for its files: three roots, each a folder.

- ``data``: the folder the learner runs the notebooks in (``--data DIR``; default: the
  current folder). The episodes read ``data/dataset_dollarstreet/*.npy`` and the weather CSV
  relative to it.
- ``keras``: Keras' home, ``KERAS_HOME`` or ``~/.keras`` (``/tmp/.keras`` when the home folder
  is not writable: keras/src/backend/config.py); ``keras.applications`` caches weights in its
  ``models`` folder.
- ``seaborn``: seaborn's data home, ``SEABORN_DATA`` or its cache folder (seaborn 0.13,
  seaborn/utils.py ``get_data_home``: ``$XDG_CACHE_HOME/seaborn`` or ``~/.cache/seaborn`` on
  Linux, ``~/Library/Caches/seaborn`` on macOS, ``%LOCALAPPDATA%\\seaborn\\seaborn\\Cache`` on
  Windows; seaborn before 0.12 used ``~/seaborn-data``).

A lab folder (``dlcheck data fetch --to DIR``) holds all three: ``DIR`` itself, ``DIR/keras``
and ``DIR/seaborn-data``; learners point Keras and seaborn at it with ``KERAS_HOME`` and
``SEABORN_DATA`` (docs/data.md)."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from dlcheck.lessondata.table import DataFile

LAB_KERAS = "keras"
LAB_SEABORN = "seaborn-data"


@dataclass(frozen=True)
class Roots:
    data: str
    keras: str
    seaborn: str

    def of(self, root: str) -> str:
        return str(getattr(self, root))


def _seaborn_cache(environ: Mapping[str, str], home: str, platform: str) -> str:
    if platform == "win32":
        base = environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, "seaborn", "seaborn", "Cache")
    if platform == "darwin":
        return os.path.join(home, "Library", "Caches", "seaborn")
    return os.path.join(environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "seaborn")


def _keras_home(environ: Mapping[str, str], home: str) -> str:
    if environ.get("KERAS_HOME"):
        return environ["KERAS_HOME"]
    base = home if os.access(home, os.W_OK) else "/tmp"
    return os.path.join(base, ".keras")


def lesson_roots(
    data_dir: str | None = None,
    environ: Mapping[str, str] | None = None,
    home: str | None = None,
    platform: str | None = None,
) -> Roots:
    """The places the lesson looks on this machine: ``data_dir`` (default: the current
    folder), and Keras' and seaborn's folders from the environment as they compute them."""
    env = os.environ if environ is None else environ
    home = home if home is not None else os.path.expanduser("~")
    data = os.path.abspath(data_dir if data_dir is not None else os.getcwd())
    seaborn = env.get("SEABORN_DATA") or _seaborn_cache(env, home, platform or sys.platform)
    return Roots(data, os.path.expanduser(_keras_home(env, home)), os.path.expanduser(seaborn))


def lab_roots(folder: str) -> Roots:
    """The places inside a lab's shared folder (``--to DIR``)."""
    folder = os.path.abspath(folder)
    return Roots(folder, os.path.join(folder, LAB_KERAS), os.path.join(folder, LAB_SEABORN))


def path_in(root: str, relative: str) -> str:
    return os.path.join(root, *relative.split("/"))


def candidates(f: DataFile, roots: Roots) -> list[str]:
    """Where the lesson may find ``f``: its place first, then the other paths its pages use."""
    root = roots.of(f.place.root)
    return [path_in(root, p) for p in (f.place.path, *f.place.also)]


def destination(f: DataFile, roots: Roots) -> str:
    """Where ``dlcheck data fetch`` puts ``f``: its place."""
    return path_in(roots.of(f.place.root), f.place.path)
