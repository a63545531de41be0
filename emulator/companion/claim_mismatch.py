"""Which claim of a refused token did not match its authorizer (pure): what the dashboard highlights, e.g. `aud`
against the authorizer's audience."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer
from emulator.gateway.token_verification import ParsedToken, read_token


def mismatched_claim(authorizer: Any, claims: Mapping[str, Any], now: float,
                     route_scopes: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The claim that made a JWT/Cognito authorizer refuse, with what it expected (pure), or None. The checks
    follow the decisions' order (jwt_authorizer.decide_jwt, cognito_authorizer.decide_cognito)."""
    if isinstance(authorizer, JwtAuthorizer):
        if claims.get("iss") != authorizer.issuer:
            return {"claim": "iss", "value": claims.get("iss"), "expected": authorizer.issuer}
        audience = list(authorizer.audience)
        if "aud" in claims:
            if claims["aud"] not in audience:
                return {"claim": "aud", "value": claims["aud"], "expected": audience}
        elif claims.get("client_id") not in audience:
            return {"claim": "client_id", "value": claims.get("client_id"), "expected": audience}
    exp = claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool) and exp <= now:
        return {"claim": "exp", "value": exp, "expected": f"after {int(now)}"}
    if isinstance(authorizer, CognitoAuthorizer):
        wanted_use = "access" if route_scopes else "id"
        if claims.get("token_use") != wanted_use:
            return {"claim": "token_use", "value": claims.get("token_use"), "expected": wanted_use}
    if route_scopes:
        held = claims.get("scope")
        scopes = held.split() if isinstance(held, str) else []
        if not set(scopes) & set(route_scopes):
            return {"claim": "scope", "value": held, "expected": f"one of {list(route_scopes)}"}
    return None


def token_details(authorizer: Any, raw_token: str | None, now: float,
                  route_scopes: tuple[str, ...] = ()) -> dict[str, Any]:
    """{"claims": ..., "mismatch": ...} of the token a refused request carried (claims decoded, not verified);
    empty when it carried none that parses."""
    token = read_token(raw_token)
    if not isinstance(token, ParsedToken):
        return {}
    return {"claims": token.claims, "mismatch": mismatched_claim(authorizer, token.claims, now, route_scopes)}


def identity_header(authorizer: Any) -> str | None:
    """The header a JWT or Cognito authorizer reads its token from (None: a query string, or a Lambda's)."""
    if isinstance(authorizer, JwtAuthorizer):
        source = authorizer.identity_source[0] if authorizer.identity_source else "$request.header.Authorization"
        return source.removeprefix("$request.header.") if source.startswith("$request.header.") else None
    if isinstance(authorizer, CognitoAuthorizer):
        return (authorizer.identity_source or "method.request.header.Authorization").removeprefix(
            "method.request.header.")
    return None
