"""The house's layering, measured on the code: no import cycle, no import from a lower layer upward.

The layers, lowest first, are those of docs/architecture.md's folder map. A module may import
from its own subpackage and from any lower layer; every import counts, at the top of a module or
inside a function, ``TYPE_CHECKING`` ones included (a cycle for the type checker is a cycle for
the reader too).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "nianbao"

LAYERS = [  # lowest first; one entry per layer, several subpackages may share one
    {"domain", "disk"},
    {"reading"},
    {"checks"},
    {"packaging"},
    {"pages"},
    {"publishing"},
    {"incremental"},
    {"console", "pipeline", "plain"},
    {"preview", "importing"},
    {"cli"},
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules ``name`` imports (``from x import y`` counts ``x.y`` when it is one)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for alias in node.names:
                target = f"{base}.{alias.name}"
                out.add(target if target in modules else base)
    return {m for m in out if m in modules and m != name and m != "nianbao"}


def _layer(module: str) -> int:
    group = module.split(".")[1] if "." in module else module
    for i, layer in enumerate(LAYERS):
        if group in layer:
            return i
    raise AssertionError(f"{module}: in no layer of LAYERS (add its subpackage to the map)")


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_every_module_is_in_a_layer():
    for name in _graph():
        if name != "nianbao":
            _layer(name)


def test_no_module_imports_a_higher_layer():
    upward = sorted(f"{a} -> {b}" for a, deps in _graph().items() if a != "nianbao"
                    for b in deps if _layer(b) > _layer(a))
    assert upward == []


STAGES = ("reading", "checks", "packaging", "pages", "publishing")


def test_stages_never_see_the_engine():
    """The stages take data and return data: no memo, emitter, report store or child in them
    (the incremental engine alone decides what is made again, and where)."""
    seen = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name in STAGES:
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(node, "id", None) or getattr(node, "attr", None)
                if name in ("Memo", "Emitter", "ReportStore", "memo", "store"):
                    seen.append(f"{path.parent.name}/{path.name}:{node.lineno}: {name}")
    assert seen == []


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                cycles.append(" -> ".join(stack[stack.index(dep):] + [dep]))
            elif dep not in state:
                visit(dep, stack + [dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_subpackages_say_what_they_hold():
    for path in sorted(PACKAGE.rglob("*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{path.relative_to(PACKAGE.parent)}: no docstring saying what it holds"
