"""The REST COGNITO_USER_POOLS authorizer's decision (pure): the parsed token, keys and time are given."""

from __future__ import annotations

import re
from collections.abc import Mapping

from emulator.gateway.authorizer_config import CognitoAuthorizer
from emulator.gateway.claims import rest_claims, token_scopes
from emulator.gateway.jwks import IssuerKeys, KeySet
from emulator.gateway.request import AuthRequest, header_value
from emulator.gateway.token_verification import (
    ParsedToken,
    TokenProblem,
    check_algorithm,
    check_times,
    verify,
)
from emulator.gateway.verdicts import Allow, Deny, listed, refuse, shown

COGNITO_ARN = re.compile(r"^arn:aws[\w-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool/([\w-]+_[0-9A-Za-z]+)$")
DEFAULT_SOURCE = "method.request.header.Authorization"


def cognito_identity(authorizer: CognitoAuthorizer, request: AuthRequest) -> tuple[str, str | None]:
    """(the identity source, the header's raw value or None)."""
    source = authorizer.identity_source or DEFAULT_SOURCE
    return source, header_value(request.headers, source.removeprefix("method.request.header."))


def pool_issuer(arn: str, issuer_keys: IssuerKeys) -> str | None:
    """The iss of the pool a ProviderARN names: the local pool's, else AWS's own form for a remote pool."""
    match = COGNITO_ARN.match(arn)
    if not match:
        return None
    region, pool_id = match.groups()
    return issuer_keys.pool_issuer(pool_id) or f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


def cognito_refusal(authorizer: CognitoAuthorizer, reason: str) -> Deny:
    """REST's bare 401: the client learns nothing more, the reason says why."""
    return refuse("REST", "unauthorized", f"COGNITO_USER_POOLS authorizer '{authorizer.name}': {reason}")


def check_token_use(authorizer: CognitoAuthorizer, request: AuthRequest, claims: dict) -> None:
    """Without method scopes only ID tokens pass; with scopes only access tokens holding one of them."""
    use = claims.get("token_use")
    if not request.route_scopes:
        if use != "id":
            kind = "an access token" if use == "access" else "not an ID token"
            raise TokenProblem("token_use", f"token is {kind} (token_use {shown(use)}); a COGNITO_USER_POOLS "
                                            "authorizer on a method without authorization scopes accepts "
                                            "only ID tokens")
        return
    if use != "access":
        raise TokenProblem("token_use", f"token is not an access token (token_use {shown(use)}); method "
                                        f"'{request.method} {request.route_key}' has authorization scopes "
                                        f"{listed(request.route_scopes)}, so only an access token holding "
                                        "one of them passes")
    scopes, _ = token_scopes(claims)
    if not set(scopes) & set(request.route_scopes):
        raise TokenProblem("scope", f"access token scopes {listed(scopes)} include none of method "
                                    f"'{request.method} {request.route_key}' authorization scopes "
                                    f"{listed(request.route_scopes)}")


def check_validation_expression(authorizer: CognitoAuthorizer, claims: dict) -> None:
    """IdentityValidationExpression is matched against the ID token's aud; an access token has none."""
    expression = authorizer.identity_validation_expression
    if not expression:
        return
    aud = claims.get("aud")
    if not isinstance(aud, str):
        raise TokenProblem("validation", f"IdentityValidationExpression {shown(expression)} is set and "
                                         "the token has no aud to match it against (an access token "
                                         "never has one)")
    try:
        matched = re.fullmatch(expression, aud) is not None
    except re.error:
        matched = False
    if not matched:
        raise TokenProblem("validation", f"token aud {shown(aud)} does not match "
                                         f"IdentityValidationExpression {shown(expression)}")


def decide_cognito(authorizer: CognitoAuthorizer, request: AuthRequest, token: ParsedToken | TokenProblem | None,
                   issuers: Mapping[str, str], key_set: KeySet | None, now: float) -> Allow | Deny:
    """Does this token pass this authorizer? `issuers`: ProviderARN -> pool iss; `key_set`: the keys of
    the pool the token names (None when its iss is no pool's)."""
    if token is None:
        source, _ = cognito_identity(authorizer, request)
        return cognito_refusal(authorizer, f"no token: the identity source is {source} and the request "
                                           "has no such header")
    if isinstance(token, TokenProblem):
        return cognito_refusal(authorizer, token.reason)
    try:
        check_algorithm(token, authorizer.name)
        iss = token.claims.get("iss")
        if key_set is None or iss not in issuers.values() or key_set.issuer != iss:
            raise TokenProblem("issuer", f"token iss {shown(iss)} is none of the pools "
                                         f"of ProviderARNs {listed(authorizer.provider_arns)} (issuers "
                                         f"{listed(issuers.values())})")
        verify(token, key_set, authorizer.name)
        check_times(token.claims, now)
        check_token_use(authorizer, request, token.claims)
        check_validation_expression(authorizer, token.claims)
    except TokenProblem as problem:
        return cognito_refusal(authorizer, problem.reason)
    sub = token.claims.get("sub")
    return Allow({"claims": rest_claims(token.claims)}, principal_id=sub if isinstance(sub, str) else None)
