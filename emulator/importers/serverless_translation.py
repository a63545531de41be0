"""The serverless.yml -> `Apis:` pipeline: load, resolve variables, translate both APIs, flag the
placeholders left anywhere in the output, prune what the emulator refuses, render the YAML."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from emulator.importers import commented_yaml
from emulator.importers.apis_check import prune_until_valid
from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_functions import PLACEHOLDER_BACKEND, FunctionTargets
from emulator.importers.serverless_http_api import HttpApiTranslator
from emulator.importers.serverless_report import Report
from emulator.importers.serverless_rest_api import RestApiTranslator
from emulator.importers.serverless_service import Service
from emulator.importers.serverless_variables import VariableSources, resolve_variables
from emulator.importers.serverless_yaml import load_document

DEFAULT_PORT = 8080


class Translation(NamedTuple):
    """The `Apis:` entries (Node mappings, comments attached) and the warnings, one line each."""

    apis: list[Node]
    warnings: list[str]


def translate(doc: Mapping[str, Any], unresolved: Mapping[str, str] | None = None, *, port: int = DEFAULT_PORT,
              backend: str = PLACEHOLDER_BACKEND, base_dir: Path | None = None) -> Translation:
    """A resolved serverless.yml document -> the `Apis:` entries and warnings (pure; no file is read).

    `unresolved` (from resolve_variables) tells which `${...}` texts are placeholders; `port` is the
    first API's port (the next API gets port + 1); `backend` is the Target of non-Python functions.
    Raises ServerlessFileError when the document is not a serverless.yml at all.
    """
    report = Report(unresolved or {})
    service = Service(doc, report)
    functions = FunctionTargets(service.provider, backend, report, base_dir)
    apis: list[Node] = []
    http = HttpApiTranslator(service, functions, report).api(port)
    if http is not None:
        apis.append(http)
    rest_port = port + len(apis)  # each API takes the next port
    rest = RestApiTranslator(service, functions, report).api(rest_port, taken={str(a["Name"]) for a in apis})
    if rest is not None:
        apis.append(rest)
    if not apis:
        report.warn("no provider.httpApi authorizers and no httpApi or http events: nothing to import")
    _flag_placeholders(apis, report)
    return Translation(prune_until_valid(apis, report.warnings, service.region), report.warnings)


def _flag_placeholders(apis: list[Node], report: Report) -> None:
    """Warn about placeholders in any other output value (names, paths, targets)."""
    def walk(value: Any, node: Node | None, key: str, where: str) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, value if isinstance(value, Node) else node, k, f"{where}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, node, key, f"{where}[{i}]")
        elif isinstance(value, str) and node is not None:
            report.flag(node, key, value, where, "", "replace it by hand")

    for i, api in enumerate(apis):
        walk(api, api, "", f"Apis[{i}]")


def import_serverless(text: str, sources: VariableSources | None = None, *, port: int = DEFAULT_PORT,
                      backend: str = PLACEHOLDER_BACKEND, base_dir: Path | None = None) -> Translation:
    """serverless.yml text -> Translation: load, resolve variables, translate. Pure given `sources` (and the
    handler files under `base_dir`, serverless.yml's folder, looked for when given)."""
    resolved = resolve_variables(load_document(text), sources)
    translation = translate(resolved.doc, resolved.unresolved, port=port, backend=backend, base_dir=base_dir)
    return Translation(translation.apis, resolved.warnings + translation.warnings)


def render(apis: list[Node], header: list[str] | None = None) -> str:
    """The `Apis:` section as YAML text, comments included."""
    return commented_yaml.render("Apis", apis, header)
