"""Command line: `cognito-emulator [serve] --config config.yaml` and the subcommands in SUBCOMMANDS."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

from emulator.cognito.emulator_access import is_loopback_address
from emulator.config import Config, load_config
from emulator.config_fields import ConfigError
from emulator.key_supply import KeySupply
from emulator.keys import PURPOSES, SigningKey, key_supply
from emulator.state_dir import STATE_FILES, StateDirError, prepare

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
LOG_FORMATS = ("text", "json")
SUBCOMMANDS = {
    "serve": "serve the config (the default; also --template TEMPLATE)",
    "check-config FILE": "validate a config, cross-references included; exit 1 with the key path",
    "token": "sign a user in against a running emulator and print a token",
    "decode TOKEN": "header, claims, the local pool and key that signed it, validity now",
    "explain --api NAME --route 'GET /path' TOKEN": "the authorizer's decision and reason, offline",
    "import FILE": "print a config from serverless.yml or a CloudFormation/SAM/CDK template",
}


class _VersionAction(argparse.Action):
    """--version, the installed version looked up only when asked: importlib.metadata costs ~6 ms a start."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, nargs=0,
                         help="show program's version number and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from emulator.package_version import installed_version

        print(f"cognito-emulator {installed_version()}")
        parser.exit()


def _serve_parser() -> argparse.ArgumentParser:
    listed = "\n".join(f"  {name:<48} {what}" for name, what in SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="cognito-emulator", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Local AWS Cognito user pools + API Gateway authorizers.",
        epilog=f"subcommands (cognito-emulator SUBCOMMAND --help):\n{listed}")
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--config", default="config.yaml", help="config file (default: ./config.yaml)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; 0.0.0.0 lets other machines in)")
    parser.add_argument("--port", type=int, default=9229, help="Cognito API port (default: 9229)")
    parser.add_argument("--state", default=".cognito-emulator",
                        help="state directory: users, tokens and keys survive restarts (default: .cognito-emulator/)")
    parser.add_argument("--in-memory", action="store_true", help="keep state in memory only")
    parser.add_argument("--log-level", default="info", choices=LOG_LEVELS,
                        help="info (default): one line per request; debug adds the libraries' own lines")
    parser.add_argument("--log-format", default="text", choices=LOG_FORMATS, help="json: one JSON object per line")
    parser.add_argument("--workers", default="1", metavar="N",
                        help="processes serving the same ports and state (default: 1; 'auto': one per CPU); "
                             "needs --state, not --in-memory")
    parser.add_argument("--expose-emulator-endpoints", action="store_true",
                        help="let other hosts use /_emulator/ (codes, reset, decisions) when --host is not "
                             "loopback; they answer only this machine otherwise")
    return parser


def bind_warning(host: str, expose: bool) -> str | None:
    """What to tell someone whose --host lets other machines connect, or None for a loopback bind."""
    if host == "localhost" or is_loopback_address(host):
        return None
    where = "every interface" if host in ("0.0.0.0", "::", "") else host
    emulator = ("/_emulator/ (codes, reset) too, as --expose-emulator-endpoints asks" if expose else
                "/_emulator/ stays local unless --expose-emulator-endpoints")
    return (f"cognito-emulator: warning: listening on {where}: other machines can call the Cognito API and the "
            f"gateway APIs; {emulator}")


def check_config(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cognito-emulator check-config",
                                     description="Validate a config file, cross-references included (issuers, "
                                                 "audiences, scopes); exit 1 with the key path and reason.")
    parser.add_argument("file", nargs="?", default="config.yaml")
    parser.add_argument("--remote", action="append", default=[], metavar="POOL_ID_OR_ISSUER",
                        help="a pool that is meant to be real AWS, not a local one (repeatable)")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.file)
    except ConfigError as exc:
        print(f"{args.file}: invalid config: {exc}", file=sys.stderr)
        return 1
    from emulator.config_cross_refs import cross_ref_problems

    problems = cross_ref_problems(config, args.remote)
    for problem in problems:
        print(f"{args.file}: invalid config: {problem}", file=sys.stderr)
    if problems:
        return 1
    clients = sum(len(p.clients) for p in config.pools)
    print(f"{args.file}: ok ({len(config.pools)} user pools, {clients} app clients, {len(config.apis)} APIs)")
    return 0


