"""The architecture, checked: imports point inward, no import circles, small modules.

Reads the source (ast); nothing is imported or executed. Layers from inner to outer:

    domain < workflows < config < adapters < services < activities < api | worker | devstack < oms

A module may import its own layer and any inner one; `api`, `worker` and `devstack` share a rank but do
not import each other; `workflows` imports no I/O library (it runs in Temporal's sandbox). Every import
counts, inside functions and under TYPE_CHECKING too. `python -m tests.test_architecture` prints the
report.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).parent.parent
LAYERS: list[tuple[str, ...]] = [
    ("domain",),
    ("workflows",),
    ("config",),
    ("adapters",),
    ("services",),
    ("activities",),
    ("api", "worker", "devstack"),
    ("oms",),
]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
OUTSIDE = ("tests", "bench")  # local code no layer may import
IO_LIBRARIES = ("sqlalchemy", "psycopg", "httpx", "twilio", "sendgrid", "fastapi")
MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (the most specific one that exists), or the library's top name
    line: int

    @property
    def where(self) -> str:
        return f"{_path(self.source)}:{self.line}"


def _modules() -> Iterator[tuple[str, Path]]:
    for package in RANK:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


@cache
def modules() -> dict[str, Path]:
    return dict(_modules())


def _path(module: str) -> str:
    return str(modules()[module].relative_to(ROOT))


def _is_package(module: str) -> bool:
    return modules()[module].name == "__init__.py"


def _resolve(name: str) -> str:
    """The project module `name` refers to: itself, or the nearest enclosing module that exists."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules():
        parts.pop()
    return ".".join(parts) if parts else name


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if _is_package(module) else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def imports() -> list[Import]:
    found: list[Import] = []
    for module, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                origin = _absolute(module, node)
                names = [f"{origin}.{alias.name}" for alias in node.names] if origin else []
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                target = _resolve(name) if top in RANK else top
                if target != module:
                    found.append(Import(module, target, node.lineno))
    return found


def _package(module: str) -> str:
    return module.split(".")[0]


def layer_violations() -> list[str]:
    problems = []
    for edge in imports():
        source, target = _package(edge.source), _package(edge.target)
        if target in OUTSIDE:
            problems.append(f"{edge.where}: {edge.source} imports {edge.target} (test or bench code)")
        elif target in RANK and RANK[target] > RANK[source]:
            problems.append(
                f"{edge.where}: {edge.source} ({source}, rank {RANK[source]}) imports outer "
                f"{edge.target} ({target}, rank {RANK[target]})"
            )
        elif target in RANK and target != source and RANK[target] == RANK[source]:
            problems.append(
                f"{edge.where}: {edge.source} imports {edge.target} ({source} and {target} stay apart)"
            )
        elif source == "workflows" and target in IO_LIBRARIES:
            problems.append(f"{edge.where}: {edge.source} imports the I/O library {target}")
    return sorted(set(problems))


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {module: set() for module in modules()}
    for edge in imports():
        if edge.target in modules():
            edges[edge.source].add(edge.target)
    return edges


def circles() -> list[list[str]]:
    """Each group of modules that import each other (Tarjan's strongly connected components), as one
    shortest circle through its first module."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(edges[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: set[str] = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(_shortest_circle(edges, component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def _shortest_circle(edges: dict[str, set[str]], component: set[str]) -> list[str]:
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for successor in sorted(edges[node] & component):
            if successor == start:
                return [*paths[node], start]
            if successor not in paths:
                paths[successor] = [*paths[node], successor]
                queue.append(successor)
    raise AssertionError(f"no circle in {component}")


def _line_count(path: Path) -> int:
    return len(path.read_text().splitlines())


def large_modules() -> list[str]:
    roots = [*RANK, "bench"]
    paths = [path for root in roots for path in sorted((ROOT / root).rglob("*.py"))]
    return [
        f"{path.relative_to(ROOT)}: {lines} lines (at most {MAX_LINES})"
        for path in paths
        if "migrations" not in path.parts and (lines := _line_count(path)) > MAX_LINES
    ]


def report() -> str:
    by_package: dict[str, list[str]] = {}
    for module in modules():
        by_package.setdefault(_package(module), []).append(module)
    rows = [f"{'rank':<5} {'layer':<11} {'modules':>7} {'lines':>6}  may import"]
    for rank, packages in enumerate(LAYERS):
        inner = [p for r, ps in enumerate(LAYERS) if r < rank for p in ps]
        for package in packages:
            members = by_package.get(package, [])
            lines = sum(_line_count(modules()[m]) for m in members)
            allowed = ", ".join(inner) if inner else "(standard library and pure libraries)"
            rows.append(f"{rank:<5} {package:<11} {len(members):>7} {lines:>6}  {allowed}")
    sizes = {m: _line_count(path) for m, path in modules().items() if "migrations" not in path.parts}
    largest = max(sizes, key=sizes.__getitem__)
    local = [edge for edge in imports() if edge.target in modules()]
    rows.append(
        f"{len(modules())} modules, {len(local)} imports between them: {len(layer_violations())} against "
        f"the layers, {len(circles())} circles, {len(large_modules())} modules over {MAX_LINES} lines; "
        f"largest {_path(largest)} ({sizes[largest]} lines)"
    )
    return "\n".join(rows)


def test_imports_point_inward() -> None:
    print(f"\n{report()}")  # shown with -s or -rP, and on failure
    problems = layer_violations()
    assert not problems, f"{len(problems)} import(s) against the layers:\n" + "\n".join(problems)


def test_no_module_imports_itself_through_others() -> None:
    found = circles()
    assert not found, f"{len(found)} import circle(s):\n" + "\n".join(" → ".join(c) for c in found)


def test_modules_stay_small() -> None:
    problems = large_modules()
    assert not problems, f"{len(problems)} module(s) too long:\n" + "\n".join(problems)


def test_the_checks_see_what_they_should() -> None:
    """The walk finds the code: every layer has modules, and imports are resolved to modules."""
    assert all(any(_package(m) == package for m in modules()) for package in RANK)
    assert "domain.stock" in graph()["adapters.db.stock"]  # `from domain.stock import ...`
    assert "adapters.db.stock" in graph()["adapters.db.routing"]  # `from adapters.db.stock import ...`


if __name__ == "__main__":
    print(report())
    for problem in [*layer_violations(), *(" → ".join(c) for c in circles()), *large_modules()]:
        print(problem)
