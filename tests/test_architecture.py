"""The package's shape: layers as data, no import loop, no import that runs back up, and the
plug-in registration of dlcheck/features.py (docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dlcheck"

# Lowest first. A module may import modules of its own layer or of a lower one; never of a
# higher one. Each entry names a module or, ending in ".*", every module below a package.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "base",
        [
            "dlcheck.version",
            "dlcheck._compat",
            "dlcheck.errors",
            "dlcheck.sanitize",
            "dlcheck.subprocesses",
            "dlcheck.userfiles",
            "dlcheck.output",
            "dlcheck.removal",
            "dlcheck.shellquote",
            "dlcheck.formats",
            "dlcheck.documents",
            "dlcheck.records",
            "dlcheck.places",
            "dlcheck.bench",  # package __init__ files that import nothing
            "dlcheck.envs",
            "dlcheck.fleet",
            "dlcheck.render",
            "dlcheck.kernels",
            "dlcheck.lessondata",
        ],
    ),
    (
        "facts",  # probes and the records of what they found, per feature
        [
            "dlcheck.probes",
            "dlcheck.probes.*",
            "dlcheck.normalize",
            "dlcheck.support",
            "dlcheck.frameworks",
            "dlcheck.frameworks.names",
            "dlcheck.frameworks.records",
            "dlcheck.frameworks.probe",
            "dlcheck.frameworks._child",
            "dlcheck.envs.setups",
            "dlcheck.envs.lockmaking",
            "dlcheck.envs.locks",
            "dlcheck.envs.installed",
            "dlcheck.envs.verify",
            "dlcheck.envs.detect",
            "dlcheck.envs.facts",
            "dlcheck.envs.defaults",
            "dlcheck.kernels.specs",
            "dlcheck.bench.facts",
            "dlcheck.bench.grading",
            "dlcheck.bench.stats",
            "dlcheck.bench.workloads",
            "dlcheck.bench.breakdown",
            "dlcheck.bench.load",
            "dlcheck.bench.results",
            "dlcheck.bench.stamps",
            "dlcheck.bench.calibrate",
            "dlcheck.bench.synthetic",
            "dlcheck.bench.models",
            "dlcheck.bench.measure",
            "dlcheck.bench.memory",
            "dlcheck.bench.sampling",
            "dlcheck.bench.matmul",
            "dlcheck.bench.context",
            "dlcheck.lessondata.table",
            "dlcheck.lessondata.places",
            "dlcheck.lessondata.proof",
            "dlcheck.lessondata.facts",
        ],
    ),
    (
        "judgements",  # check kinds and the features' view pieces: pure functions of facts
        [
            "dlcheck.checks",
            "dlcheck.frameworks.diagnose",
            "dlcheck.frameworks.summary",
            "dlcheck.envs.checks",
            "dlcheck.envs.recommend",
            "dlcheck.bench.checks",
            "dlcheck.kernels.checks",
            "dlcheck.lessondata.checks",
        ],
    ),
    ("features", ["dlcheck.features"]),
    (
        "spine",
        [
            "dlcheck.profile",
            "dlcheck.verdict",
            "dlcheck.plan",
            "dlcheck.report",
            "dlcheck.anonymize",
            "dlcheck.pipeline",
        ],
    ),
    (
        "operations",  # what the other commands do, below their views
        [
            "dlcheck.envs.create",
            "dlcheck.envs.remove",
            "dlcheck.bench.elsewhere",
            "dlcheck.bench.predict",
            "dlcheck.bench.transfer",
            "dlcheck.bench.suite",
            "dlcheck.bench.compare",
            "dlcheck.fleet.read",
            "dlcheck.fleet.parts",
            "dlcheck.fleet.model",
            "dlcheck.fleet.aggregate",
            "dlcheck.fleet.build",
            "dlcheck.lessondata.fetch",
        ],
    ),
    (
        "views",
        [
            "dlcheck.render.*",
            "dlcheck.envs.render",
            "dlcheck.fleet.render",
            "dlcheck.bench.render",
            "dlcheck.bench.versus",
            "dlcheck.lessondata.render",
        ],
    ),
    (
        "commands",
        [
            "dlcheck",  # the Python API, dlcheck.check()
            "dlcheck.__main__",
            "dlcheck.cli",
            "dlcheck.envs.cli",
            "dlcheck.bench.cli",
            "dlcheck.fleet.cli",
            "dlcheck.lessondata.cli",
        ],
    ),
]

# The one sanctioned way up: the record's display hooks (Report._repr_html_ and __repr__,
# the contract of issue 10) call the view layer, inside the method, at display time only.
# `env create`'s library entry (dlcheck.envs.create.create) prints through its default view,
# dlcheck.envs.render.CreateView, imported inside the function when no view is given.
DISPLAY_HOOKS = {("dlcheck.report", "views"), ("dlcheck.envs.create", "views")}


def module_files() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> dict[str, tuple[int, bool]]:
    """Every dlcheck module ``module`` imports, anywhere in it (function bodies included;
    ``if TYPE_CHECKING:`` blocks excluded, they never run): target -> (line, at top level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found: dict[str, tuple[int, bool]] = {}

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _type_checking(child):
                for sub in child.orelse:  # type: ignore[attr-defined]
                    visit(sub, top)
                continue
            targets: list[str | None] = []
            if isinstance(child, ast.Import):
                targets = [resolve(a.name) for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    pkg = module if path.name == "__init__.py" else module.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        pkg = pkg.rpartition(".")[0]
                    base = pkg + ("." + base if base else "")
                for a in child.names:
                    full = f"{base}.{a.name}"
                    targets.append(full if full in modules else resolve(base))
            for t in targets:
                if t and t != module and t.startswith("dlcheck"):
                    found.setdefault(t, (child.lineno, top))
            inner = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, top and not inner)

    visit(tree, True)
    return found


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (specificity, layer)
    for index, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if pattern.endswith(".*"):
                hit = module.startswith(pattern[:-1])
                score = len(pattern) - 2
            else:
                hit = module == pattern
                score = len(pattern) + 1
            if hit and (best is None or score > best[0]):
                best = (score, index)
    return None if best is None else best[1]


def graph() -> dict[str, dict[str, tuple[int, bool]]]:
    modules = module_files()
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def _hook(source: str, target: str, top: bool) -> bool:
    t = layer_of(target)
    return (
        not top
        and t is not None
        and any(source == s and LAYERS[t][0] == name for s, name in DISPLAY_HOOKS)
    )


def upward_imports(g: dict[str, dict[str, tuple[int, bool]]]) -> list[str]:
    out = []
    for source, targets in sorted(g.items()):
        s = layer_of(source)
        for target, (line, top) in sorted(targets.items()):
            t = layer_of(target)
            if s is None or t is None or t <= s or _hook(source, target, top):
                continue
            out.append(f"{source} ({LAYERS[s][0]}) imports {target} ({LAYERS[t][0]}), line {line}")
    return out


def cycles(g: dict[str, dict[str, tuple[int, bool]]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    edges = {
        m: [t for t, (_, top) in ts.items() if t in g and not _hook(m, t, top)]
        for m, ts in g.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for v in sorted(edges):
        if v not in index:
            strong(v)
    return out


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in module_files() if layer_of(m) is None)
    assert not missing, f"place these modules in a layer of LAYERS: {missing}"


def test_no_import_loop() -> None:
    assert cycles(graph()) == []


VIEW_MODULES = ("dlcheck.render.", "dlcheck.envs.render", "dlcheck.fleet.render")
JUDGEMENT_ONLY = ("dlcheck.envs.recommend", "dlcheck.support")


def test_views_only_format_the_plan() -> None:
    """Issue 18: the plan is built once in the judgement layer (dlcheck/plan.py); a check
    report's view neither picks a setup nor reads the support matrix while it renders."""
    g = graph()
    bad = [
        f"{source} imports {target}"
        for source, targets in g.items()
        if source.startswith(VIEW_MODULES) and source != "dlcheck.envs.render"
        for target in targets
        if target in JUDGEMENT_ONLY
    ]
    assert bad == []


def test_no_upward_import() -> None:
    assert upward_imports(graph()) == []


def test_the_checker_sees_what_it_must() -> None:
    """The checks above could pass by seeing nothing: they must see a function-level import,
    skip TYPE_CHECKING, and find a planted loop and a planted upward import."""
    g = graph()
    assert "dlcheck.pipeline" in g["dlcheck"]  # inside dlcheck.check()
    assert not g["dlcheck"]["dlcheck.pipeline"][1]
    assert "dlcheck.report" not in g["dlcheck"]  # only under TYPE_CHECKING
    planted = {k: dict(v) for k, v in g.items()}
    planted["dlcheck.records"]["dlcheck.verdict"] = (1, True)
    assert any("dlcheck.records" in c for c in cycles(planted))
    assert any(
        u.startswith("dlcheck.records (base) imports dlcheck.verdict")
        for u in upward_imports(planted)
    )


def test_features_register_sections_checks_and_views() -> None:
    from dlcheck.checks import CORE_CHECKS
    from dlcheck.features import CHECKS, FEATURES
    from dlcheck.profile import load_profile

    names = [f.name for f in FEATURES]
    assert sorted(names) == ["benchmark", "course_data", "environment", "frameworks", "kernels"]
    kinds = [k for f in FEATURES for k in f.checks]
    assert len(kinds) == len(set(kinds)) and not set(kinds) & set(CORE_CHECKS)
    assert set(CHECKS) == set(CORE_CHECKS) | set(kinds)
    for f in FEATURES:
        blank = f.section()
        assert f.section.from_dict(blank.to_dict()) == blank
    used = {r.check for r in load_profile().requirements}
    assert {"environment_lock", "training_time", "framework_works", "kernel_runs_course"} <= used


def test_importing_the_registry_starts_and_loads_nothing_heavy() -> None:
    code = (
        "import sys, dlcheck.features, dlcheck.pipeline;"
        "heavy = [m for m in ('dlcheck.frameworks.probe', 'dlcheck.envs.locks', "
        "'dlcheck.envs.verify', 'dlcheck.bench.results', 'yaml', 'numpy', 'tensorflow') "
        "if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("section", ["environment", "benchmark", "kernels"])
def test_feature_sections_hold_facts_not_verdicts(section: str) -> None:
    from dlcheck.features import feature

    fields = set(feature(section).section.__dataclass_fields__)
    assert not fields & {"verdict", "status", "grade"}


def test_framework_advice_lives_in_data() -> None:
    """Every next step the framework diagnoses name exists in the data file, and every entry
    there is used: the prose is data, the module only picks and fills it."""
    import re

    from dlcheck.frameworks.diagnose import _advice_table

    source = (PACKAGE / "frameworks" / "diagnose.py").read_text(encoding="utf-8")
    calls = set(re.findall(r'advice\(\s*"(\w+)",\s*"(\w+)"', source))
    table = _advice_table()
    have = {(g, k) for g, entries in table.items() for k in entries}
    assert calls and calls <= have, calls - have
    unused = {(g, k) for g, k in have if f'"{k}"' not in source}
    assert not unused, unused


def test_the_architecture_document_names_what_the_code_registers() -> None:
    """docs/architecture.md stays true: every feature, check kind of a feature and layer is
    named there, and every module it names in backticks as dlcheck/... exists."""
    import re

    from dlcheck.features import FEATURES

    doc = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for f in FEATURES:
        assert f"`{f.name}`" in doc
        for kind in f.checks:
            assert f"`{kind}`" in doc, kind
    for name, _ in LAYERS:
        assert f"| {name} |" in doc, name
    for path in re.findall(r"`(dlcheck/[\w/]+\.py)`", doc):
        assert (PACKAGE.parent / path).is_file(), path


def test_document_headers_only_through_with_header() -> None:
    """Issue 21: a JSON document's header (schema, schema_version, kind) is written by
    ``documents.with_header`` alone; no writer spells it out in a dict literal."""
    bad = []
    for module, path in module_files().items():
        if module == "dlcheck.documents":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            keys = {k.value for k in getattr(node, "keys", ()) if isinstance(k, ast.Constant)}
            if isinstance(node, ast.Dict) and {"schema", "schema_version"} <= keys:
                bad.append(f"{module}:{node.lineno}")
    assert bad == []


def test_one_toml_loader() -> None:
    """Issue 21: TOML is parsed in dlcheck/userfiles.py alone (``load_toml`` for a user's file
    or dlcheck/data, ``packaged_toml`` for data beside a feature's modules); no other module
    imports a TOML parser or the packaged-text reader of _compat. envs/lockmaking.py, the
    maintainers' lock tool, reads the repository's pyproject.toml, which is no packaged data."""
    parsers = {"tomllib", "tomli"}
    bad = []
    for module, path in module_files().items():
        if module in ("dlcheck.userfiles", "dlcheck._compat", "dlcheck.envs.lockmaking"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name in parsers or name == "dlcheck._compat":
                    bad.append(f"{module}:{node.lineno} imports {name}")
    assert bad == []


# Issue 21, the plug-in boundary: only dlcheck/features.py names a feature. The rule covers
# the spine (the "spine" layer of LAYERS: profile, verdict, plan, report, anonymize,
# pipeline) and the check report's view layer (dlcheck.render.*): no import in them, at top
# level or in a function body (``if TYPE_CHECKING:`` excluded), reaches a module of the
# feature packages below; they get the features' probes, sections, checks, view lines, logs
# and sibling inputs from dlcheck.features. Not covered: the features' own modules and their
# own views and commands (envs/render, bench/render, bench/versus, fleet/render, */cli), the
# commands layer (dlcheck.cli lazily registers the feature commands by name), and the facts
# and judgement layers below the registry.
FEATURE_PACKAGES = (
    "dlcheck.bench",
    "dlcheck.envs",
    "dlcheck.frameworks",
    "dlcheck.fleet",
    "dlcheck.kernels",
)


def _bound_by_the_registry(module: str) -> bool:
    spine = dict(LAYERS)["spine"]
    return module in spine or module.startswith("dlcheck.render.")


def feature_imports(g: dict[str, dict[str, tuple[int, bool]]]) -> set[tuple[str, str]]:
    return {
        (source, target)
        for source, targets in g.items()
        if _bound_by_the_registry(source)
        for target in targets
        if target != "dlcheck.features"
        and any(target == p or target.startswith(p + ".") for p in FEATURE_PACKAGES)
    }


def test_only_the_registry_names_a_feature() -> None:
    found = feature_imports(graph())
    assert found == set()


def test_the_feature_rule_sees_what_it_must() -> None:
    """The rule could pass by seeing nothing: it must catch a planted import in a view and in
    a function body of the spine, and leave the features' own views alone."""
    g = graph()
    planted = {k: dict(v) for k, v in g.items()}
    planted["dlcheck.render.text"]["dlcheck.frameworks.summary"] = (1, True)
    planted["dlcheck.pipeline"]["dlcheck.bench.facts"] = (1, False)
    planted["dlcheck.bench.render"]["dlcheck.bench.grading"] = (1, True)
    new = feature_imports(planted) - feature_imports(g)
    assert new == {
        ("dlcheck.render.text", "dlcheck.frameworks.summary"),
        ("dlcheck.pipeline", "dlcheck.bench.facts"),
    }
