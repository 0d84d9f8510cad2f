"""The package map, enforced: imports run one way only, with no cycles and no private imports.

A module may import its own package, or a package in a lower layer; never one beside it or
above it. The layers are the README's package map.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Lowest first. Packages in one layer do not import each other.
LAYERS = [
    {"extensions", "config", "clock", "mail", "security"},  # infrastructure
    {"audit"},                          # records every layer writes in its own commit
    {"accounts"},                       # organisations, users, roles, settings, sign-in
    {"procurement"},                    # the base: models, the one access policy, rules
    {"evaluation"},                     # criteria, panel, scoring, moderation, results
    {"interchange", "decisions"},       # the workbook; the note, sign-off, letters
    {"publication"},                    # notices published, public pages, OCDS open data
    {"home", "demo", "templating"},     # composition: pages and data over everything
    {"app"},                            # the factory
    {"bench"},                          # `make bench`
]
LAYER_OF = {name: i for i, names in enumerate(LAYERS) for name in names}

# Rule modules: plain functions over plain values, importing neither Flask nor the ORM.
PURE = [
    "evaluation/results/values.py", "evaluation/results/ranking.py",
    "evaluation/results/robustness.py", "evaluation/results/engine.py",
    "evaluation/results/table_csv.py", "evaluation/rules.py",
    "procurement/standstill.py", "procurement/thresholds.py", "procurement/setup_rules.py",
    "procurement/formatting.py", "procurement/policy.py", "procurement/lifecycle.py",
    "procurement/timeline.py",
    "decisions/note/numbering.py", "decisions/signoff/rules.py", "audit/chain.py",
    "procurement/notices/rules.py", "procurement/notices/periods.py",
    "procurement/notices/filetypes.py", "publication/ocds.py",
    "decisions/signoff/retry.py", "decisions/letters/rules.py",
    "procurement/cpv.py", "procurement/setup/rules.py",
    "interchange/workbook_limits.py", "decisions/annexes/pdf_safety.py",
    "accounts/passwords.py", "accounts/session_rules.py",
    "accounts/admin/rules.py", "accounts/registration_rules.py",
    "procurement/bids/rules.py", "procurement/bids/opening_rules.py",
    "procurement/selection/rules.py", "procurement/selection/financial_rules.py",
    "audit/describe.py", "decisions/markup.py", "decisions/note/wording.py",
]
FRAMEWORK = {"flask", "flask_sqlalchemy", "sqlalchemy", "flask_login", "flask_wtf", "extensions"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {"tests", "migrations", ".venv", "node_modules", "instance", "tools"}:
            continue
        if rel.parts[0].startswith("."):
            continue
        name = ".".join(rel.with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _imports(path: Path, module: str) -> list[tuple[str, list[str], int]]:
    """(imported module, names imported from it, line) for every import, at any depth."""
    out = []
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            out.append((base, [a.name for a in node.names], node.lineno))
    return out


def _resolve(target: str, names: list[str]) -> list[str]:
    """The project modules an import loads: `from pkg import mod` loads pkg.mod."""
    hits = []
    for n in names:
        if f"{target}.{n}" in MODULES:
            hits.append(f"{target}.{n}")
    if target in MODULES and len(hits) < max(len(names), 1):
        hits.append(target)
    return hits


def _edges():
    for module, path in MODULES.items():
        for target, names, line in _imports(path, module):
            if target.split(".")[0] in LAYER_OF:
                for resolved in _resolve(target, names):
                    yield module, resolved, names, line


def test_every_top_level_package_has_a_layer():
    tops = {m.split(".")[0] for m in MODULES}
    assert tops <= set(LAYER_OF), f"add these to LAYERS and the README map: {tops - set(LAYER_OF)}"


def test_imports_run_one_way():
    wrong = []
    for module, target, _, line in _edges():
        src, dst = module.split(".")[0], target.split(".")[0]
        if src == dst:
            continue
        if LAYER_OF[dst] >= LAYER_OF[src]:
            wrong.append(f"{MODULES[module].relative_to(ROOT)}:{line} {module} imports {target}")
    assert not wrong, "imports against the package map:\n" + "\n".join(wrong)


def test_no_import_cycles():
    graph: dict[str, set[str]] = {}
    for module, target, _, _ in _edges():
        if target != module and not module.startswith(target + "."):
            graph.setdefault(module, set()).add(target)
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_no_private_names_imported_from_another_module():
    private = [f"{MODULES[m].relative_to(ROOT)}:{line} imports {n} from {t}"
               for m, t, names, line in _edges() for n in names
               if n.startswith("_") and not n.startswith("__") and t != m]
    assert not private, "\n".join(private)


@pytest.mark.parametrize("path", PURE)
def test_rule_modules_import_neither_flask_nor_the_orm(path):
    source = ROOT / path
    imported = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            imported.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FRAMEWORK, f"{path} imports {imported & FRAMEWORK}"


def test_the_checker_sees_a_wrong_import(tmp_path):
    """The rules above can fail: an upward import is caught."""
    fake = tmp_path / "m.py"
    fake.write_text("from evaluation.results.engine import compute_lot\n")
    (target, names, _), = _imports(fake, "procurement.m")
    assert LAYER_OF[target.split(".")[0]] > LAYER_OF["procurement"]


def test_one_clock():
    """Today and now come from clock.py only, so tests and rules agree on what time it is."""
    calls = []
    for module, path in MODULES.items():
        if module == "clock":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in {"today", "now", "utcnow"} \
                    and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id in {"date", "datetime"}:
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not calls, "use clock.today() / clock.utcnow():\n" + "\n".join(calls)
