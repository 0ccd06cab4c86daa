"""Commands a user can paste: every argument quoted for the user's shell. POSIX shells get
``shlex.quote``; Windows gets double quotes (cmd and PowerShell both read them), or single
quotes with ``''`` when the text holds ``$`` or a backtick (PowerShell would expand those)."""

from __future__ import annotations

import os
import shlex

_WINDOWS_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:\\/=+,@")


def quote(arg: object, windows: bool | None = None) -> str:
    """``arg`` as one word of a command line for the shell of ``windows`` (default: this OS)."""
    text = str(arg)
    if windows is None:
        windows = os.name == "nt"
    if not windows:
        return shlex.quote(text)
    if text and all(c in _WINDOWS_SAFE for c in text):
        return text
    if "$" in text or "`" in text or '"' in text:
        return "'" + text.replace("'", "''") + "'"
    return f'"{text}"'


def join(args: list[object], windows: bool | None = None) -> str:
    """The arguments as one command line for the user's shell."""
    return " ".join(quote(a, windows) for a in args)


def activate_command(prefix: object, windows: bool | None = None) -> str:
    """The command that activates the venv at ``prefix`` (cmd and PowerShell on Windows)."""
    if windows is None:
        windows = os.name == "nt"
    base = str(prefix).rstrip("\\/")
    if windows:
        cmd = quote(base + "\\Scripts\\activate.bat", True)
        ps = quote(base + "\\Scripts\\Activate.ps1", True)
        return f"{cmd} (cmd) or & {ps} (PowerShell)"
    return "source " + quote(base + "/bin/activate", False)


def pip_spec(spec: object, always: bool = False) -> str:
    """A requirement specifier (``tensorflow>=2.16``) as one word of a pip command in every
    shell a learner uses (POSIX shells, cmd, PowerShell): double quotes where it holds a
    character a shell reads (``<>=!~`` or a blank; ``always``: in any case). The one rule
    for the specifiers of the plan's and the verdict's install commands."""
    text = str(spec)
    return f'"{text}"' if always or any(c in text for c in "<>=!~ ") else text
