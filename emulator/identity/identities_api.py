"""GetId, GetCredentialsForIdentity (the enhanced flow), GetOpenIdToken (the basic flow) and
GetOpenIdTokenForDeveloperIdentity: identities found or made from verified logins, roles chosen, credentials
issued and recorded for the gateway's AWS_IAM routes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from emulator.cognito.errors import CognitoError
from emulator.cognito.protocol import Call
from emulator.identity import records
from emulator.identity.credentials import new_credentials
from emulator.identity.errors import reject
from emulator.identity.logins import OPENID_ISSUER, OPENID_KEYS, OPENID_PROVIDER, Login, user_pool_of, verify_logins
from emulator.identity.role_mapping import GroupRole, choose_role

if TYPE_CHECKING:
    from emulator.runtime import Runtime

OPENID_TOKEN_SECONDS = 600  # GetOpenIdToken: "The OpenID token is valid for 10 minutes." (API reference)
DEVELOPER_TOKEN_SECONDS = 900  # GetOpenIdTokenForDeveloperIdentity's TokenDuration default (15 minutes)


def _pool(rt: Runtime, pool_id: str) -> dict[str, Any]:
    pool = records.pool(rt.store, pool_id)
    if pool is None:
        raise reject("pool_not_found", f"no identity pool {pool_id} (configured under IdentityPools: or made with "
                                       "CreateIdentityPool)", pool_id=pool_id)
    return pool


def _identity(rt: Runtime, identity_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    identity = records.identity(rt.store, identity_id)
    if identity is None:
        raise reject("identity_not_found", f"no identity {identity_id}; GetId makes one", identity_id=identity_id)
    return identity, _pool(rt, identity["IdentityPoolId"])


def _new_identity(rt: Runtime, pool: Mapping[str, Any]) -> str:
    region = pool["IdentityPoolId"].split(":", 1)[0]
    identity_id = f"{region}:{uuid.uuid4()}"
    now = rt.clock()
    records.put_identity(rt.store, identity_id, {"IdentityPoolId": pool["IdentityPoolId"], "Logins": [],
                                                 "CreationDate": now, "LastModifiedDate": now})
    return identity_id


def _link(rt: Runtime, pool_id: str, identity_id: str, logins: list[Login]) -> None:
    """Every login now belongs to this identity; one that belongs to another identity is refused."""
    identity = records.identity(rt.store, identity_id) or {}
    for login in logins:
        if login.provider == OPENID_PROVIDER:
            if login.subject != identity_id:
                raise reject("logins_dont_match", f"the {OPENID_PROVIDER} token names identity {login.subject}, "
                                                  f"not {identity_id}")
            continue
        owner = records.identity_of_login(rt.store, pool_id, login.provider, login.subject)
        if owner is not None and owner != identity_id:
            raise reject("logins_dont_match", f"the {login.provider} login {login.subject} belongs to identity "
                                              f"{owner}, not {identity_id}")
        if owner is None:
            records.link_login(rt.store, pool_id, login.provider, login.subject, identity_id)
            identity["Logins"] = sorted({*identity.get("Logins", []), login.provider})
            identity["LastModifiedDate"] = rt.clock()
    if identity:
        records.put_identity(rt.store, identity_id, identity)


def _authenticated(identity: Mapping[str, Any], logins: list[Login], pool: Mapping[str, Any]) -> bool:
    """Whether this call acts as an authenticated identity, or AWS's refusal."""
    if logins:
        return not any(login.provider == OPENID_PROVIDER and "unauthenticated" in (login.claims.get("amr") or ())
                       for login in logins)
    if identity.get("Logins"):
        raise reject("logins_dont_match", f"identity has logins {identity['Logins']}; the call must present one")
    if not pool.get("AllowUnauthenticatedIdentities"):
        raise reject("unauthenticated_not_supported", "the call has no Logins and the identity pool has "
                                                      "AllowUnauthenticatedIdentities false")
    return False


