"""Architecture rules of the package, checked on its source.

Import cycles: every module of the installed package (``regioncount/`` and ``cli/``, which is
installed as ``regioncount.cli``) is parsed, and every import statement in it counts, the ones
inside functions (lazy imports) and under ``if TYPE_CHECKING`` included. ``from pkg import name``
is an edge to ``pkg.name`` when that is a module, else to ``pkg`` (its ``__init__``); importing
``a.b.c`` is an edge to ``a.b.c`` only (not to the ``__init__`` of its parents, which every
submodule import runs and which would make every re-exporting ``__init__`` a cycle).

Run as a script (``python tests/test_architecture.py``) it prints the cycles it finds.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Top-level name -> source folder (setup.cfg ``package_dir``: cli/ is regioncount.cli).
PACKAGE_DIRS = {"regioncount": ROOT / "regioncount", "regioncount.cli": ROOT / "cli"}


# -- the import graph ---------------------------------------------------------------------------

def package_modules(package_dirs: dict[str, Path]) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (source file, is a package ``__init__``) for every ``.py`` file."""
    out: dict[str, tuple[Path, bool]] = {}
    for top, folder in package_dirs.items():
        for path in sorted(folder.rglob("*.py")):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            is_pkg = parts[-1] == "__init__"
            if is_pkg:
                parts = parts[:-1]
            out[".".join([top] + parts)] = (path, is_pkg)
    return out


def _resolve(name: str, modules) -> str | None:
    """The longest prefix of dotted ``name`` that is a module of the package, or None."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        cand = ".".join(parts[:k])
        if cand in modules:
            return cand
    return None


def _base_of(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    """The absolute package named by ``from <dots><module> import``."""
    if not node.level:
        return node.module or ""
    pkg = module.split(".") if is_pkg else module.split(".")[:-1]
    pkg = pkg[: len(pkg) - (node.level - 1)]
    return ".".join(pkg + ([node.module] if node.module else []))


def module_imports(module: str, path: Path, is_pkg: bool, modules) -> set[str]:
    """The package modules that ``module`` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(_resolve(a.name, modules) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _base_of(node, module, is_pkg)
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.add(sub if sub in modules else _resolve(base, modules))
    found.discard(None)
    found.discard(module)        # `from . import x` inside a package's own __init__
    return found


def import_graph(package_dirs: dict[str, Path] = PACKAGE_DIRS) -> dict[str, set[str]]:
    """Module -> the package modules it imports (lazy imports included)."""
    modules = package_modules(package_dirs)
    return {m: module_imports(m, p, is_pkg, modules) for m, (p, is_pkg) in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each
    sorted; a module importing itself is not counted (``module_imports`` drops it)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return sorted(out)


def _cycle_path(graph: dict[str, set[str]], comp: list[str]) -> list[str]:
    """One closed import path inside the component ``comp`` (for the failure message)."""
    members = set(comp)
    path = [comp[0]]
    seen = {comp[0]: 0}
    while True:
        nxt = min(w for w in graph[path[-1]] if w in members)
        if nxt in seen:
            return path[seen[nxt]:] + [nxt]
        seen[nxt] = len(path)
        path.append(nxt)


# -- tests --------------------------------------------------------------------------------------

def test_import_cycles_none_in_the_package():
    graph = import_graph()
    assert "regioncount.enumeration.tree" in graph and "regioncount.cli.main" in graph
    cycles = import_cycles(graph)
    assert not cycles, "import cycles (lazy imports included):\n" + "\n".join(
        " -> ".join(_cycle_path(graph, c)) for c in cycles)


def test_import_cycles_checker_sees_lazy_and_relative_imports(tmp_path):
    # a -> b at module level, b -> a inside a function (relative), c -> b only: one cycle {a, b}
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from .a import f\n")
    (pkg / "a.py").write_text("from .sub import b\n\ndef f():\n    return b.g()\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "b.py").write_text("def g():\n    from ..a import f\n    return f\n")
    (pkg / "c.py").write_text("import pkg.sub.b\nfrom pkg import a as _a\n")
    graph = import_graph({"pkg": pkg})
    assert graph["pkg"] == {"pkg.a"}
    assert graph["pkg.a"] == {"pkg.sub.b"}
    assert graph["pkg.sub.b"] == {"pkg.a"}
    assert graph["pkg.c"] == {"pkg.sub.b", "pkg.a"}
    assert import_cycles(graph) == [["pkg.a", "pkg.sub.b"]]
    assert _cycle_path(graph, ["pkg.a", "pkg.sub.b"]) == ["pkg.a", "pkg.sub.b", "pkg.a"]
    # without the lazy import there is no cycle
    (pkg / "sub" / "b.py").write_text("def g():\n    return 1\n")
    assert import_cycles(import_graph({"pkg": pkg})) == []


if __name__ == "__main__":
    g = import_graph()
    cyc = import_cycles(g)
    for c in cyc:
        print(" -> ".join(_cycle_path(g, c)))
    print(f"{len(g)} modules, {sum(map(len, g.values()))} imports, {len(cyc)} cycles")
    sys.exit(1 if cyc else 0)
