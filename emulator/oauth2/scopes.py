"""Which scopes a token may carry: requested vs. the client's AllowedOAuthScopes (pure)."""

from __future__ import annotations

from collections.abc import Collection

from emulator.model import STANDARD_OAUTH_SCOPES

# Scopes that select ID-token claims and so only make sense with openid (authorization-endpoint.md).
NEEDS_OPENID = ("email", "phone", "profile")


def split_scope(value: str | None) -> tuple[str, ...]:
    """The distinct scopes of a space-separated `scope` parameter, in the order given."""
    return tuple(dict.fromkeys((value or "").split()))


def client_credentials_scopes(requested: tuple[str, ...], allowed: Collection[str],
                              existing_custom: Collection[str]) -> tuple[str, ...] | str:
    """The scopes of a client_credentials token, or the plain-words reason for invalid_scope.

    Only resource-server scopes; none requested means every custom scope the client may use."""
    usable = [s for s in allowed if s not in STANDARD_OAUTH_SCOPES and s in existing_custom]
    if not requested:
        if not usable:
            return ("the client may use no resource-server scope (AllowedOAuthScopes lists none that exists), "
                    "and a client_credentials token needs at least one")
        return tuple(usable)
    for scope in requested:
        if scope in STANDARD_OAUTH_SCOPES:
            return f"{scope} is a user scope; a client_credentials token carries only resource-server scopes " \
                   f"(this client may use: {', '.join(usable) or 'none'})"
        if scope not in allowed:
            return f"scope {scope} is not in the client's AllowedOAuthScopes ({', '.join(allowed) or 'none'})"
        if scope not in existing_custom:
            return f"scope {scope} names no scope of a resource server in the pool " \
                   f"(resource-server scopes: {', '.join(sorted(existing_custom)) or 'none'})"
    return requested


def user_scopes(requested: tuple[str, ...], allowed: Collection[str],
                existing_custom: Collection[str]) -> tuple[str, ...] | str:
    """The scopes a hosted-UI sign-in grants, or the plain-words reason for invalid_scope."""
    if not requested:
        granted = tuple(s for s in allowed if s in STANDARD_OAUTH_SCOPES or s in existing_custom)
        if not granted:
            return "no scope was requested and the client's AllowedOAuthScopes is empty"
        requested = granted
    for scope in requested:
        if scope not in allowed:
            return f"scope {scope} is not in the client's AllowedOAuthScopes ({', '.join(allowed) or 'none'})"
        if scope not in STANDARD_OAUTH_SCOPES and scope not in existing_custom:
            return f"scope {scope} names no scope of a resource server in the pool"
    if "openid" not in requested:
        lonely = [s for s in requested if s in NEEDS_OPENID]
        if lonely:
            return f"{', '.join(lonely)} can only be requested together with openid"
    return requested
