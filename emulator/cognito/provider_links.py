"""AdminLinkProviderForUser and AdminDisableProviderForUser: links from an IdP identity (SourceUser) to an
existing user (DestinationUser), so that signing in through the IdP signs in as that user.

AWS's rules (API_AdminLinkProviderForUser, API_AdminDisableProviderForUser, API_ProviderUserIdentifierType):
the DestinationUser's ProviderName is `Cognito` for a native user (its ProviderAttributeValue is the username)
and its ProviderAttributeName is ignored; the SourceUser is an IdP identity that has not signed in yet ("Merging
is not currently supported, provide a SourceUser that has not been signed up in order to link", quoted raw in
aws/aws-sdk-net#1000); for a social IdP its ProviderAttributeName must be `Cognito_Subject`; for OIDC and SAML
it may also be a mapped user-pool attribute."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from emulator.cognito import federated_users as fu
from emulator.cognito.errors import reject
from emulator.cognito.identity_providers import SOCIAL
from emulator.cognito.protocol import Call
from emulator.cognito.users import require_pool_user
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime
    from emulator.state import UserRecord

KIND = Kind.PROVIDER_LINK
COGNITO = "Cognito"


def _key(provider_name: str, attribute_name: str, value: str) -> str:
    return f"{provider_name}\x00{attribute_name}\x00{value}"


def find_link(rt: Runtime, pool_id: str, provider_name: str, subject: str,
              mapped: Mapping[str, str]) -> dict[str, Any] | None:
    """The link an identity of `provider_name` signs in through: by its subject, or by a mapped attribute."""
    for _, _, link in rt.store.items(KIND, pool_id):
        if link["provider_name"] != provider_name:
            continue
        name, value = link["attribute_name"], link["value"]
        if (name == fu.COGNITO_SUBJECT and value == subject) or (name != fu.COGNITO_SUBJECT
                                                                 and mapped.get(name) == value):
            return link
    return None


def _link_problem(source: Mapping[str, str], destination: Mapping[str, str], provider: Mapping[str, Any] | None,
                  pool_id: str) -> tuple[str, str] | None:
    """(error key, reason) for a link AWS refuses on its face (pure over the request and the provider)."""
    name = source.get("ProviderName") or ""
    if name == COGNITO:
        return "link_source_cognito", "SourceUser.ProviderName is Cognito: the source must be an IdP identity"
    if destination.get("ProviderName") != COGNITO:
        return "link_destination_not_cognito", (f"DestinationUser.ProviderName is {destination.get('ProviderName')!r}"
                                                "; the emulator links to native users only (ProviderName Cognito)")
    if provider is None:
        return "link_provider_missing", f"user pool {pool_id} has no identity provider {name!r}"
    if not source.get("ProviderAttributeValue"):
        return "link_value_missing", "SourceUser.ProviderAttributeValue is empty"
    attribute = source.get("ProviderAttributeName") or ""
    if provider["ProviderType"] in SOCIAL and attribute != fu.COGNITO_SUBJECT:
        return "link_social_attribute", (f"{name} is a social provider: SourceUser.ProviderAttributeName must be "
                                         f"Cognito_Subject, not {attribute!r}")
    if not attribute:
        return "link_attribute_missing", "SourceUser.ProviderAttributeName is empty"
    return None


def admin_link_provider_for_user(rt: Runtime, params: dict, call: Call) -> dict:
    pool_id = params["UserPoolId"]
    source, destination = params["SourceUser"], params["DestinationUser"]
    if rt.store.pool(pool_id) is None:
        raise reject("pool_not_found", f"no user pool {pool_id}", pool_id=pool_id)
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, pool_id, source.get("ProviderName") or "")
    problem = _link_problem(source, destination, provider, pool_id)
    if problem:
        key, reason = problem
        raise reject(key, reason, name=source.get("ProviderName") or "")
    assert provider is not None
    pool, user = require_pool_user(rt, {"UserPoolId": pool_id, "Username": destination.get("ProviderAttributeValue")
                                        or ""})
    attribute, value = source["ProviderAttributeName"], source["ProviderAttributeValue"]
    if attribute == fu.COGNITO_SUBJECT:
        signed_up = rt.store.user(pool, fu.federated_username(provider["ProviderName"], value, pool.case_sensitive))
        if signed_up is not None:
            raise reject("link_source_signed_up", f"{signed_up.username} already exists: that identity has signed "
                                                  "in before, so it cannot be linked (delete that user first)")
    existing = rt.store.get(KIND, pool_id, _key(provider["ProviderName"], attribute, value))
    if existing is not None and existing["username"] != user.username:
        raise reject("link_source_linked", f"that identity is already linked to user {existing['username']}",
                     attribute=attribute)
    now = rt.clock()
    rt.store.put(KIND, pool_id, _key(provider["ProviderName"], attribute, value),
                 {"provider_name": provider["ProviderName"], "provider_type": provider["ProviderType"],
                  "attribute_name": attribute, "value": value, "username": user.username, "created": now})
    if attribute == fu.COGNITO_SUBJECT:
        _add_identity(rt, pool, user, provider, value, now)
    return {}


def _add_identity(rt: Runtime, pool: Any, user: UserRecord, provider: Mapping[str, Any], subject: str,
                  now: float) -> None:
    """The linked identity shows in the user's `identities` (not primary: the user is a native one; UNCONFIRMED:
    AWS's primary flag and the moment it adds the entry are not documented)."""
    entry = fu.identity_entry(provider["ProviderName"], provider["ProviderType"], subject, int(now * 1000), False)
    user.attributes["identities"] = fu.with_identity(user.attributes.get("identities"), entry)
    user.modified = now
    rt.store.put_user(pool, user)


