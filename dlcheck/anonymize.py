"""``--anonymize``: facts and results without the host name, the user name and home paths.

Values are anonymised, never keys: a user named ``cpu`` (or ``python``, ``gpu``, ``disk``)
must not rename the facts' keys, nor turn the word ``cpu`` that dlcheck writes (a setup, a
device) into ``<user>``. A name that is also a word of the document's own vocabulary (its keys)
is replaced only where it is plainly the name: as ``cpu@`` or ``@cpu``, or as the whole value
of a field that holds a user or host name (home paths are replaced whole, whatever the name).
"""

from __future__ import annotations

import dataclasses
import getpass
import re
import socket
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dlcheck.records import Facts, from_dict, to_dict

_HOME_RE = re.compile(
    r"(?<![^\s\"'=:(,\[])(?:/home/|/Users/|/var/home/)[^/\\\s]+"  # a path's start
    r"|[A-Za-z]:\\(?:Users|Documents and Settings)\\[^\\/\n]+?(?=\\|$|\"|')"  # Jane Doe
)
_NAME_FIELDS = frozenset({"hostname", "host", "node", "nodename", "user", "username", "login"})


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser fails without a passwd entry
        return ""


def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def _keys(value: Any, out: set[str]) -> set[str]:
    """Every key of the nested dicts in ``value`` (lower-cased), iteratively."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            out.update(str(k).lower() for k in item)
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            out.update(f.name.lower() for f in dataclasses.fields(item))
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return out


# Words dlcheck writes as values (setups, devices, kinds) besides its keys.
_VOCABULARY = frozenset(
    {"cpu", "gpu", "nvidia", "python", "disk", "memory", "keras", "torch", "tensorflow", "jax"}
)


class Anonymizer:
    """Replaces the host name, user name and home folder in text values."""

    def __init__(
        self,
        user: str | None = None,
        home: str | None = None,
        host: str | None = None,
        vocabulary: Iterable[str] = (),
    ) -> None:
        self.user = _user() if user is None else user
        self.home = str(Path.home()) if home is None else home
        self.host = _host() if host is None else host
        words = {w.lower() for w in vocabulary} | _VOCABULARY
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        for name, mark in ((self.host, "<host>"), (self.user, "<user>")):
            if not name or len(name) < 2:
                continue
            esc = re.escape(name)
            if len(name) >= 3 and name.lower() not in words:
                self.patterns.append((re.compile(rf"(?<![\w.-]){esc}(?![\w-])"), mark))
                if "." not in name:  # the short name of a host: node1 of node1.lab.org
                    continue
            # a word of the vocabulary (envs/cpu/...): only where it is plainly a name
            self.patterns.append((re.compile(rf"(?<=@){esc}(?![\w-])"), mark))
            self.patterns.append((re.compile(rf"(?<![\w.-]){esc}(?=@)"), mark))
        if self.host and "." in self.host:
            short = self.host.split(".")[0]
            if len(short) >= 3 and short.lower() not in words:
                self.patterns.append(
                    (re.compile(rf"(?<![\w.-]){re.escape(short)}(?![\w-])"), "<host>")
                )

    def text(self, value: str, key: str | None = None) -> str:
        if key and key.lower() in _NAME_FIELDS and value in (self.user, self.host):
            return "<host>" if value == self.host else "<user>"
        if self.home and self.home not in ("/", "") and self.home in value:
            value = value.replace(self.home, "~")
        value = _HOME_RE.sub("~", value)
        for pattern, mark in self.patterns:
            value = pattern.sub(mark, value)
        return value

    def data(self, value: Any, key: str | None = None) -> Any:
        """A copy of JSON-like data with every string value anonymised; keys unchanged."""
        if isinstance(value, str):
            return self.text(value, key)
        if isinstance(value, dict):
            return {k: self.data(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v, key) for v in value]
        if isinstance(value, tuple):
            return tuple(self.data(v, key) for v in value)
        return value

    def record(self, value: Any, key: str | None = None) -> Any:
        """A copy of a record (dataclass), with host-name fields emptied and every string
        value anonymised; field names and dict keys unchanged."""
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {}
            for f in dataclasses.fields(value):
                if not f.init:
                    continue
                v = getattr(value, f.name)
                if f.name in ("hostname", "host") and isinstance(v, str):
                    changes[f.name] = None
                else:
                    changes[f.name] = self.record(v, f.name)
            return dataclasses.replace(value, **changes)
        if isinstance(value, dict):
            return {k: self.record(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.record(v, key) for v in value]
        if isinstance(value, tuple):
            return tuple(self.record(v, key) for v in value)
        if isinstance(value, str):
            return self.text(value, key)
        return value


def anonymize_facts(
    facts: Facts, user: str | None = None, home: str | None = None, host: str | None = None
) -> Facts:
    """Remove the host name, the user name and home paths from every text value."""
    data = to_dict(facts)
    host = host if host is not None else (data.get("platform") or {}).get("hostname") or _host()
    anon = Anonymizer(user, home, host, _keys(data, set()))
    data = anon.data(data)
    data["platform"]["hostname"] = None
    return from_dict(Facts, data)


def anonymize_record(
    record: Any, user: str | None = None, home: str | None = None, host: str | None = None
) -> Any:
    """A result record (env verify, env recommend, bench, bench compare) anonymised."""
    if host is None:
        named = getattr(record, "hostname", None)
        host = named if isinstance(named, str) and named else _host()
    return Anonymizer(user, home, host, _keys(record, set())).record(record)
