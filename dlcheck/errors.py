"""Errors a user can cause. The CLI prints them as one line and exits with status 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input: a missing or malformed file, or a wrong option. ``str()`` is the whole line:
    one line whatever the path and the problem hold (both pass through dlcheck.sanitize.clean:
    escape sequences removed, control characters and newlines shown escaped, length cut)."""

    def __init__(self, path: object, problem: str) -> None:
        from dlcheck.sanitize import clean

        self.path = clean(str(path), 300) if path is not None else None
        self.problem = clean(problem, 500)
        super().__init__(f"{self.path}: {self.problem}" if self.path else self.problem)
