"""``--anonymize``: the facts without the hostname, the user name and home paths."""

from __future__ import annotations

import getpass
import re
from pathlib import Path
from typing import Any

from dlcheck.records import Facts, from_dict, to_dict

_HOME_RE = re.compile(r"(/home/|/Users/|[A-Za-z]:\\Users\\|/var/home/)([^/\\\s]+)")


def anonymize_facts(facts: Facts, user: str | None = None, home: str | None = None) -> Facts:
    """Remove the hostname, the user name and home paths from every text field."""
    try:
        user = user if user is not None else getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser fails without a passwd entry
        user = ""
    home = home if home is not None else str(Path.home())

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            if home and home not in ("/", "") and home in value:
                value = value.replace(home, "~")
            value = _HOME_RE.sub(lambda m: "~", value)
            if user and len(user) >= 3:
                value = re.sub(rf"\b{re.escape(user)}\b", "<user>", value)
            return value
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    data = to_dict(facts)
    data["platform"]["hostname"] = None
    return from_dict(Facts, clean(data))
