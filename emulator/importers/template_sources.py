"""Reading the files a command names (CloudFormation/SAM/CDK templates, serverless.yml, the emulator's
own YAML) and combining them into one config dict, with the notes to print."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from emulator.importers.cfn_errors import Notes, TemplateError
from emulator.importers.cfn_ids import physical_id
from emulator.importers.cfn_template import Options
from emulator.importers.cfn_yaml import load_template
from emulator.importers.config_merge import merge_all
from emulator.importers.template_import import DEFAULT_PORT, import_template, validate


class Combined(NamedTuple):
    config: dict[str, Any]
    notes: Notes


def is_serverless(doc: Mapping[str, Any]) -> bool:
    """A serverless.yml (service: and provider:) rather than a CloudFormation template."""
    return "provider" in doc and "service" in doc and "Resources" not in doc


def _serverless(text: str, doc: Mapping[str, Any], options: Options, notes: Notes, source_dir: Path,
                base_dir: Path, port: int) -> tuple[dict[str, Any], dict[str, str]]:
    """serverless.yml: its APIs through the serverless importer, its `resources:` Cognito resources here."""
    import os

    from emulator.importers.serverless import import_serverless
    from emulator.importers.serverless_variables import VariableSources
    from emulator.importers.serverless_yaml import file_reader, load_document

    # The resources as written: their CloudFormation functions are resolved here, not by the serverless
    # resolver (which keeps them as placeholders); a serverless ${...} left inside one is refused later.
    resources = (load_document(text).get("resources") or {}).get("Resources") or {}
    cognito = {k: v for k, v in resources.items() if str((v or {}).get("Type", "")).startswith("AWS::Cognito::")}
    service = str(doc.get("service"))
    # Serverless names its stack <service>-<stage>; ids derive from that, as for any template.
    stack = f"{service}-{(doc.get('provider') or {}).get('stage', 'dev')}"
    # The service's own `Ref: UserPool` / `${UserPool}` in its authorizers name these resources: their ids, as
    # the import gives them (a --set for the same name still wins).
    refs = {f"Ref:{k}": physical_id(stack, options.region, k, v, options.ids) for k, v in cognito.items()
            if isinstance(v, Mapping)}
    sources = VariableSources(options={"region": options.region}, env=dict(os.environ),
                              overrides={**refs, **options.outside}, read_file=file_reader(source_dir))
    apis, warnings = import_serverless(text, sources, port=port, base_dir=source_dir)
    for warning in warnings:
        notes.add(warning)
    config: dict[str, Any] = {"Apis": json.loads(json.dumps(apis))} if apis else {}  # plain dicts, no comments
    for k, v in resources.items():
        if k not in cognito:
            notes.add(f"resources.Resources.{k} ({(v or {}).get('Type')}): left to the Serverless Framework's "
                      "own translation above")
    origins: dict[str, str] = {}
    if cognito:
        imported = import_template({"Resources": cognito}, replace(options, stack_name=stack, parameters={}),
                                   notes, source_dir=source_dir, base_dir=base_dir, first_port=port)
        config["UserPools"] = imported.config.get("UserPools", [])
        origins = imported.origins
    return config, origins


def combine(templates: list[Path], overlay: Path | None, options: Options, base_dir: Path,
            first_port: int = DEFAULT_PORT) -> Combined:
    """Every template imported (ports handed out in order), then the overlay YAML merged over them.

    Raises TemplateError (unreadable or not a template), ImportRefused (access that cannot be honoured)."""
    notes = Notes()
    configs: list[Mapping[str, Any]] = []
    origins: dict[str, str] = {}
    port = first_port
    for path in templates:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise TemplateError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
        doc = load_template(text)
        if is_serverless(doc):
            config, found = _serverless(text, doc, options, notes, path.resolve().parent, base_dir, port)
        else:
            config, found = import_template(doc, options, notes, source_dir=path.resolve().parent,
                                            base_dir=base_dir, first_port=port)
        if len(templates) == 1:
            origins = found  # paths stay true only while nothing else is merged in
        port += len(config.get("Apis") or [])
        configs.append(config)
    if overlay is not None:
        try:
            own = yaml.safe_load(overlay.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise TemplateError(f"{overlay}: cannot read it as YAML: {exc}") from None
        if not isinstance(own, Mapping):
            raise TemplateError(f"{overlay}: expected a mapping (Region, UserPools, Apis)")
        configs.append(own)
    merged = merge_all(configs)
    merged.setdefault("Region", options.region)
    validate(merged, origins, base_dir)
    return Combined(merged, notes)
