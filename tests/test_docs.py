"""README and the user guide (docs/*.md) stay true to the command tree (issue 21 item 5):
every ``dlcheck ...`` command they show, in a code block or in inline backticks, names a real
command (``dlcheck <subcommand...> --help`` runs) and only options that command has (a choice's
value too, where the example gives a literal one); every relative link points to a file that
exists, and a link to a Markdown heading to a heading that exists."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dlcheck.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# Pages linked before they exist on this branch, each with the issue that writes it. The lead
# drops an entry when merging that branch (an existing page is checked like any other).
PENDING_PAGES: dict[Path, str] = {}  # pages linked before they are written (none now)

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1[ \t]*$", re.M | re.S)
INLINE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
# Where a command starts in a segment: an optional prompt, VAR=value prefixes and a launcher.
START = re.compile(
    r"^\s*(?:\$\s+)?(?:[A-Za-z_]\w*=\S*\s+)*"
    r"(?:(?:python3?(?:\.\d+)?|py(?:\s+-3(?:\.\d+)?)?)\s+-m\s+|pipx\s+run\s+)?"
    r"dlcheck(?=\s|$)(.*)$",
    re.S,
)
# dlcheck's own banner in recorded output ("dlcheck 0.1.0 · ..."): output, not a command.
BANNER = re.compile(r"^\s*\d+\.\d+")
OPTION = re.compile(r"^(--?[A-Za-z][\w-]*)(?:=(.*))?$")
LITERAL = re.compile(r"^[a-z0-9][\w.-]*$")  # a value as typed, not a FILE or NAME placeholder


def strip_code(text: str) -> tuple[list[str], str]:
    """The fenced blocks' lines (continuations joined, shell comments dropped) and the text
    outside them."""
    lines: list[str] = []
    for match in FENCE.finditer(text):
        body = re.sub(r"\\\n", " ", match.group(2))
        lines += [re.sub(r"(^|\s)#\s.*$", "", line) for line in body.splitlines()]
    return lines, FENCE.sub("", text)


def segments(text: str) -> list[str]:
    """Split at backticks and shell separators (`&&`, `||`, `;`, `|`), but not at a `|`
    inside brackets (a usage line such as ``[--lock FILE | --setup NAME]``)."""
    out, cur, depth, i = [], "", 0, 0
    while i < len(text):
        two = text[i : i + 2]
        ch = text[i]
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth = max(0, depth - 1)
        if two in ("&&", "||"):
            out.append(cur)
            cur, i = "", i + 2
            continue
        if ch in "`;\n" or (ch == "|" and depth == 0):
            out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    out.append(cur)
    return out


def commands_in(text: str) -> list[str]:
    """Every ``dlcheck ...`` command a Markdown text shows, as ``dlcheck`` plus its words."""
    block_lines, prose = strip_code(text)
    spans = [m.group(2).replace("\\|", "|") for m in INLINE.finditer(prose)]
    found = []
    for part in [*block_lines, *spans]:
        for seg in segments(part):
            m = START.match(seg)
            if m and not BANNER.match(m.group(1)):
                found.append(" ".join(["dlcheck", *m.group(1).split()]))
    return found


@functools.lru_cache(maxsize=None)
def help_exit(path: tuple[str, ...]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [*path, "--help"])
    return result.exit_code, result.output


def command_problems(command: str) -> list[str]:
    """What is wrong with one shown command: an unknown subcommand, a --help that fails, an
    option the command does not have, a literal value its choice does not allow."""
    words = command.split()[1:]
    ctx = click.Context(cli, info_name="dlcheck")
    cmd: click.Command = cli
    path: list[str] = []
    while isinstance(cmd, click.Group) and words and not words[0].startswith("-"):
        sub = cmd.get_command(ctx, words[0])
        if sub is None:
            if any(isinstance(p, click.Argument) for p in cmd.params):
                break
            return [f"`{command}`: `dlcheck {' '.join(path)}` has no command {words[0]!r}"]
        path.append(words.pop(0))
        cmd, ctx = sub, click.Context(sub, parent=ctx, info_name=path[-1])
    code, output = help_exit(tuple(path))
    if code != 0:
        return [f"`{command}`: `dlcheck {' '.join(path)} --help` exits {code}: {output[-300:]}"]
    params: dict[str, click.Parameter] = {}
    for param in cmd.get_params(ctx):
        for name in [*param.opts, *param.secondary_opts]:
            params[name] = param
    problems = []
    for i, word in enumerate(words):
        m = OPTION.match(word.strip("[]"))
        if not m:
            continue
        name = m.group(1)
        if name not in params:
            problems.append(f"`{command}`: `dlcheck {' '.join(path)}` has no option {name}")
            continue
        param = params[name]
        value = m.group(2)
        if value is None and i + 1 < len(words) and isinstance(param, click.Option):
            if not param.is_flag and not param.count:
                value = words[i + 1].strip("[]")
        if value and isinstance(param.type, click.Choice) and LITERAL.match(value):
            if value not in param.type.choices:
                problems.append(
                    f"`{command}`: {name} {value}: not one of {', '.join(param.type.choices)}"
                )
    return problems


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    _, prose = strip_code(page.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*\s*$", prose, re.M)}


LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def link_problems(page: Path) -> list[str]:
    """Every relative link of a Markdown page points to a file or folder that exists; a link
    to a heading of a Markdown page (``page.md#heading`` or ``#heading``) to a heading it has."""
    _, prose = strip_code(page.read_text(encoding="utf-8"))
    prose = INLINE.sub("", prose)
    problems = []
    for m in LINK.finditer(prose):
        target = m.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            continue  # https:, mailto:: not a file here
        file, _, anchor = target.partition("#")
        dest = (page.parent / file).resolve() if file else page
        where = f"{page.relative_to(ROOT)}: link {target}"
        if not dest.exists():
            if dest in PENDING_PAGES:
                continue  # see PENDING_PAGES
            problems.append(f"{where}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            problems.append(f"{where}: no heading #{anchor} in {dest.relative_to(ROOT)}")
    return problems


def test_pages_exist_and_are_linked_from_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("check", "env", "bench", "fleet", "output", "profiles", "schema", "architecture"):
        assert (ROOT / "docs" / f"{name}.md").is_file(), name
        assert f"](docs/{name}.md)" in readme, f"README links docs/{name}.md"
    assert "](docs/flavours.md)" in readme
    assert len(readme.splitlines()) <= 150, "README is a front page: at most about 150 lines"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_shown_is_real(page: Path) -> None:
    shown = commands_in(page.read_text(encoding="utf-8"))
    problems = [p for command in shown for p in command_problems(command)]
    assert not problems, "\n".join(problems)


def test_the_pages_show_the_commands_they_document() -> None:
    """The extraction finds what the pages show (a check that checks nothing would pass)."""
    shown = {c for page in PAGES for c in commands_in(page.read_text(encoding="utf-8"))}
    for command in (
        "dlcheck check",
        "dlcheck check --json -o me.json",
        "dlcheck env create --setup cpu",  # in README's recorded output
        "dlcheck env verify [--lock FILE | --setup NAME] [--prefix PATH] [--allow-extra]",
        "dlcheck report results/ --format html -o fleet.html",
        "dlcheck bench compare laptop.json colab.json --plot speed.png [--scale linear]",
        "dlcheck bench --workload ep3-dense --backend torch",
    ):
        assert command in shown, command


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_to_a_file(page: Path) -> None:
    problems = link_problems(page)
    assert not problems, "\n".join(problems)


EXAMPLE = """\
Try it:

```bash
dlcheck check --json -o me.json   # fine
python -m dlcheck check --made-up-option
dlcheck report results/ --format pdf
```

Or `dlcheck chekc`, or `dlcheck env verify --setup cpu --no-such-flag`, or
`KERAS_BACKEND=torch dlcheck bench --quick --bogus`.
"""


def test_a_made_up_command_option_or_value_fails() -> None:
    shown = commands_in(EXAMPLE)
    assert shown == [
        "dlcheck check --json -o me.json",
        "dlcheck check --made-up-option",
        "dlcheck report results/ --format pdf",
        "dlcheck chekc",
        "dlcheck env verify --setup cpu --no-such-flag",
        "dlcheck bench --quick --bogus",
    ]
    problems = {c: command_problems(c) for c in shown}
    assert problems["dlcheck check --json -o me.json"] == []
    assert "has no option --made-up-option" in problems["dlcheck check --made-up-option"][0]
    assert "--format pdf: not one of" in problems["dlcheck report results/ --format pdf"][0]
    assert "has no command 'chekc'" in problems["dlcheck chekc"][0]
    assert problems["dlcheck env verify --setup cpu --no-such-flag"] == [
        "`dlcheck env verify --setup cpu --no-such-flag`: `dlcheck env verify` has no option "
        "--no-such-flag"
    ]
    assert "has no option --bogus" in problems["dlcheck bench --quick --bogus"][0]


def test_a_broken_link_or_heading_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "guide.md").write_text("# Guide\n\n## `dlcheck check`\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "# Front\n\n[ok](docs/guide.md) [ok](docs/guide.md#dlcheck-check) [ok](#front)\n"
        "[web](https://example.org/x.md) ![img](docs/missing.png)\n"
        "[gone](docs/gone.md) [bad](docs/guide.md#no-such-heading)\n"
        "`[in code](docs/nothing.md)`\n\n```\n[in a block](docs/nothing.md)\n```\n",
        encoding="utf-8",
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert link_problems(page) == [
        "README.md: link docs/missing.png: no such file",
        "README.md: link docs/gone.md: no such file",
        "README.md: link docs/guide.md#no-such-heading: no heading #no-such-heading in "
        "docs/guide.md",
    ]
