"""The engine imports no web code: checked in a fresh interpreter, through sys.modules."""

import json
import subprocess
import sys

WEB = ("fastapi", "starlette", "pydantic", "pydantic_settings", "uvicorn", "jinja2", "websockets", "httpx")
ENGINE = ["app.nn", "app.config", "app.session", "app.snapshot", "app.persistence", "app.trace", "app.boundary",
          "app.evaluation", "app.data", "app.datasets", "app.features", "app.errors"]


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
