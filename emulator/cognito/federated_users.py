"""What a federated sign-in writes into the user pool, from plain values (pure): the user's name, the IdP's
attributes through the provider's AttributeMapping, and the `identities` attribute and ID-token claim.

Sources (Amazon Cognito Developer Guide):
- cognito-user-pools-specifying-attribute-mapping.html: the username is the IdP's subject claim prefixed with
  the provider's name ("MyOIDCIdP_[sub]"); case-insensitive pools lowercase the whole username, prefix included;
  multi-valued claims are flattened into one string in square brackets; Cognito never removes an attribute the
  IdP stops sending; a mapped value is at most 2048 characters.
- amazon-cognito-user-pools-using-the-id-token.html: the ID token's `identities` claim, e.g.
  {"userId": "amzn1.account.EXAMPLE", "providerName": "LoginWithAmazon", "providerType": "LoginWithAmazon",
   "issuer": null, "primary": "true", "dateCreated": "1642699117273"}.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

# Where each provider type keeps the user's id (API_AdminLinkProviderForUser: "Cognito will automatically
# parse the Facebook, Google, and Login with Amazon tokens for id, sub, and user_id"; OIDC and Apple: sub).
SUBJECT_CLAIMS: dict[str, str] = {"Google": "sub", "Facebook": "id", "LoginWithAmazon": "user_id",
                                  "SignInWithApple": "sub", "OIDC": "sub"}
COGNITO_SUBJECT = "Cognito_Subject"  # AdminLinkProviderForUser's name for the IdP's own subject
MAX_MAPPED_VALUE = 2048
# The user-pool "attribute" a mapping may name that is not one: the username comes from the subject.
NOT_ATTRIBUTES = frozenset({"username"})


def federated_username(provider_name: str, subject: str, case_sensitive: bool) -> str:
    """`<ProviderName>_<subject>`, all lowercase in a case-insensitive pool (prefix included)."""
    name = f"{provider_name}_{subject}"
    return name if case_sensitive else name.lower()


def attribute_text(value: Any) -> str:
    """An IdP claim as the one string a user attribute holds: booleans as true/false, lists flattened into
    `[a,b]` with each value URL-encoded but for `. - * _` (the attribute-mapping page's rule)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ",".join(quote(attribute_text(item), safe=".-*_") for item in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return "" if value is None else str(value)


def mapped_attributes(mapping: Mapping[str, str], idp_attributes: Mapping[str, str]) -> dict[str, str]:
    """The user-pool attributes the IdP's attributes give through `mapping` (pool attribute -> IdP attribute);
    a mapped attribute the IdP did not send is left out (Cognito keeps what the user had)."""
    return {pool_name: idp_attributes[idp_name] for pool_name, idp_name in mapping.items()
            if pool_name not in NOT_ATTRIBUTES and idp_name in idp_attributes}


def mapping_problem(mapped: Mapping[str, str], required: tuple[str, ...], existing: Mapping[str, str]) -> str | None:
    """Why AWS refuses the mapped attributes at sign-in: a value too long, or a required attribute without one."""
    for name, value in mapped.items():
        if len(value) > MAX_MAPPED_VALUE:
            return f"{name}: the IdP's value is {len(value)} characters, more than {MAX_MAPPED_VALUE}"
    missing = [name for name in required if not mapped.get(name) and not existing.get(name)]
    if missing:
        return f"{', '.join(missing)}: required by the pool's schema and not given by the IdP through the " \
               "provider's AttributeMapping"
    return None


def identity_entry(provider_name: str, provider_type: str, user_id: str, created_ms: int,
                   primary: bool = True) -> dict[str, Any]:
    """One identity as the `identities` attribute holds it (UNCONFIRMED: the attribute's JSON keeps primary as
    a boolean and dateCreated as a number; the ID-token claim turns both into strings, as documented)."""
    return {"userId": user_id, "providerName": provider_name, "providerType": provider_type, "issuer": None,
            "primary": primary, "dateCreated": created_ms}


def parse_identities(value: str | None) -> list[dict[str, Any]]:
    """The entries of an `identities` attribute value (none when absent or unreadable)."""
    try:
        entries = json.loads(value) if value else []
    except ValueError:
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def with_identity(value: str | None, entry: Mapping[str, Any]) -> str:
    """The `identities` value with `entry` in it: an entry of the same provider and user id keeps its place
    and its dateCreated."""
    entries = parse_identities(value)
    for index, current in enumerate(entries):
        if _same(current, entry["providerName"], entry["userId"]):
            entries[index] = {**entry, "dateCreated": current.get("dateCreated", entry["dateCreated"])}
            break
    else:
        entries.append(dict(entry))
    return json.dumps(entries, separators=(",", ":"))


def without_identity(value: str | None, provider_name: str, user_id: str) -> str | None:
    """The `identities` value without that provider's user id (None when nothing is left)."""
    entries = [e for e in parse_identities(value) if not _same(e, provider_name, user_id)]
    return json.dumps(entries, separators=(",", ":")) if entries else None


def has_identity(value: str | None, provider_name: str, user_id: str) -> bool:
    return any(_same(e, provider_name, user_id) for e in parse_identities(value))


def identities_claim(value: str) -> list[dict[str, Any]]:
    """The ID token's `identities` claim from the attribute: primary and dateCreated as strings."""
    claim = []
    for entry in parse_identities(value):
        primary = entry.get("primary")
        claim.append({"userId": entry.get("userId"), "providerName": entry.get("providerName"),
                      "providerType": entry.get("providerType"), "issuer": entry.get("issuer"),
                      "primary": ("true" if primary else "false") if isinstance(primary, bool) else str(primary),
                      "dateCreated": str(entry.get("dateCreated"))})
    return claim


def _same(entry: Mapping[str, Any], provider_name: str, user_id: str) -> bool:
    return entry.get("providerName") == provider_name and entry.get("userId") == user_id
