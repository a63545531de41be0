"""An authorizer's decision on a token, offline (`cognito-emulator explain`, the dashboard's token box): the
gateway's own pure decisions, with keys from the local pools, and which claim did not match."""

from __future__ import annotations

from typing import Any

from emulator.companion.claim_mismatch import identity_header, mismatched_claim
from emulator.companion.key_sources import LocalPools
from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer
from emulator.gateway.cognito_authorizer import decide_cognito, pool_issuer
from emulator.gateway.config import ApiConfig
from emulator.gateway.jwks import KeySet
from emulator.gateway.jwt_authorizer import decide_jwt
from emulator.gateway.request import AuthRequest
from emulator.gateway.routes import match_route
from emulator.gateway.token_verification import ParsedToken, read_token
from emulator.gateway.verdicts import Allow


class ExplainError(Exception):
    """The question cannot be answered (no such API or route); the message says what exists."""


class _PoolIssuers:
    """IssuerKeys over what the CLI found (the pools' issuers and keys)."""

    def __init__(self, pools: LocalPools) -> None:
        self.pools = pools

    def local_jwks(self, issuer: str) -> dict | None:
        pool_id = self.pools.issuers.get(issuer.rstrip("/"))
        return self.pools.jwks.get(pool_id) if pool_id else None

    def pool_issuer(self, pool_id: str) -> str | None:
        return next((iss for iss, pid in self.pools.issuers.items() if pid == pool_id), None)


def route_of(api: ApiConfig, route: str) -> tuple[Any, str, str]:
    """(the matched RouteConfig, method, path) for 'GET /path' (REST: with or without the stage)."""
    method, _, path = route.strip().partition(" ")
    if not path.startswith("/"):
        raise ExplainError(f"--route is 'METHOD /path', got {route!r}")
    if api.protocol_type == "REST" and path.startswith(f"/{api.stage_name}/"):
        path = path[len(api.stage_name) + 1:]
    match = match_route(api.routes, method.upper(), path)
    if match is None:
        raise ExplainError(f"no route of API '{api.name}' matches {method.upper()} {path} (routes: "
                           f"{', '.join(r.route_key for r in api.routes) or 'none'})")
    return match.route, method.upper(), path


def explain(apis: tuple[ApiConfig, ...], api_name: str, route: str, raw_token: str,
            pools: LocalPools) -> dict[str, Any]:
    """{"decision": "allow"|"deny", "status", "body", "reason", "authorizer", "mismatch"}."""
    api = next((a for a in apis if a.name == api_name), None)
    if api is None:
        raise ExplainError(f"no API named {api_name!r} (APIs: {', '.join(a.name for a in apis) or 'none'})")
    matched, method, path = route_of(api, route)
    authorizer = matched.authorizer
    base = {"api": api.name, "route": matched.route_key, "authorizer": getattr(authorizer, "name", None)}
    if authorizer is None:
        return {**base, "decision": "allow", "status": None, "reason": f"route {matched.route_key} has no authorizer"}
    header = (identity_header(authorizer) or "authorization").lower()
    request = _request(api, matched, method, path, {header: raw_token})
    token = read_token(raw_token)
    keys = _PoolIssuers(pools)
    if isinstance(authorizer, JwtAuthorizer):
        jwks = keys.local_jwks(authorizer.issuer)
        key_set = KeySet(authorizer.issuer, jwks, "local pool",
                         None if jwks else f"issuer {authorizer.issuer} is no local pool's (not fetched offline)")
        verdict = decide_jwt(authorizer, request, token, key_set, pools.now)
    elif isinstance(authorizer, CognitoAuthorizer):
        issuers = {arn: iss for arn in authorizer.provider_arns if (iss := pool_issuer(arn, keys)) is not None}
        key_set = None
        if isinstance(token, ParsedToken) and token.claims.get("iss") in issuers.values():
            iss = token.claims["iss"]
            key_set = KeySet(iss, keys.local_jwks(iss), "local pool")
        verdict = decide_cognito(authorizer, request, token, issuers, key_set, pools.now)
    else:
        return {**base, "decision": "unknown", "status": None,
                "reason": f"authorizer '{authorizer.name}' is a Lambda authorizer: its code decides, and explain "
                          "does not run code offline"}
    mismatch = mismatched_claim(authorizer, token.claims, pools.now, matched.authorization_scopes) \
        if isinstance(token, ParsedToken) else None
    if isinstance(verdict, Allow):
        return {**base, "decision": "allow", "status": None, "reason": "the authorizer accepts the token",
                "mismatch": None}
    return {**base, "decision": "deny", "status": verdict.status, "body": verdict.body, "reason": verdict.reason,
            "mismatch": mismatch}


def _request(api: ApiConfig, route: Any, method: str, path: str, headers: dict[str, str]) -> AuthRequest:
    return AuthRequest(protocol_type=api.protocol_type, api_id=api.api_id, stage=api.stage_name, method=method,
                       path=path, route_key=(route.path or "/") if api.protocol_type == "REST" else route.route_key,
                       headers=headers, query={}, path_parameters={}, stage_variables=api.stage_variables,
                       source_ip="127.0.0.1", route_scopes=route.authorization_scopes,
                       method_arn=f"arn:aws:execute-api:{api.region}:000000000000:{api.api_id}/{api.stage_name}/"
                                  f"{method}/{path.lstrip('/')}",
                       request_id="explain", event_context={})