def get_id(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _pool(rt, params["IdentityPoolId"])
    logins = verify_logins(rt, pool, params.get("Logins") or {})
    if not logins and not pool.get("AllowUnauthenticatedIdentities"):
        raise reject("unauthenticated_not_supported", "GetId without Logins makes an unauthenticated identity, "
                                                      "and the pool has AllowUnauthenticatedIdentities false")
    known = [records.identity_of_login(rt.store, pool["IdentityPoolId"], login.provider, login.subject)
             for login in logins if login.provider != OPENID_PROVIDER]
    identity_id = next((i for i in known if i), None) or next(
        (login.subject for login in logins if login.provider == OPENID_PROVIDER), None) or _new_identity(rt, pool)
    _link(rt, pool["IdentityPoolId"], identity_id, logins)
    return {"IdentityId": identity_id}


def _groups(rt: Runtime, login: Login | None) -> list[GroupRole]:
    pool_id = user_pool_of(login.provider) if login else None
    username = login.claims.get("cognito:username") if login else None
    if not pool_id or not isinstance(username, str):
        return []
    found = [rt.store.group(pool_id, name) for name in rt.store.groups_of(pool_id, username)]
    return [GroupRole(g.name, g.precedence, g.role_arn) for g in found if g is not None]


def get_credentials_for_identity(rt: Runtime, params: dict, call: Call) -> dict:
    identity_id = params["IdentityId"]
    identity, pool = _identity(rt, identity_id)
    logins = verify_logins(rt, pool, params.get("Logins") or {})
    authenticated = _authenticated(identity, logins, pool)
    _link(rt, pool["IdentityPoolId"], identity_id, logins)
    user_pool_login = next((login for login in logins if login.is_user_pool), None)
    mapping_key = f"{user_pool_login.provider}:{user_pool_login.client_id}" if user_pool_login else None
    mapping = (pool.get("RoleMappings") or {}).get(mapping_key) if mapping_key else None
    choice = choose_role(pool.get("Roles") or {}, mapping, authenticated,
                         user_pool_login.claims if user_pool_login else {}, _groups(rt, user_pool_login),
                         params.get("CustomRoleArn"))
    if choice.role_arn is None:
        raise reject("no_role", f"no role for this identity: {choice.how}")
    subject = user_pool_login.subject if user_pool_login else None
    issued = new_credentials(rt.clock(), identity_id, pool["IdentityPoolId"], choice.role_arn, authenticated,
                             tuple(login.provider for login in logins), subject)
    records.put_credentials(rt.store, issued)
    return {"IdentityId": identity_id, "Credentials": {
        "AccessKeyId": issued.access_key_id, "SecretKey": issued.secret_key,
        "SessionToken": issued.session_token, "Expiration": issued.expiration}}


def _openid_token(rt: Runtime, pool_id: str, identity_id: str, providers: list[str], authenticated: bool,
                  seconds: int) -> str:
    now = rt.now()
    amr = ["authenticated", *providers] if authenticated else ["unauthenticated"]
    claims = {"sub": identity_id, "aud": pool_id, "amr": amr, "iss": OPENID_ISSUER, "exp": now + seconds,
              "iat": now}
    return rt.signer.sign(OPENID_KEYS, "id", claims)


def classic_flow_refusal(pool: Mapping[str, Any]) -> CognitoError | None:
    """Why GetOpenIdToken (the basic flow's first step) is refused for this pool, or None (pure).
    aws/aws-cli#7652 reports AWS letting a pool created without the flag through; the emulator follows the
    documented rule and DescribeIdentityPool's AllowClassicFlow false."""
    if not pool.get("AllowClassicFlow"):
        return reject("classic_flow_disabled", "GetOpenIdToken is the basic (classic) flow, and the identity pool "
                                               "has AllowClassicFlow false; use GetCredentialsForIdentity")
    if pool.get("RoleMappings"):
        return reject("classic_flow_role_mappings", "the identity pool has RoleMappings "
                      f"({', '.join(sorted(pool['RoleMappings']))}); the basic flow lets the app pick the role, so "
                      "Cognito refuses it there")
    return None


def get_open_id_token(rt: Runtime, params: dict, call: Call) -> dict:
    identity_id = params["IdentityId"]
    identity, pool = _identity(rt, identity_id)
    refused = classic_flow_refusal(pool)
    if refused is not None:
        raise refused
    logins = verify_logins(rt, pool, params.get("Logins") or {})
    authenticated = _authenticated(identity, logins, pool)
    _link(rt, pool["IdentityPoolId"], identity_id, logins)
    providers = [login.provider for login in logins if login.provider != OPENID_PROVIDER]
    token = _openid_token(rt, pool["IdentityPoolId"], identity_id, providers, authenticated, OPENID_TOKEN_SECONDS)
    return {"IdentityId": identity_id, "Token": token}


def get_open_id_token_for_developer_identity(rt: Runtime, params: dict, call: Call) -> dict:
    pool = _pool(rt, params["IdentityPoolId"])
    pool_id = pool["IdentityPoolId"]
    developer = pool.get("DeveloperProviderName")
    logins = dict(params["Logins"])
    if not developer or developer not in logins:
        raise reject("developer_provider_mismatch", f"Logins {sorted(logins)} must include the identity pool's "
                     f"DeveloperProviderName ({developer or 'none is set'})")
    user = logins.pop(developer)
    verified = [Login(developer, user), *verify_logins(rt, pool, logins)]
    owner = records.identity_of_login(rt.store, pool_id, developer, user)
    identity_id = params.get("IdentityId") or owner or _new_identity(rt, pool)
    if records.identity(rt.store, identity_id) is None:
        raise reject("identity_not_found", f"no identity {identity_id} to link to", identity_id=identity_id)
    _link(rt, pool_id, identity_id, verified)
    seconds = params.get("TokenDuration") or DEVELOPER_TOKEN_SECONDS
    token = _openid_token(rt, pool_id, identity_id, [login.provider for login in verified], True, seconds)
    return {"IdentityId": identity_id, "Token": token}


OPERATIONS = {
    "GetId": get_id,
    "GetCredentialsForIdentity": get_credentials_for_identity,
    "GetOpenIdToken": get_open_id_token,
    "GetOpenIdTokenForDeveloperIdentity": get_open_id_token_for_developer_identity,
}
