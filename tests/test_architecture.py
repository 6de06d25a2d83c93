"""The code's shape: imports point one way, stage by stage, and nothing imports in a circle.

Every import counts, those inside functions and under ``if TYPE_CHECKING:`` too: a cycle hidden
in a function is still a cycle for a reader.
"""

from __future__ import annotations

import ast

from .conftest import ROOT

PACKAGE = ROOT / "sb3inspect"

STAGES = (
    ("base", ("sb3inspect.errors", "sb3inspect.catalog", "sb3inspect.caught")),
    ("sources", ("sb3inspect.sources",)),
    ("build", ("sb3inspect.build",)),
    ("report", ("sb3inspect.report",)),
    ("analysis", ("sb3inspect.analysis",)),
    ("render", ("sb3inspect.render",)),
    (
        "top",
        (
            "sb3inspect.pipeline",
            "sb3inspect.api",
            "sb3inspect.callbacks",
            "sb3inspect.diagram",
            "sb3inspect.cli",
            "sb3inspect.__main__",
            "sb3inspect",
        ),
    ),
)
"""In the order data flows; a module may import its own stage and earlier ones, never a later one."""


def modules() -> dict[str, str]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path.read_text()
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the sb3inspect modules it imports (a package, for names read from its ``__init__``)."""
    texts = modules()
    graph: dict[str, set[str]] = {name: set() for name in texts}
    for name, text in texts.items():
        package = (
            name if (PACKAGE / "/".join(name.split(".")[1:]) / "__init__.py").exists() else name.rpartition(".")[0]
        )
        for node in ast.walk(ast.parse(text)):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                # ``from pkg import sub`` imports the module ``pkg.sub``; ``from pkg import name`` runs pkg/__init__
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in texts else base for alias in node.names]
            for target in targets:
                while target and target not in texts:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def stage_of(module: str) -> int:
    best, index = -1, -1
    for position, (_, prefixes) in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, index = len(prefix), position
    return index


def test_every_module_has_a_stage() -> None:
    assert [m for m in modules() if stage_of(m) < 0] == []


def test_imports_never_point_to_a_later_stage() -> None:
    backwards = [
        f"{module} ({STAGES[stage_of(module)][0]}) imports {target} ({STAGES[stage_of(target)][0]})"
        for module, targets in import_graph().items()
        for target in sorted(targets)
        if stage_of(target) > stage_of(module)
    ]
    assert backwards == []


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles: list[str] = []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_checks_catch_a_backward_import(tmp_path) -> None:
    """The graph sees function-level imports (a guard against the test passing vacuously)."""
    graph = import_graph()
    assert "sb3inspect.build.meta" in graph["sb3inspect.build.shapes"]  # imported inside probe_shapes' helper
    assert "sb3inspect.report.model" in graph["sb3inspect.render.table"]
