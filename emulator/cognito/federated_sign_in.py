"""The user-pool side of a federated sign-in: which user the IdP's identity signs in as (a linked native user,
or the `<ProviderName>_<subject>` user, created at the first sign-in), its attributes updated through the
provider's AttributeMapping at every sign-in, and the triggers AWS fires on the way. Ends in the user; the
hosted UI (oauth2/federation.py) turns it into a code, through the one login completion.

Triggers: PreSignUp with triggerSource PreSignUp_ExternalProvider before a new federated user is stored (the
PreSignUp page of the developer guide lists that source); PostConfirmation_ConfirmSignUp once it is stored
(UNCONFIRMED: widely reported for a federated user's first sign-in); PostAuthentication at every sign-in
(UNCONFIRMED), then Pre Token Generation on the token path as for any hosted sign-in."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from emulator.cognito import federated_users as fu
from emulator.cognito import user_triggers
from emulator.cognito.challenges import check_user_can_sign_in
from emulator.cognito.errors import reject
from emulator.cognito.provider_links import find_link
from emulator.model import AppClient, Group, UserPool
from emulator.state import UserRecord

if TYPE_CHECKING:
    from emulator.runtime import Runtime

EXTERNAL_PROVIDER = "EXTERNAL_PROVIDER"
PRE_SIGN_UP_SOURCE = "PreSignUp_ExternalProvider"
POST_CONFIRMATION_SOURCE = "PostConfirmation_ConfirmSignUp"


def provider_group(pool_id: str, provider_name: str) -> str:
    """The group Cognito makes for each IdP and puts its new federated users in: `<userPoolId>_<ProviderName>`
    (cognito-user-pools-user-groups: linked users are not added)."""
    return f"{pool_id}_{provider_name}"


def sign_in_federated(rt: Runtime, pool: UserPool, client: AppClient, provider: Mapping[str, Any], subject: str,
                      idp_attributes: Mapping[str, str]) -> UserRecord:
    """The user this IdP identity signs in as, created or updated; AWS's errors when it may not sign in."""
    name, kind = provider["ProviderName"], provider["ProviderType"]
    mapped = fu.mapped_attributes(provider.get("AttributeMapping") or {}, idp_attributes)
    now = rt.clock()
    link = find_link(rt, pool.id, name, subject, mapped)
    user = rt.store.user(pool, link["username"]) if link else None
    primary = user is None  # a linked native user keeps its own identity as the primary one
    if user is None:
        user = rt.store.user(pool, fu.federated_username(name, subject, pool.case_sensitive))
    problem = fu.mapping_problem(mapped, pool.required_attributes, user.attributes if user else {})
    if problem:
        raise reject("federated_attributes_invalid", f"{name} identity {subject!r}: {problem}", detail=problem)
    entry = fu.identity_entry(name, kind, subject, int(now * 1000), primary)
    if user is None:
        user = _create(rt, pool, client, name, subject, mapped, entry)
    else:
        check_user_can_sign_in(pool, user)
        user.attributes.update(mapped)
        user.attributes["identities"] = fu.with_identity(user.attributes.get("identities"), entry)
        user.modified = now
        rt.store.put_user(pool, user)
    user_triggers.post_authentication(rt, pool, client.client_id, user)
    return user


def _create(rt: Runtime, pool: UserPool, client: AppClient, provider_name: str, subject: str,
            mapped: Mapping[str, str], entry: Mapping[str, Any]) -> UserRecord:
    username = fu.federated_username(provider_name, subject, pool.case_sensitive)
    attributes = {**mapped, "identities": fu.with_identity(None, entry)}
    verdict = _pre_sign_up(rt, pool, client, username, attributes)
    sub = str(uuid.uuid4())
    now = rt.clock()
    user = UserRecord(pool_id=pool.id, username=username, sub=sub, attributes={"sub": sub, **attributes},
                      status=EXTERNAL_PROVIDER, created=now, modified=now)
    user_triggers.apply_verdict(user, verdict, confirm=False)
    with rt.store.transaction():
        rt.store.put_user(pool, user)
        group = provider_group(pool.id, provider_name)
        if rt.store.group(pool.id, group) is None:
            rt.store.put_group(Group(pool_id=pool.id, name=group, created=now, modified=now))
        rt.store.add_to_group(pool.id, group, username)
    user_triggers.post_confirmation(rt, pool, POST_CONFIRMATION_SOURCE, client.client_id, user)
    return user


def _pre_sign_up(rt: Runtime, pool: UserPool, client: AppClient, username: str,
                 attributes: Mapping[str, str]) -> user_triggers.SignUpVerdict:
    return user_triggers.pre_sign_up(rt, pool, PRE_SIGN_UP_SOURCE, client.client_id, username, dict(attributes), {})
