"""The package's layering: every module imports on its own, the package's imports form no cycle, and no
module grows past a size one can read in a sitting."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "emulator"
MAX_MODULE_LINES = 450
# Modules allowed past that, and why.
LONGER = {
    "srp.py": "the SRP-6a maths, the proof check and the TIMESTAMP format AWS's clients send are one protocol",
}

# Runs in a fresh interpreter: each module is imported with no emulator module loaded before it, so
# an import that only works when something else was imported first (a cycle, a missing import) fails.
IMPORT_EACH = """
import importlib, json, sys, traceback
failures = {}
for name in json.loads(sys.argv[1]):
    for loaded in [m for m in sys.modules if m == "emulator" or m.startswith("emulator.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except BaseException:
        failures[name] = traceback.format_exc(limit=3)
print(json.dumps(failures))
"""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> list[str]:
    # __main__ runs the CLI when imported; it is imported by nothing.
    return sorted(module_name(p) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def test_every_module_imports_on_its_own() -> None:
    names = all_modules()
    assert "emulator.gateway.authorizers" in names and len(names) > 50
    result = subprocess.run([sys.executable, "-c", IMPORT_EACH, json.dumps(names)], capture_output=True,
                            text=True, cwd=PACKAGE.parent, timeout=120, check=True)
    failures = json.loads(result.stdout.strip().splitlines()[-1])
    assert failures == {}, "\n".join(f"{name}:\n{trace}" for name, trace in failures.items())


def package_imports(path: Path, modules: set[str]) -> set[str]:
    """The emulator modules `path` imports anywhere in it (function bodies included, type-checking-only
    imports left out: they never run)."""
    tree = ast.parse(path.read_text(), str(path))
    guards = [node for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)]
    skipped = {id(n) for guard in guards for child in guard.body for n in ast.walk(child)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            # `from emulator.gateway import events` names a module, not an attribute
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in modules} - {module_name(path), "emulator"} - {
        m for m in modules if (PACKAGE.parent / m.replace(".", "/")).is_dir()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_package_imports_form_no_cycle() -> None:
    paths = [p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py"]
    modules = {module_name(p) for p in paths}
    graph = {module_name(p): package_imports(p, modules) for p in paths}
    assert graph["emulator.gateway.authorizers"], "the import scan found nothing: is it still reading the files?"
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_find_cycle_sees_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_modules_stay_small() -> None:
    sizes = {str(p.relative_to(PACKAGE)): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    too_big = {name: lines for name, lines in sizes.items()
               if lines > MAX_MODULE_LINES and Path(name).name not in LONGER}
    assert too_big == {}, f"split these (over {MAX_MODULE_LINES} lines): {too_big}"


def test_the_first_token_path_does_not_import_fastapi() -> None:
    """FastAPI and pydantic are about half of the start-up, and the JSON API (port.py, api_root.py) answers the
    first token without them: a module on that path importing `fastapi` undoes it (starlette's types do)."""
    probe = "import sys, emulator.server, emulator.cognito.port; print(sorted(m for m in sys.modules " \
            "if m.split('.')[0] in ('fastapi', 'pydantic')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=PACKAGE.parent).stdout.strip()
    assert loaded == "[]", f"imported on the first-token path: {loaded}"
