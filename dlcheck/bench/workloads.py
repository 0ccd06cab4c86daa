"""The course's training runs as data (``workloads.toml``), one :class:`Workload` each."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

from dlcheck.errors import UserError
from dlcheck.userfiles import parse_toml

TARGETS = ("sparse", "onehot", "regression")


@dataclass(frozen=True)
class Workload:
    id: str
    episode: int
    title: str
    builder: str  # a function name in dlcheck.bench.models
    params: int  # the lesson's model.summary() total
    trainable_params: int
    input_shape: list[int]
    target: str  # sparse, onehot or regression
    classes: int
    train: int  # training samples per epoch
    validation: int  # validation samples evaluated each epoch (0: no validation_data)
    batch_size: int
    epochs: int
    headline: bool = False
    early_stopping: bool = False
    note: str = ""

    def train_batches(self) -> int:
        return -(-self.train // self.batch_size)

    def validation_batches(self) -> int:
        return -(-self.validation // self.batch_size)


_INT_KEYS = ("episode", "params", "trainable_params", "classes", "train", "validation")


def parse_workloads(data: dict[str, Any], where: str) -> list[Workload]:
    """Validate parsed workload data; problems become a UserError naming ``where``."""
    items = data.get("workload")
    if not isinstance(items, list) or not items:
        raise UserError(where, "no [[workload]] entries")
    out: list[Workload] = []
    for i, w in enumerate(items, 1):
        label = f"workload {i} ({w.get('id', 'no id') if isinstance(w, dict) else '?'})"
        if not isinstance(w, dict):
            raise UserError(where, f"{label} is not a table")
        try:
            kwargs: dict[str, Any] = {
                "id": str(w["id"]),
                "title": str(w["title"]),
                "builder": str(w["builder"]),
                "input_shape": [int(v) for v in w["input_shape"]],
                "target": str(w["target"]),
                "batch_size": int(w["batch_size"]),
                "epochs": int(w["epochs"]),
                "headline": bool(w.get("headline", False)),
                "early_stopping": bool(w.get("early_stopping", False)),
                "note": str(w.get("note", "")),
            }
            kwargs.update({k: int(w[k]) for k in _INT_KEYS})
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(where, f"{label}: missing or bad field {exc}") from None
        if kwargs["target"] not in TARGETS:
            raise UserError(where, f"{label}: target must be one of {', '.join(TARGETS)}")
        if kwargs["train"] < 1 or kwargs["batch_size"] < 1 or kwargs["epochs"] < 1:
            raise UserError(where, f"{label}: train, batch_size and epochs must be positive")
        out.append(Workload(**kwargs))
    ids = [w.id for w in out]
    if len(set(ids)) != len(ids):
        raise UserError(where, "duplicate workload ids")
    return out


def load_workloads() -> list[Workload]:
    """The workloads shipped with dlcheck, headline first."""
    text = resources.files("dlcheck.bench").joinpath("workloads.toml").read_text("utf-8")
    where = "<packaged workloads.toml>"
    return parse_workloads(parse_toml(text, where), where)


def find_workload(name: str, workloads: list[Workload] | None = None) -> Workload:
    """The workload called ``name`` (an id, or its episode number such as 'ep4' or '4')."""
    workloads = workloads if workloads is not None else load_workloads()
    for w in workloads:
        if name in (w.id, str(w.episode), f"ep{w.episode}"):
            return w
    known = ", ".join(w.id for w in workloads)
    raise UserError(None, f"unknown workload '{name}' (known: {known})")
