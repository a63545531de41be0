"""The `Logins` map of GetId / GetCredentialsForIdentity / GetOpenIdToken: each login key and token checked the
way Cognito checks it. User-pool ID tokens are verified against the local pool's keys; OpenID tokens this
service issued (`cognito-identity.amazonaws.com`) against its own key. Other federated providers are refused
with a reason (their tokens are not verified here), never accepted unchecked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import jwt

from emulator.cognito.errors import CognitoError
from emulator.identity.errors import reject
from emulator.tokens import pool_id_of_unverified

if TYPE_CHECKING:
    from emulator.runtime import Runtime

OPENID_PROVIDER = "cognito-identity.amazonaws.com"
OPENID_ISSUER = f"https://{OPENID_PROVIDER}"
OPENID_KEYS = "cognito-identity"  # the keyring entry this service signs its OpenID tokens with


@dataclass(frozen=True)
class Login:
    """One verified login: its key, the subject it names, and the token's claims."""

    provider: str
    subject: str
    claims: Mapping[str, Any] = field(default_factory=dict)
    client_id: str | None = None  # a user-pool token's aud (role mappings are keyed by provider:client id)

    @property
    def is_user_pool(self) -> bool:
        return user_pool_of(self.provider) is not None


def user_pool_of(provider: str) -> str | None:
    """The user pool id of a `cognito-idp.<region>.amazonaws.com/<poolId>` login key, or None."""
    host, slash, pool_id = provider.partition("/")
    if not slash or not host.startswith("cognito-idp.") or not host.endswith(".amazonaws.com") or not pool_id:
        return None
    return pool_id


def check_user_pool_claims(claims: Mapping[str, Any], clients: tuple[str, ...], now: int) -> CognitoError | None:
    """Cognito's checks of a verified user-pool token's claims (pure): an ID token, not expired, issued to one
    of the app clients the identity pool lists for this provider."""
    if claims.get("token_use") != "id":
        return reject("login_token_unverified", f"the login is a user-pool {claims.get('token_use')} token; "
                                                "identity pools take the ID token")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= now:
        return reject("login_token_expired", f"the ID token expired at {exp}, and it is now {now}", exp=exp, now=now)
    if claims.get("aud") not in clients:
        return reject("unsupported_provider", f"the ID token was issued to client {claims.get('aud')!r}; the identity "
                                        f"pool's CognitoIdentityProviders list {list(clients)} for this pool")
    return None


def clients_of(identity_pool: Mapping[str, Any], provider: str) -> tuple[str, ...]:
    """The client ids an identity pool accepts for a user-pool provider (CognitoIdentityProviders)."""
    return tuple(p.get("ClientId") for p in identity_pool.get("CognitoIdentityProviders") or ()
                 if p.get("ProviderName") == provider and p.get("ClientId"))


def _user_pool_login(rt: Runtime, identity_pool: Mapping[str, Any], provider: str, token: str,
                     pool_id: str) -> Login:
    clients = clients_of(identity_pool, provider)
    if not clients:
        raise reject("unsupported_provider", f"{provider} is not one of the identity pool's "
                                             "CognitoIdentityProviders")
    if pool_id_of_unverified(token) != pool_id:
        raise reject("login_issuer_mismatch", f"the token's iss does not end in {pool_id}, the pool its login "
                                              f"key {provider} names")
    pool = rt.store.pool(pool_id)
    if pool is None:
        raise reject("login_token_unverified", f"no local user pool {pool_id} to verify the token with")
    try:
        claims = rt.signer.decode_own(pool, token, "id")
    except (jwt.PyJWTError, ValueError) as exc:
        raise reject("login_token_unverified", f"the token is not an ID token signed by {pool_id}'s key "
                                               f"({type(exc).__name__}: {exc})") from None
    problem = check_user_pool_claims(claims, clients, rt.now())
    if problem is not None:
        raise problem
    return Login(provider, str(claims.get("sub")), claims, str(claims.get("aud")))


def _openid_login(rt: Runtime, identity_pool_id: str, token: str) -> Login:
    key = rt.keyring.signing_key(OPENID_KEYS, "id")
    try:
        claims = jwt.decode(token, key.private_key.public_key(), algorithms=["RS256"], issuer=OPENID_ISSUER,
                            audience=identity_pool_id, options={"verify_exp": False, "verify_iat": False})
    except jwt.PyJWTError as exc:
        raise reject("login_token_unverified", f"the {OPENID_PROVIDER} token is not one this emulator issued "
                                               f"for {identity_pool_id} ({type(exc).__name__}: {exc})") from None
    exp, now = claims.get("exp"), rt.now()
    if not isinstance(exp, int | float) or exp <= now:
        raise reject("login_token_expired", f"the OpenID token expired at {exp}", exp=exp, now=now)
    return Login(OPENID_PROVIDER, str(claims.get("sub")), claims)


def verify_logins(rt: Runtime, identity_pool: Mapping[str, Any], logins: Mapping[str, str]) -> list[Login]:
    """Every login verified, or the rejection of the first one that is not."""
    verified = []
    for provider, token in logins.items():
        pool_id = user_pool_of(provider)
        if pool_id is not None:
            verified.append(_user_pool_login(rt, identity_pool, provider, token, pool_id))
        elif provider == OPENID_PROVIDER:
            verified.append(_openid_login(rt, identity_pool["IdentityPoolId"], token))
        elif provider == identity_pool.get("DeveloperProviderName"):
            raise reject("developer_provider_mismatch", f"{provider} is the pool's developer provider: its logins "
                         "go through GetOpenIdTokenForDeveloperIdentity (signed, from your backend), whose token "
                         f"the app then sends as the {OPENID_PROVIDER} login")
        elif provider in (identity_pool.get("SupportedLoginProviders") or {}) or \
                provider in (identity_pool.get("OpenIdConnectProviderARNs") or ()) or \
                provider in (identity_pool.get("SamlProviderARNs") or ()):
            raise reject("login_token_unverified", f"{provider} tokens are not verified by the emulator (only "
                         f"local user pools and {OPENID_PROVIDER} tokens are); it refuses rather than trusting "
                         "an unchecked token")
        else:
            raise reject("unsupported_provider", f"login key {provider!r} is neither a user pool of "
                                                 "CognitoIdentityProviders nor another provider of this identity pool")
    return verified
