"""A verified token's claims and scopes as the integration sees them: HTTP APIs and REST render differently."""

from __future__ import annotations

import json
import time
from typing import Any


def go_string(value: Any) -> str:
    """A claim value as HTTP API renders it: Go's %v (arrays "[a b]", objects "map[k:v]").

    Arrays: confirmed ("[id1 id2]", github
    aws-solutions-library-samples/guidance-for-claude-code-with-amazon-bedrock#803). Objects:
    "map[key:value]" as reported in aws/aws-lambda-go#570. Nested null is Go's "<nil>" (UNCONFIRMED).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        return "<nil>"
    if isinstance(value, list):
        return "[" + " ".join(go_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_string(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def http_claims(claims: dict) -> dict[str, str]:
    """requestContext.authorizer.jwt.claims: every value a string, null claims left out."""
    return {name: go_string(value) for name, value in claims.items() if value is not None}


# REST renders exp and iat as Java Date strings and keeps auth_time numeric:
# "exp": "Fri Jul 29 18:52:53 UTC 2016", "auth_time": "1469814773" (amazon-cognito-identity-js#92,
# repost.aws question QUFJRBaEJRSmmqarNrvCWoQA).
REST_DATE_CLAIMS = ("exp", "iat")


def rest_string(value: Any) -> str:
    """A claim value as the REST Cognito authorizer renders it.

    A one-group cognito:groups arrives as "team_manager" (repost.aws, above); several groups
    comma-joined "a,b" is UNCONFIRMED (aws/chalice#783 splits it on ","). Objects as compact
    JSON: UNCONFIRMED.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ",".join(rest_string(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def java_date(epoch: float) -> str:
    """Java's Date.toString() in UTC; an epoch no calendar can hold stays a number."""
    try:
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(epoch))
    except (OverflowError, OSError, ValueError):
        return rest_string(epoch)


def rest_claims(claims: dict) -> dict[str, str]:
    """requestContext.authorizer.claims of a REST Cognito authorizer: strings, exp/iat as dates."""
    rendered: dict[str, str] = {}
    for name, value in claims.items():
        if value is None:
            continue  # UNCONFIRMED: null claims left out, as on HTTP APIs
        if name in REST_DATE_CLAIMS and isinstance(value, int | float) and not isinstance(value, bool):
            rendered[name] = java_date(value)
        else:
            rendered[name] = rest_string(value)
    return rendered


def token_scopes(claims: dict) -> tuple[list[str], str]:
    """(the token's scopes, which claim held them): `scope` space-separated, else `scp` list or string."""
    if isinstance(claims.get("scope"), str):
        return claims["scope"].split(), "scope"
    scp = claims.get("scp")
    if isinstance(scp, str):
        return scp.split(), "scp"
    if isinstance(scp, list):
        return [str(s) for s in scp], "scp"
    return [], "no scope claim"
