"""The one sanitizer for text that comes from a machine (host names, CPU and GPU names, driver
messages and the advice built from them, package and file names, anything read from a saved
document). Applied before any view; each format then escapes for itself (Markdown, HTML, CSV).

What it does, and nothing else:
- terminal escape sequences (CSI ``ESC [``, OSC ``ESC ]`` up to BEL or ST, incl. OSC-8 links,
  DCS/SOS/PM/APC strings, and two-character ``ESC x`` sequences) are removed whole;
- every other control character (C0 but tab/newline when allowed, DEL, C1 U+0080-U+009F),
  the bidi controls U+202A-U+202E and U+2066-U+2069, U+200E/U+200F/U+061C and the line and
  paragraph separators U+2028/U+2029 become a visible ``\\xNN`` / ``\\uNNNN`` escape;
- the result is cut to ``limit`` characters with an ellipsis.

Text from a profile (written by an instructor) is trusted and does not come through here.
"""

from __future__ import annotations

import re

# A whole escape sequence: CSI (ESC [ or the C1 CSI), OSC/DCS/SOS/PM/APC strings ended by
# BEL or ST (ESC \ or the C1 ST) or by the end of the text, and two-character ESC sequences.
_ESCAPE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?            # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])      # OSC, DCS, SOS, PM, APC
    [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?         # ... up to BEL or ST
  | \x1b[ -/]*[0-~]?                              # ESC x (and a lone ESC)
    """,
    re.VERBOSE,
)
_BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_AND_SEPARATORS += "\u2028\u2029"
_SURROGATES = "\ud800-\udfff"  # a lone surrogate (from JSON "\\ud800") cannot be encoded
_UNSAFE_ONE_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f" + re.escape(_BIDI_AND_SEPARATORS) + _SURROGATES + "]",
)
_UNSAFE_MULTI_LINE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f" + re.escape(_BIDI_AND_SEPARATORS) + _SURROGATES + "]",
)

DEFAULT_LIMIT = 500
ELLIPSIS = "…"


def _visible(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(value: object, limit: int | None = DEFAULT_LIMIT, multiline: bool = False) -> str:
    """Machine text made safe for any view: escape sequences removed, other control, bidi and
    separator characters made visible, cut to ``limit`` characters (None: no cut).
    ``multiline`` keeps newlines and tabs (a stderr tail); otherwise they become visible too."""
    text = value if isinstance(value, str) else str(value)
    text = _ESCAPE.sub("", text)
    text = (_UNSAFE_MULTI_LINE if multiline else _UNSAFE_ONE_LINE).sub(_visible, text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + ELLIPSIS
    return text


def clean_tree(value: object, limit: int | None = DEFAULT_LIMIT) -> object:
    """``clean`` applied to every string in a JSON-like tree (dict keys included)."""
    if isinstance(value, str):
        return clean(value, limit, multiline=True)
    if isinstance(value, dict):
        return {clean_tree(k, limit): clean_tree(v, limit) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(v, limit) for v in value]
    return value


def clean_record(value: object, limit: int | None = None) -> object:
    """A copy of a record (dataclass), list, tuple or dict with ``clean`` applied to every
    string in it, newlines kept: what every view renders, so that no renderer can forget."""
    import dataclasses

    if isinstance(value, str):
        return clean(value, limit, multiline=True)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: clean_record(getattr(value, f.name), limit)
            for f in dataclasses.fields(value)
            if f.init
        }
        return dataclasses.replace(value, **changes)
    if isinstance(value, dict):
        return {clean_record(k, limit): clean_record(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_record(v, limit) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_record(v, limit) for v in value)
    return value


def csv_safe(value: str) -> str:
    """A CSV cell: sanitized, and quoted when a spreadsheet would run it as a formula (a cell
    that starts with = + - @, tab or CR, also after leading blanks: " =1+1")."""
    value = clean(value, None)
    if value and (
        value[0] in "=+-@\t\r" or value.lstrip(" \t\r\n\u3000\xa0")[:1] in tuple("=+-@＝＋－＠")
    ):
        return "'" + value
    return value
