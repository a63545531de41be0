"""`AWS::Lambda::Function` -> what the emulator runs: a Python function whose code is on disk becomes a
`python:module:function` spec (loaded relative to the config's folder); any other function can only be
a route's HTTP placeholder, never an authorizer or a trigger."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.importers.cfn_template import Template
from emulator.lambdas import targets

PLACEHOLDER_BACKEND = "http://127.0.0.1:3000"
# `arn:aws:lambda:us-east-1:123456789012:function:name` inside an ARN or an API Gateway invocation URI.
_FUNCTION_ARN = re.compile(r"arn:[\w-]+:lambda:[\w-]*:[\w-]*:function:([\w-]+)(?::[\w$-]+)?")
CODE_PATH_KEY = "emulator:code-path"  # Metadata the SAM step leaves: the function's local CodeUri


@dataclass(frozen=True)
class Function:
    """A template's function: its physical name, and its python: spec or why it has none."""

    logical_id: str
    name: str
    spec: str | None
    why: str | None


def python_spec(handler: str, code_dir: Path | None, base_dir: Path) -> str | None:
    """`app.handler` with code in `src/` -> `python:src.app:handler` when `base_dir/src/app.py` exists."""
    module_path, dot, function = handler.strip().rpartition(".")
    if not dot or not module_path or not function:
        return None
    relative = Path(module_path.replace(".", "/"))
    for folder in ([code_dir] if code_dir is not None else []) + [base_dir]:
        candidate = (folder / relative).with_suffix(".py")
        if candidate.is_file():
            inside = os.path.relpath(candidate.with_suffix(""), base_dir)
            spec = f"python:{inside.replace(os.sep, '.')}:{function}"
            try:
                targets.parse_python(spec)
            except ValueError:
                continue  # a folder name that is no Python identifier (asset.1a2b): not importable
            return spec
    return None


def _code_dir(template: Template, logical_id: str, source_dir: Path) -> Path | None:
    metadata = template.resources[logical_id].get("Metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    for key in (CODE_PATH_KEY, "aws:asset:path"):  # ours (SAM), then CDK's asset metadata
        if isinstance(metadata.get(key), str):
            return (source_dir / metadata[key]).resolve()
    return None


def functions(template: Template, source_dir: Path, base_dir: Path) -> dict[str, Function]:
    """Every AWS::Lambda::Function by logical id, decided once."""
    out: dict[str, Function] = {}
    for logical_id, _ in template.of_type("AWS::Lambda::Function"):
        name = template.physical_id(logical_id)
        runtime = str(template.value(logical_id, "Runtime", "") or "")
        handler = template.value(logical_id, "Handler")
        if template.value(logical_id, "PackageType") == "Image":
            out[logical_id] = Function(logical_id, name, None, "is a container image")
        elif not runtime.startswith("python"):
            out[logical_id] = Function(logical_id, name, None, f"runs {runtime or 'no runtime'}, not Python")
        elif not isinstance(handler, str):
            out[logical_id] = Function(logical_id, name, None, "has no Handler")
        else:
            spec = python_spec(handler, _code_dir(template, logical_id, source_dir), base_dir)
            why = None if spec else (f"has handler {handler} whose module is not on disk beside the template "
                                     "(inline or S3 code)")
            out[logical_id] = Function(logical_id, name, spec, why)
    return out


def function_in(text: Any, known: Mapping[str, Function]) -> Function | None:
    """The function an ARN or invocation URI names, when it is one of the template's."""
    if not isinstance(text, str):
        return None
    match = _FUNCTION_ARN.search(text)
    if match is None:
        return None
    return next((f for f in known.values() if f.name == match[1]), None)


def route_target(function: Function | None, uri: Any, notes: Any, where: str) -> str:
    """A route's Target for a Lambda integration: the Python handler, else the HTTP placeholder (noted)."""
    if function is not None and function.spec is not None:
        return function.spec
    what = f"function {function.logical_id} {function.why}" if function else f"integration {uri!r} is not a " \
                                                                              "function of the template"
    notes.add(f"{where}: {what}; it forwards to {PLACEHOLDER_BACKEND} (a placeholder): serve it there or "
              "map the route's Target in your YAML")
    return PLACEHOLDER_BACKEND
