"""The layers of ``tui/``, read from its folders: who may import whom, and no import cycle anywhere.

Every module belongs to the layer of its folder under ``tui/`` (``tui/core/store/rows.py`` -> ``core``); a
module directly in ``tui/`` is a layer of its own (``cli``, ``screenshots``, ``__main__``; ``tui`` for
the package's ``__init__``). Every import counts: top-level, inside a function, under
``TYPE_CHECKING``, so none of them can hide a cycle or a reach upwards.

The rules (data below):
- ``TIERS``, lowest first: a module imports its own tier or a lower one, never a higher one. The
  layers of one tier may import each other (module cycles are still refused).
- ``APART``: a layer outside the stack (the simulator: a fake AWS that knows nothing of cptui) imports
  only the layers listed, and only the layers listed as its users import it.
- ``NO_TEXTUAL``: never ``textual``. ``core`` may use Rich's value types (``rich.text.Text``,
  ``rich.cells``, ``rich.color``) to format text; ``NO_RICH`` layers use none of Rich either.
- No cycle between modules (strongly connected components of the import graph).
A folder added under ``tui/`` fails the test until it is placed here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import tui

TIERS: tuple[frozenset[str], ...] = (
    frozenset({"tui"}),  # tui/__init__.py: the version
    frozenset({"core", "aws"}),  # the Textual-free domain (model, store, policy, ...) and its AWS boundary
    frozenset({"events"}),  # push mode: EventBridge -> SQS set-up and the queue consumer
    frozenset({"ui"}),  # screens, dialogs, widgets; they reach the app only through ui/host.py
    frozenset({"app"}),  # the Textual App and its controllers
    frozenset({"serve"}),  # cptui serve: the app in a browser (textual-serve), started by the cli
    frozenset({"cli", "__main__", "screenshots"}),  # entry points
)
APART: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # layer: (what it may import, who may import it)
    "sim": (frozenset({"tui"}), frozenset({"cli", "screenshots"})),
}
NO_TEXTUAL = frozenset({"tui", "core", "aws", "events", "sim"})
NO_RICH = frozenset({"tui", "aws", "events", "sim"})

ROOT = Path(tui.__file__).resolve().parent


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module under tui/."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = ["tui", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = module_files()


def layer_of(module: str) -> str:
    parts = module.split(".")
    return "tui" if len(parts) == 1 else parts[1]


def imports_of(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import in the file, wherever it is written."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                child = f"{base}.{alias.name}"
                yield (child if child in MODULES else base), node.lineno


def edges() -> dict[str, set[tuple[str, int]]]:
    out: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for module, path in MODULES.items():
        for imported, line in imports_of(module, path):
            out[module].add((imported, line))
    return out


EDGES = edges()


def tier_of(layer: str) -> int:
    for index, tier in enumerate(TIERS):
        if layer in tier:
            return index
    raise LookupError(layer)


def test_every_folder_of_tui_is_placed_in_a_layer() -> None:
    placed = set().union(*TIERS, APART)
    layers = {layer_of(m) for m in MODULES}
    assert layers - placed == set(), "place the new folder or module in TIERS or APART"
    assert {"core", "aws", "ui", "app", "sim"} <= layers  # (the test reads the real tree)


def where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(ROOT.parent)}:{line} {module}"


def test_no_layer_imports_one_above_it() -> None:
    wrong: list[str] = []
    for module, imported in EDGES.items():
        mine = layer_of(module)
        for name, line in imported:
            if name.split(".")[0] != "tui" or name not in MODULES:
                continue
            theirs = layer_of(name)
            if theirs == mine:
                continue
            if mine in APART:
                allowed = theirs in APART[mine][0]
            elif theirs in APART:
                allowed = mine in APART[theirs][1]
            else:
                allowed = tier_of(theirs) <= tier_of(mine)
            if not allowed:
                wrong.append(f"{where(module, line)} ({mine}) -> {name} ({theirs})")
    assert wrong == [], "\n".join(sorted(wrong))


def test_the_lower_layers_do_not_import_textual_and_core_only_rich_values() -> None:
    wrong: list[str] = []
    for module, imported in EDGES.items():
        layer = layer_of(module)
        for name, line in imported:
            top = name.split(".")[0]
            if (top == "textual" and layer in NO_TEXTUAL) or (top == "rich" and layer in NO_RICH):
                wrong.append(f"{where(module, line)} -> {name}")
            if top == "rich" and layer == "core" and name not in {"rich.text", "rich.cells", "rich.color"}:
                wrong.append(f"{where(module, line)} -> {name} (not a value type)")
    assert wrong == [], "\n".join(sorted(wrong))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_anywhere() -> None:
    graph = {m: {name for name, _ in EDGES[m] if name in MODULES and name != m} for m in MODULES}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_a_package_in_a_layer_is_of_that_layer_and_its_modules_skip_its_init() -> None:
    """``tui/core/model/`` and the like: every module of the package is of its folder's layer, and
    none imports the package itself (its ``__init__`` names them all: that would be a cycle)."""
    packages = [m for m, path in MODULES.items() if path.name == "__init__.py" and m.count(".") >= 2]
    assert "tui.core.model" in packages  # (the test reads the real tree)
    wrong: list[str] = []
    for package in packages:
        for module in (m for m in MODULES if m.startswith(f"{package}.")):
            if layer_of(module) != layer_of(package):
                wrong.append(f"{module} is not of {layer_of(package)}")
            wrong += [
                f"{where(module, line)} imports its package"
                for name, line in EDGES[module]
                if name == package
            ]
    assert wrong == [], "\n".join(wrong)
