"""What a Pre Token Generation answer does to the claims (pure): V1_0 `claimsOverrideDetails` (ID token, and
groups in both tokens), V2_0/V3_0 `claimsAndScopeOverrideDetails` (ID and access tokens, scopes). Source: the
developer guide's "Pre token generation Lambda trigger" page.

Claims the guide says cannot be modified are left as they are and reported as ignored (UNCONFIRMED: whether
AWS ignores them or fails the sign-in; the guide only says they cannot be modified)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# "You can not modify the following claims" (the guide, V1_0), plus event_id, which Cognito also sets itself.
PROTECTED_ID = frozenset({"acr", "amr", "aud", "at_hash", "auth_time", "azp", "cognito:username", "exp", "iat",
                          "identities", "iss", "jti", "nbf", "nonce", "origin_jti", "sub", "token_use",
                          "event_id"})
# Access tokens also keep who they are for and what they allow: scopes change only through scopesToAdd /
# scopesToSuppress.
PROTECTED_ACCESS = PROTECTED_ID | {"client_id", "scope", "username", "version"}
# Groups change only through groupOverrideDetails ("For group related claims, use groupOverrideDetails").
GROUP_CLAIMS = frozenset({"cognito:groups", "cognito:roles", "cognito:preferred_role"})
EVENT_VERSIONS = {"V1_0": "1", "V2_0": "2", "V3_0": "3"}


class BadOverride(ValueError):
    """A response AWS would not accept (InvalidLambdaResponseException)."""


@dataclass(frozen=True)
class Customized:
    id_claims: dict[str, Any] | None
    access_claims: dict[str, Any]
    ignored: tuple[str, ...]  # "<token>.<claim>" left as it was, and why in the name of the list


def customize(version: str, response: dict[str, Any], id_claims: dict[str, Any] | None,
              access_claims: dict[str, Any]) -> Customized:
    """The claims after the trigger's answer; BadOverride for an answer of the wrong shape."""
    id_out = copy.deepcopy(id_claims) if id_claims is not None else None
    access_out = copy.deepcopy(access_claims)
    ignored: list[str] = []
    details = response.get("claimsAndScopeOverrideDetails") if version != "V1_0" else None
    if details is not None:
        details = _mapping(details, "claimsAndScopeOverrideDetails")
        id_part = _mapping(details.get("idTokenGeneration"), "idTokenGeneration")
        access_part = _mapping(details.get("accessTokenGeneration"), "accessTokenGeneration")
        if id_out is not None:
            ignored += _claims(id_out, id_part, PROTECTED_ID, "id", stringify=False)
        ignored += _claims(access_out, access_part, PROTECTED_ACCESS, "access", stringify=False)
        _scopes(access_out, access_part)
    else:
        v1 = _mapping(response.get("claimsOverrideDetails"), "claimsOverrideDetails")
        details = v1
        if id_out is not None:
            ignored += _claims(id_out, v1, PROTECTED_ID, "id", stringify=True)
    groups = details.get("groupOverrideDetails") if details else None
    if groups is not None:
        _groups(_mapping(groups, "groupOverrideDetails"), id_out, access_out)
    return Customized(id_out, access_out, tuple(ignored))


def _mapping(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadOverride(f"{name} is {type(value).__name__}, not an object")
    return value


def _names(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadOverride(f"{name} must be a list of strings, got {value!r}")
    return value


def _claims(claims: dict[str, Any], part: dict[str, Any], protected: Iterable[str], token: str,
            stringify: bool) -> list[str]:
    """Add/override then suppress ("If a value is both suppressed and replaced, then it will be suppressed")."""
    add = _mapping(part.get("claimsToAddOrOverride"), "claimsToAddOrOverride")
    suppress = _names(part.get("claimsToSuppress"), "claimsToSuppress")
    kept = frozenset(protected) | GROUP_CLAIMS
    ignored = []
    for name, value in add.items():
        if name in kept:
            ignored.append(f"{token}.{name}")
            continue
        if stringify:  # V1_0 claims are a string map
            if isinstance(value, dict | list):
                raise BadOverride(f"claimsToAddOrOverride.{name} must be a string in a V1_0 response")
            value = ("true" if value else "false") if isinstance(value, bool) else str(value)
        claims[name] = value
    for name in suppress:
        if name in kept:
            ignored.append(f"{token}.{name}")
        else:
            claims.pop(name, None)
    return ignored


def _scopes(claims: dict[str, Any], part: dict[str, Any]) -> None:
    scopes = str(claims.get("scope") or "").split()
    for scope in _names(part.get("scopesToAdd"), "scopesToAdd"):
        if scope not in scopes:
            scopes.append(scope)
    suppressed = set(_names(part.get("scopesToSuppress"), "scopesToSuppress"))
    claims["scope"] = " ".join(s for s in scopes if s not in suppressed)


def _groups(groups: dict[str, Any], id_claims: dict[str, Any] | None, access_claims: dict[str, Any]) -> None:
    """groupOverrideDetails replaces the group claims of both tokens; empty lists remove them."""
    names = _names(groups.get("groupsToOverride"), "groupsToOverride")
    roles = _names(groups.get("iamRolesToOverride"), "iamRolesToOverride")
    preferred = groups.get("preferredRole")
    if preferred is not None and not isinstance(preferred, str):
        raise BadOverride("groupOverrideDetails.preferredRole must be a string")
    for claims in (id_claims, access_claims):
        if claims is None:
            continue
        if names:
            claims["cognito:groups"] = list(names)
        else:
            claims.pop("cognito:groups", None)
    if id_claims is not None:
        for claim, value in (("cognito:roles", roles or None), ("cognito:preferred_role", preferred)):
            if value:
                id_claims[claim] = value
            else:
                id_claims.pop(claim, None)
