"""The package's layers and their one-way imports (docs/architecture.md), held by an
AST walk over every module, deferred imports inside functions included.

    maths       numpy only; imports nothing else of ours and no model or display library
    explainers  imports maths
    views       imports maths and explainers
    paper       imports all three

No import cycles, and the size rules of the design: no module over 400 lines, no function over 80
(docstrings not counted).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "intershap_widget"
ROOT = "intershap_widget"

#: which of our layers each layer may import (itself always)
ALLOWED = {
    "maths": set(),
    "explainers": {"maths"},
    "views": {"maths", "explainers"},
    "paper": {"maths", "explainers", "views"},
}
#: third-party libraries a layer must never import
FORBIDDEN_THIRD_PARTY = {
    "maths": {"torch", "sklearn", "anywidget", "ipywidgets", "traitlets", "matplotlib", "IPython", "PIL", "tqdm"},
    "explainers": {"anywidget", "ipywidgets", "traitlets", "matplotlib", "IPython", "PIL"},
}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Absolute names of every module ``source`` imports: ``[(line, name)]``."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            # "from pkg import sub" may import a submodule: record pkg.sub for our own package
            if name.startswith(ROOT):
                out += [(node.lineno, f"{name}.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, name))
    return out


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == ROOT and parts[1] in ALLOWED else None


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every import of ``source`` (module ``module``) that breaks the layer contract."""
    layer = layer_of(module)
    if layer is None:  # the package root and CLI shims sit above the layers
        return []
    bad = []
    for line, name in imported_modules(source, module, is_package):
        top = name.split(".")[0]
        target = layer_of(name)
        if top == ROOT and target is None and name not in (ROOT,):
            # a name imported from the package root itself, e.g. "from intershap_widget import explain"
            bad.append(f"{module}:{line} imports {name} from the package root (import it from its layer)")
        elif target is not None and target != layer and target not in ALLOWED[layer]:
            bad.append(f"{module}:{line} imports {name}: {layer} may not import {target}")
        elif top in FORBIDDEN_THIRD_PARTY.get(layer, ()):
            bad.append(f"{module}:{line} imports {name}: the {layer} layer never imports {top}")
    return bad


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "static" in path.parts:
            continue
        yield path, path.read_text(encoding="utf-8")


def test_every_module_belongs_to_a_layer():
    loose = [
        _module_name(p) for p, _ in _sources()
        if layer_of(_module_name(p)) is None and _module_name(p) not in (ROOT, f"{ROOT}.notebooks")
    ]
    assert loose == [], f"modules outside the four layers: {loose}"


def test_imports_point_one_way():
    bad = []
    for path, source in _sources():
        bad += violations(source, _module_name(path), path.name == "__init__.py")
    assert bad == [], "layer contract broken:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "module, source, expected",
    [
        ("intershap_widget.maths.result", "from ..views.magic import result_mimebundle\n", "maths may not import views"),
        ("intershap_widget.maths.scores", "def f():\n    import intershap_widget.explainers.exact\n", "maths may not import explainers"),
        ("intershap_widget.explainers.exact", "from ..paper import datasets\n", "explainers may not import paper"),
        ("intershap_widget.views.widget", "from ..paper.fusion import make_model\n", "views may not import paper"),
        ("intershap_widget.maths.games", "import torch\n", "the maths layer never imports torch"),
        ("intershap_widget.explainers.maskers", "from matplotlib import pyplot\n", "the explainers layer never imports matplotlib"),
        ("intershap_widget.views.magic", "from intershap_widget import explain\n", "from the package root"),
    ],
)
def test_an_upward_import_is_caught(module, source, expected):
    found = violations(source, module)
    assert len(found) == 1 and expected in found[0], found


def test_allowed_imports_pass():
    assert violations("from ..maths import games\nfrom . import maskers\nimport numpy\n", "intershap_widget.explainers.exact") == []
    assert violations("from .. import maths\nfrom ..explainers.sampling import SampledResult\n", "intershap_widget.views.widget") == []
    assert violations("from . import games\n", "intershap_widget.maths", is_package=True) == []


def test_maths_imports_no_model_or_display_library():
    """Importing the maths layer in a fresh interpreter loads none of torch, matplotlib, anywidget."""
    import subprocess

    maths = [_module_name(p) for p, _ in _sources() if layer_of(_module_name(p)) == "maths"]
    # the package root imports every layer: stand in an empty root so only maths loads
    code = (
        "import sys, types, importlib\n"
        f"root = types.ModuleType('{ROOT}'); root.__path__ = [{str(PACKAGE)!r}]\n"
        f"sys.modules['{ROOT}'] = root\n"
        f"for m in {maths!r}:\n"
        "    importlib.import_module(m)\n"
        "print(sorted({n.split('.')[0] for n in sys.modules} & {'torch', 'matplotlib', 'anywidget', 'ipywidgets', 'sklearn'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
    assert out.stdout.strip() == "[]", out.stdout


def _code_lines(node: ast.FunctionDef) -> int:
    """Lines of a function without its docstring (a long docstring is welcome)."""
    length = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        length -= first.end_lineno - first.lineno + 1
    return length


def test_small_modules_and_functions():
    long_modules, long_functions = [], []
    for path, source in _sources():
        n = source.count("\n")
        if n > MAX_MODULE_LINES:
            long_modules.append(f"{_module_name(path)} ({n} lines)")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = _code_lines(node)
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{_module_name(path)}.{node.name} ({length} lines)")
    assert long_modules == [] and long_functions == [], (long_modules, long_functions)


def import_graph(sources: list[tuple[str, str, bool]]) -> dict[str, set[str]]:
    """``{module: modules of ours it imports}`` (deferred imports included), for
    ``sources`` given as ``(module, source, is_package)``; a name imported from a module
    (``from .x import f``) counts as an import of that module."""
    known = {module for module, _, _ in sources}
    graph: dict[str, set[str]] = {module: set() for module in known}
    for module, source, is_package in sources:
        for _, name in imported_modules(source, module, is_package):
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                graph[module].add(name)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan), each sorted: modules
    that import each other, directly or around a loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _package_sources() -> list[tuple[str, str, bool]]:
    return [(_module_name(p), s, p.name == "__init__.py") for p, s in _sources()]


def test_no_import_cycles():
    """No two modules import each other, directly or around a loop, deferred imports
    included (a package's ``__init__`` may import its modules: they name each other, never
    the package)."""
    cycles = import_cycles(import_graph(_package_sources()))
    assert cycles == [], f"import cycles: {cycles}"


def test_an_import_cycle_is_caught():
    sources = [
        ("intershap_widget.explainers.a", "from .b import f\n", False),
        ("intershap_widget.explainers.b", "def g():\n    from .c import h\n", False),
        ("intershap_widget.explainers.c", "from intershap_widget.explainers import a\n", False),
        ("intershap_widget.explainers.d", "from .a import f\n", False),
    ]
    assert import_cycles(import_graph(sources)) == [[f"intershap_widget.explainers.{x}" for x in "abc"]]
    assert import_cycles(import_graph(sources[:2] + sources[3:])) == []
