"""Where to run the course when a machine falls short (Colab, Kaggle, HPC...), as data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dlcheck.errors import UserError
from dlcheck.userfiles import load_toml

DEFAULT_PLACES = "places.toml"


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    url: str = ""
    kind: str = ""
    gpu: str = ""
    limits: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.url})" if self.url else self.name


@dataclass(frozen=True)
class Places:
    checked: str
    source: str
    places: list[Place]

    def sentence(self, ids: list[str] | None = None) -> str:
        """'Google Colab (https://...), Kaggle notebooks (...) or your institution's HPC'."""
        chosen = [p for p in self.places if ids is None or p.id in ids] or self.places
        labels = [p.label() for p in chosen if p.gpu != "none"] or [p.label() for p in chosen]
        if len(labels) <= 1:
            return "".join(labels)
        return ", ".join(labels[:-1]) + " or " + labels[-1]


def load_places(path: str | Path | None = None) -> Places:
    """The places file at ``path`` or the one shipped with dlcheck."""
    data, where = load_toml(path, DEFAULT_PLACES)
    items = data.get("place")
    if not isinstance(items, list) or not items:
        raise UserError(where, "no [[place]] entries")
    out = []
    for i, item in enumerate(items, 1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("id"), str)
            or not isinstance(item.get("name"), str)
        ):
            raise UserError(where, f"place {i} needs string 'id' and 'name'")
        for key in ("id", "name"):
            if not item[key].strip():
                raise UserError(where, f"place {i}: '{key}' must not be empty")
        for key in ("url", "kind", "gpu", "limits"):
            if key in item and not isinstance(item[key], str):
                raise UserError(where, f"place {i} ({item['id']}): '{key}' must be a string")
        extra = {k: item.get(k, "") for k in ("url", "kind", "gpu", "limits")}
        out.append(Place(id=item["id"], name=item["name"], **extra))
    checked = data.get("checked", "unknown")
    if not isinstance(checked, str):
        raise UserError(where, "'checked' must be a date as a string, e.g. \"2026-11\"")
    return Places(checked=checked, source=where, places=out)