def admin_disable_provider_for_user(rt: Runtime, params: dict, call: Call) -> dict:
    """Removes the links of that identity (and it from the linked user's `identities`); a federated user of
    that identity is disabled, so the IdP no longer signs it in."""
    pool_id, target = params["UserPoolId"], params["User"]
    pool = rt.store.pool(pool_id)
    if pool is None:
        raise reject("pool_not_found", f"no user pool {pool_id}", pool_id=pool_id)
    name = target.get("ProviderName") or ""
    attribute, value = target.get("ProviderAttributeName") or "", target.get("ProviderAttributeValue") or ""
    if name == COGNITO:
        text = ("AdminDisableProviderForUser with ProviderName Cognito (ending a native user's password sign-in) "
                "is not emulated; use AdminDisableUser")
        raise reject("disable_cognito_not_emulated", text, detail=text)
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, pool_id, name)
    if provider is None:
        raise reject("link_provider_missing", f"user pool {pool_id} has no identity provider {name!r}", name=name)
    if provider["ProviderType"] in SOCIAL and attribute != fu.COGNITO_SUBJECT:
        raise reject("link_social_attribute", f"{name} is a social provider: ProviderAttributeName must be "
                                              f"Cognito_Subject, not {attribute!r}", name=name)
    found = False
    for _, key, link in rt.store.items(KIND, pool_id):
        if link["provider_name"] == name and link["attribute_name"] == attribute and link["value"] == value:
            rt.store.delete(KIND, pool_id, key)
            linked = rt.store.user(pool, link["username"])
            if linked is not None and attribute == fu.COGNITO_SUBJECT:
                remaining = fu.without_identity(linked.attributes.get("identities"), name, value)
                if remaining is None:
                    linked.attributes.pop("identities", None)
                else:
                    linked.attributes["identities"] = remaining
                rt.store.put_user(pool, linked)
            found = True
    if attribute == fu.COGNITO_SUBJECT:
        federated = rt.store.user(pool, fu.federated_username(name, value, pool.case_sensitive))
        if federated is not None and federated.status == "EXTERNAL_PROVIDER":
            federated.enabled = False
            federated.modified = rt.clock()
            rt.store.put_user(pool, federated)
            found = True
    if not found:
        raise reject("user_not_found", f"no user of pool {pool_id} signs in as {name} {attribute}={value!r} "
                                       "(no link and no federated user)")
    return {}


OPERATIONS = {
    "AdminLinkProviderForUser": admin_link_provider_for_user,
    "AdminDisableProviderForUser": admin_disable_provider_for_user,
}