def keys_ahead(config: Config, state_dir: Path | None) -> KeySupply[SigningKey] | None:
    """Start making the config's pools' signing keys now, on another core while the server's modules import, when
    the store will have none: in memory, or a state dir without a store yet (one with a store keeps its keys)."""
    if state_dir is not None and (state_dir / STATE_FILES[0]).exists():
        return None
    supply = key_supply()
    supply.advance(len(PURPOSES) * len(config.pools))
    return supply


def serve(argv: list[str], config: Config | None = None) -> int:
    args = _serve_parser().parse_args(argv)
    from emulator.request_log import configure_logging

    configure_logging(args.log_level, args.log_format)
    try:
        config = config or load_config(args.config)
    except ConfigError as exc:
        print(f"{args.config}: invalid config: {exc}", file=sys.stderr)
        return 1
    state_dir = None if args.in_memory else Path(args.state)
    supply = keys_ahead(config, state_dir)  # before the server's imports, which take long enough to make them
    try:
        return _serve_config(args, config, state_dir, supply)
    finally:
        if supply is not None:
            supply.drain()  # a thread still inside OpenSSL when the interpreter exits could abort the process


def _serve_config(args: argparse.Namespace, config: Config, state_dir: Path | None,
                  supply: KeySupply[SigningKey] | None) -> int:
    from emulator.config_cross_refs import cross_ref_problems
    from emulator.runtime import Runtime
    from emulator.server import EmulatorServer
    from emulator.workers import refusal, serve_forked, share, shared_runtime_options, worker_count

    try:
        workers = worker_count(args.workers, os.cpu_count())
    except ValueError as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 1
    refused = refusal(workers, state_dir)
    if refused:
        print(f"cognito-emulator: {refused}", file=sys.stderr)
        return 1
    for problem in cross_ref_problems(config):  # served anyway: a remote pool may be meant
        print(f"cognito-emulator: warning: {problem}", file=sys.stderr, flush=True)

    try:
        lock = None if state_dir is None else prepare(state_dir)
        runtime = Runtime.open(config, state_dir, key_supply=supply, **shared_runtime_options(workers, state_dir))
        share(runtime, workers)
    except StateDirError as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as exc:  # an unreadable or foreign state file
        print(f"cognito-emulator: cannot use --state {state_dir}: {exc}", file=sys.stderr)
        return 1
    try:
        server = EmulatorServer(runtime, host=args.host, port=args.port, log_level=args.log_level,
                                expose_emulator_endpoints=args.expose_emulator_endpoints, reuse_port=workers > 1)
    except OSError as exc:
        print(f"cognito-emulator: {exc}", file=sys.stderr)
        runtime.close()  # its keys' thread ends before the interpreter does
        return 1
    warning = bind_warning(args.host, args.expose_emulator_endpoints)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    status = 0
    if workers > 1:
        try:
            status = serve_forked(server, workers, on_ready=lambda line: print(line, flush=True))
        except RuntimeError as exc:  # a thread already running: forking would copy it half-way
            print(f"cognito-emulator: {exc}", file=sys.stderr)
            status = 1
    else:
        from emulator.botocore_models import preload

        model = preload("cognito-idp")  # read while the ports start serving, not by the first request
        server.run(on_ready=lambda line: print(line, flush=True))
        model.join()
    runtime.close()
    if lock is not None:
        lock.release()
    return status


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "check-config":
        return check_config(argv[1:])
    if argv and argv[0] == "import":  # templates, or serverless.yml (handed to its own importer)
        from emulator.importers.template_cli import import_main

        return import_main(argv[1:])
    if argv and argv[0] in ("decode", "explain"):
        from emulator.companion.commands import decode_main, explain_main

        return (decode_main if argv[0] == "decode" else explain_main)(argv[1:])
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
