"""The layers import downward only: nn ← data ← training ← lessons ← live ← bench/cli, and no module circles.

Two checks: one reads every module's imports from its source (``ast``), so an upward
arrow fails with the module and the import named; the other imports the engine in a
fresh interpreter and looks at ``sys.modules``, so nothing web-shaped sneaks in
through a third-party package either.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
WEB = ("fastapi", "starlette", "pydantic", "pydantic_settings", "uvicorn", "jinja2", "websockets", "httpx")
SERVING = (*WEB, "asyncio", "redis", "prometheus_client", "segno")  # what only live, bench and cli may import
ENGINE = ["app.nn", "app.training.config", "app.training.session", "app.training.snapshot",
          "app.training.persistence", "app.training.trace", "app.training.boundary", "app.training.evaluation",
          "app.data.split", "app.data.datasets", "app.data.features", "app.errors"]

# layer → the layers of app it may import (besides itself)
ALLOWED: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "i18n": frozenset({"errors"}),  # the message catalogues: every layer may word its texts with them
    "nn": frozenset(),
    "data": frozenset({"nn", "errors", "i18n"}),
    "training": frozenset({"nn", "data", "errors", "i18n"}),
    "lessons": frozenset({"nn", "data", "training", "errors", "i18n"}),
    "live": frozenset({"nn", "data", "training", "lessons", "errors", "i18n"}),
    "bench": frozenset({"nn", "data", "training", "lessons", "live", "errors", "i18n"}),
    "cli": frozenset({"nn", "data", "training", "lessons", "live", "bench", "errors", "i18n"}),
    "__main__": frozenset({"cli"}),
    "__init__": frozenset(),
}
MAY_SERVE = frozenset({"live", "bench", "cli"})


def module_name(path: Path) -> str:
    parts = ("app", *path.relative_to(APP).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """``app.training.session`` → ``training``; ``app`` → ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import statement in the file, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if (APP.parent / f"{node.module}.{alias.name}".replace(".", "/")).with_suffix(".py").exists()]
    return found


MODULES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def upward_imports(modules: dict[str, Path]) -> list[str]:
    """One line per import that breaks the layering, naming the module, the line and the import."""
    problems = []
    for module, path in modules.items():
        own = layer_of(module)
        for line, imported in imports_of(path):
            top = imported.split(".")[0]
            where = f"{module} (line {line}) imports {imported}"
            if top == "app" and "." in imported:
                target = layer_of(imported)
                if target != own and target not in ALLOWED[own]:
                    allowed = ", ".join(sorted(ALLOWED[own])) or "no other layer of app"
                    problems.append(f"{where} (the {own} layer may import only {allowed})")
            elif top in SERVING and own not in MAY_SERVE:
                problems.append(f"{where} (only {sorted(MAY_SERVE)} may import {top})")
    return problems


def circles(modules: dict[str, Path]) -> list[list[str]]:
    """Every import circle between modules of app, each as the path that closes it."""
    graph = {m: sorted({i for _, i in imports_of(p) if i in modules and i != m}) for m, p in modules.items()}
    found, state = [], dict.fromkeys(graph, 0)  # 0 unseen, 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state[nxt] == 1:
                found.append([*path[path.index(nxt):], node, nxt] if nxt in path else [node, nxt])
            elif state[nxt] == 0:
                visit(nxt, [*path, node])
        state[node] = 2

    for node in graph:
        if state[node] == 0:
            visit(node, [])
    return found


def test_every_module_of_app_belongs_to_a_known_layer() -> None:
    assert sorted({layer_of(m) for m in MODULES} - set(ALLOWED)) == []


def test_no_module_imports_upward_or_the_web_stack_below_live() -> None:
    assert upward_imports(MODULES) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(MODULES) == []


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("app.nn.extra", "import app.data.datasets\n", "the nn layer may import only no other layer of app"),
    ("app.data.extra", "from app.training.session import TrainingSession\n", "the data layer may import only"),
    ("app.training.extra", "import asyncio\n", "only ['bench', 'cli', 'live'] may import asyncio"),
    ("app.training.extra", "from app.live.settings import Settings\n", "imports app.live.settings"),
    ("app.live.extra", "def f():\n    from app.bench.engine import main\n", "the live layer may import only"),
])
def test_the_check_names_an_upward_import(tmp_path: Path, module: str, source: str, expected: str) -> None:
    fake = tmp_path / "extra.py"
    fake.write_text(source)
    problems = upward_imports({module: fake})
    assert len(problems) == 1 and expected in problems[0] and module in problems[0]


def test_the_check_names_a_circle(tmp_path: Path) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import app.training.b\n")
    b.write_text("from app.training.a import x\n")
    circle = ["app.training.a", "app.training.b", "app.training.a"]
    assert circles({"app.training.a": a, "app.training.b": b}) == [circle]


def modules_loaded_by(*modules: str) -> set[str]:
    """Every module in sys.modules after a fresh interpreter imports these."""
    code = f"import json, sys; import {', '.join(modules)}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout))


def test_importing_the_whole_engine_loads_no_web_package_and_no_asyncio() -> None:
    loaded = modules_loaded_by(*ENGINE)
    assert set(ENGINE) <= loaded
    assert sorted(name for name in loaded if name.split(".")[0] in (*WEB, "asyncio")) == []


def test_the_network_loads_nothing_beyond_numpy_and_the_standard_library() -> None:
    # the baseline holds what numpy itself loads (numpy.random brings Cython's runtime modules)
    added = modules_loaded_by("app.nn") - modules_loaded_by("numpy.random")
    outside = {name for name in added if name.split(".")[0] not in {*sys.stdlib_module_names, "numpy"}}
    assert sorted(outside) == sorted(name for name in added if name in ("app", "app.nn") or name.startswith("app.nn."))
    assert "app.nn.mlp" in outside
