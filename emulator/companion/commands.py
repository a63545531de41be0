"""`cognito-emulator decode TOKEN` and `cognito-emulator explain --api NAME --route 'GET /path' TOKEN`."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import httpx

from emulator.companion.explain import ExplainError, explain
from emulator.companion.key_sources import LocalPools, from_endpoint, from_state_dir
from emulator.companion.token_report import report

DEFAULT_ENDPOINT = "http://127.0.0.1:9229"


def _sources(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint", default=DEFAULT_ENDPOINT,
                        help=f"a running emulator to read pools, keys and its clock from (default {DEFAULT_ENDPOINT})")
    parser.add_argument("--state", help="read pools and keys from this state directory instead (no emulator needed)")


def local_pools(args: argparse.Namespace) -> tuple[LocalPools, str | None]:
    """The pools' issuers and keys, and a note when none could be read."""
    try:
        return (from_state_dir(Path(args.state)) if args.state else from_endpoint(args.endpoint)), None
    except (httpx.HTTPError, OSError, sqlite3.Error, ValueError, KeyError) as exc:
        where = f"--state {args.state}" if args.state else f"the emulator at {args.endpoint}"
        return LocalPools(), f"could not read the local pools from {where} ({exc}); signature not checked"


def _token(value: str) -> str:
    return sys.stdin.read().strip() if value == "-" else value


def decode_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cognito-emulator decode",
                                     description="Show a token's header and claims, the local pool and key that "
                                                 "signed it, and whether it is valid now.")
    parser.add_argument("token", help="the JWT ('-' reads it from stdin)")
    _sources(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    pools, note = local_pools(args)
    found = report(_token(args.token), pools.issuers, pools.jwks, pools.now)
    if note:
        found["note"] = note
    if args.json:
        print(json.dumps(found, indent=2, default=str))
        return 0 if found.get("valid_now") else 1
    if not found["ok"]:
        print(f"not a JWT: {found['problem']}", file=sys.stderr)
        return 1
    print(_text(found, pools.source))
    return 0 if found["valid_now"] else 1


def _text(found: dict[str, Any], source: str) -> str:
    lines = ["header: " + json.dumps(found["header"]), "claims:"]
    lines += [f"  {k}: {json.dumps(v)}" + (f"  ({found['times'][k]})" if k in found["times"] else "")
              for k, v in found["claims"].items()]
    lines.append(f"pool: {found['pool'] or 'none of the local pools'} (from {source})")
    if found.get("key"):
        lines.append(f"key: {found['key']}")
    lines.append(f"signature: {found['signature']}")
    lines.append(f"time: {found['time']} (now {found['now']})")
    lines.append("valid now: " + ("yes" if found["valid_now"] else "no"))
    if found.get("note"):
        lines.append(f"note: {found['note']}")
    return "\n".join(lines)


def explain_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cognito-emulator explain",
                                     description="Would this token pass this route's authorizer? The gateway's "
                                                 "decision and its reason, offline.")
    parser.add_argument("token", help="the JWT as the client sends it ('-' reads it from stdin)")
    parser.add_argument("--api", required=True, help="the API's Name in the config")
    parser.add_argument("--route", required=True, help="'METHOD /path', e.g. 'GET /mogemoge'")
    parser.add_argument("--config", default="config.yaml")
    _sources(parser)
    args = parser.parse_args(argv)
    from emulator.config import load_config
    from emulator.config_fields import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"{args.config}: invalid config: {exc}", file=sys.stderr)
        return 2
    pools, note = local_pools(args)
    try:
        verdict = explain(config.apis, args.api, args.route, _token(args.token), pools)
    except ExplainError as exc:
        print(f"cognito-emulator explain: {exc}", file=sys.stderr)
        return 2
    status = f" {verdict['status']} {json.dumps(verdict.get('body'))}" if verdict.get("status") else ""
    print(f"{verdict['decision'].upper()}{status}: route {verdict['route']} of API {verdict['api']}, authorizer "
          f"{verdict['authorizer']}")
    print(f"why: {verdict['reason']}")
    mismatch = verdict.get("mismatch")
    if mismatch:
        print(f"claim {mismatch['claim']}: {json.dumps(mismatch['value'])}, "
              f"expected {json.dumps(mismatch['expected'])}")
    if note:
        print(f"note: {note}")
    return 0 if verdict["decision"] == "allow" else 1
