"""`cognito-emulator import serverless.yml [--out FILE] ...`: the command line and the file I/O around
the pure translation (serverless_translation)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml

from emulator.config_fields import ConfigError
from emulator.importers.apis_check import check_apis, python_specs
from emulator.importers.commented_yaml import Node
from emulator.importers.serverless_functions import PLACEHOLDER_BACKEND
from emulator.importers.serverless_translation import DEFAULT_PORT, import_serverless, render
from emulator.importers.serverless_values import dedupe, is_url
from emulator.importers.serverless_variables import VariableSources
from emulator.importers.serverless_yaml import ServerlessFileError, file_reader
from emulator.lambdas import targets


def _parse_sets(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if name.startswith("${") and name.endswith("}"):
            name = name[2:-1]  # accept the placeholder as printed
        if not sep or not name:
            raise ValueError(f"--set {item!r}: expected EXPRESSION=VALUE, e.g. 'ssm:/cognito/client-id/dev=piyopiyo'")
        out[name] = value
    return out


def _missing_modules(apis: list[Node], base: Path) -> list[str]:
    """python: targets whose module file is not under `base` (where a config.yaml beside it would load them)."""
    missing: list[str] = []
    for _, _, spec in python_specs(apis):
        module = targets.parse_python(spec)[0]
        relative = Path(*module.split("."))
        if not (base / relative.with_suffix(".py")).is_file() and not (base / relative / "__init__.py").is_file():
            missing.append(f"{relative}.py")
    return dedupe(missing)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator import",
        description="Translate a Serverless Framework serverless.yml into the Apis: section of the emulator's "
                    "config (HTTP API from provider.httpApi and httpApi events, REST API from http events).")
    parser.add_argument("file", help="the serverless.yml to read")
    parser.add_argument("--out", metavar="FILE", help="write the Apis: section to FILE instead of stdout")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help=f"port of the first API; the next gets port+1 (default {DEFAULT_PORT})")
    parser.add_argument("--stage", help="the --stage you deploy with (${opt:stage})")
    parser.add_argument("--region", help="the --region you deploy with (${opt:region})")
    parser.add_argument("--set", dest="sets", action="append", default=[], metavar="EXPR=VALUE",
                        help="a value for a variable that cannot be resolved offline, named as inside ${}: "
                             "--set 'ssm:/cognito/client-id/dev=piyopiyo' (repeatable)")
    parser.add_argument("--backend", default=PLACEHOLDER_BACKEND,
                        help=f"Target for functions that are not Python (default {PLACEHOLDER_BACKEND})")
    return parser


def main(argv: list[str]) -> int:
    """`cognito-emulator import serverless.yml [--out FILE] ...`: 0 on success (warnings on stderr), 1 on error."""
    args = _parser().parse_args(argv)
    if not 1 <= args.port <= 65534:
        print(f"cognito-emulator import: --port {args.port} is not 1..65534", file=sys.stderr)
        return 1
    if not is_url(args.backend):
        print(f"cognito-emulator import: --backend {args.backend!r} is not an http(s) URL", file=sys.stderr)
        return 1
    source = Path(args.file)
    try:
        overrides = _parse_sets(args.sets)
        text = source.read_text(encoding="utf-8")
    except ValueError as exc:
        print(f"cognito-emulator import: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{args.file}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return 1
    options = {k: v for k, v in (("stage", args.stage), ("region", args.region)) if v}
    sources = VariableSources(options=options, env=dict(os.environ), overrides=overrides,
                              read_file=file_reader(source.resolve().parent))
    try:
        translation = import_serverless(text, sources, port=args.port, backend=args.backend)
    except ServerlessFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:  # pragma: no cover - pruning handles every path translate() produces
        print(f"{args.file}: internal error, the translation does not validate: {exc}", file=sys.stderr)
        return 1
    apis, warnings = translation
    missing = _missing_modules(apis, source.resolve().parent)
    if missing:
        warnings.append(f"python: targets load relative to the config file's folder; not found beside "
                        f"{args.file}: {', '.join(missing)}")
    header = [f"Generated by `cognito-emulator import {source.name}`. Paste it into config.yaml beside UserPools:,",
              "then check it with `cognito-emulator check-config config.yaml`."]
    output = render(apis, header)
    try:
        # The text printed is what is checked: a rendering slip must not reach the user as a broken config.
        check_apis((yaml.safe_load(output) or {}).get("Apis") or [])
    except ConfigError as exc:  # pragma: no cover - translate() already validated the same data
        print(f"cognito-emulator import: internal error, the rendered config does not validate: {exc}",
              file=sys.stderr)
        return 1
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.out:
        return _write(Path(args.out), output, len(apis))
    sys.stdout.write(output)
    return 0


def _write(path: Path, output: str, count: int) -> int:
    if path.exists():
        # --out writes only the Apis: section; never clobber a whole config (pools, users) with it.
        try:
            existing = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            existing = False  # unreadable or not YAML: not ours to overwrite
        if existing is not None and (not isinstance(existing, Mapping) or set(existing) - {"Apis"}):
            print(f"cognito-emulator import: {path} exists and is not an Apis:-only file; not overwritten "
                  "(write elsewhere and paste the section in)", file=sys.stderr)
            return 1
    try:
        path.write_text(output, encoding="utf-8")
    except OSError as exc:
        print(f"cognito-emulator import: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {count} API{'s' if count != 1 else ''} to {path}", file=sys.stderr)
    return 0
