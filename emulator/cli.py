"""Command line: `cognito-emulator [serve] --config config.yaml`, `cognito-emulator check-config FILE`,
`cognito-emulator token --client-id ... --username ... --password ...`,
`cognito-emulator import serverless.yml|TEMPLATE`, `cognito-emulator serve --template TEMPLATE [--config YAML]`."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from emulator.config import Config, load_config
from emulator.config_fields import ConfigError

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cognito-emulator",
        description="Local AWS Cognito user pools + API Gateway authorizers. "
                    "Also: `cognito-emulator check-config FILE`, `cognito-emulator token --help` and "
                    "`cognito-emulator import serverless.yml`.")
    parser.add_argument("--config", default="config.yaml", help="config file (default: ./config.yaml)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9229, help="Cognito API port (default: 9229)")
    parser.add_argument("--state", default=".cognito-emulator",
                        help="state directory: users, tokens and keys survive restarts (default: .cognito-emulator/)")
    parser.add_argument("--in-memory", action="store_true", help="keep state in memory only")
    parser.add_argument("--log-level", default="info", choices=LOG_LEVELS)
    return parser


def check_config(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cognito-emulator check-config",
                                     description="Validate a config file; exit 1 with the key path and reason.")
    parser.add_argument("file", nargs="?", default="config.yaml")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(f"{args.file}: invalid config: {exc}", file=sys.stderr)
        return 1
    clients = sum(len(p.clients) for p in config.pools)
    print(f"{args.file}: ok ({len(config.pools)} user pools, {clients} app clients, {len(config.apis)} APIs)")
    return 0


def serve(argv: list[str], config: Config | None = None) -> int:
    args = _serve_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = config or load_config(args.config)
    except ConfigError as exc:
        print(f"{args.config}: invalid config: {exc}", file=sys.stderr)
        return 1
    from emulator.runtime import Runtime
    from emulator.server import EmulatorServer

    runtime = Runtime.open(config, None if args.in_memory else Path(args.state))
    try:
        server = EmulatorServer(runtime, host=args.host, port=args.port, log_level=args.log_level)
    except OSError as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 1
    server.run(on_ready=lambda line: print(line, flush=True))
    runtime.store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check-config":
        return check_config(argv[1:])
    if argv and argv[0] == "import":  # templates, or serverless.yml (handed to its own importer)
        from emulator.importers.template_cli import import_main

        return import_main(argv[1:])
    if argv and argv[0] == "token":
        from emulator.token_command import main as token

        return token(argv[1:])
    if argv and argv[0] == "serve":
        argv = argv[1:]
    if any(a == "--template" or a.startswith("--template=") for a in argv):
        from emulator.importers.template_cli import serve_templates

        return serve_templates(argv, serve)
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main())
