"""STS AssumeRoleWithWebIdentity for identity pools' basic (classic) flow: the OpenID token GetOpenIdToken issued
is verified with the identity pool's key, the role's trust checked, and temporary credentials issued that the
gateway's AWS_IAM routes accept like the enhanced flow's.

Trust policies are not configurable here; the emulator models the trust the Cognito console writes for an
identity pool's roles (Federated `cognito-identity.amazonaws.com`, `aud` the pool, `amr` authenticated or
unauthenticated), and takes a role declared under the config's `Roles:` to trust authenticated identities of
every identity pool. Anything else is AccessDenied, with the reason."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt

from emulator.identity import records
from emulator.identity.credentials import assumed_role_arn, new_credentials, role_id
from emulator.identity.logins import OPENID_ISSUER, OPENID_KEYS, OPENID_PROVIDER
from emulator.identity.sts_protocol import Element, StsError, leaves

if TYPE_CHECKING:
    from emulator.runtime import Runtime

ACTION = "AssumeRoleWithWebIdentity"
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
DEFAULT_SECONDS = 3600
MIN_SECONDS = 900
MAX_SESSION_SECONDS = 3600  # a role's MaxSessionDuration defaults to one hour; roles here have the default


def _missing(name: str) -> StsError:
    return StsError("validation", f"{name} is required", detail=f"1 validation error detected: Value null at "
                                                                 f"'{name[0].lower() + name[1:]}' failed to satisfy "
                                                                 "constraint: Member must not be null")


def checked_request(fields: Mapping[str, str]) -> tuple[str, str, str, int]:
    """(RoleArn, RoleSessionName, WebIdentityToken, DurationSeconds), or STS's ValidationError (pure)."""
    for name in ("RoleArn", "RoleSessionName", "WebIdentityToken"):
        if not fields.get(name):
            raise _missing(name)
    if any(name == "Policy" or name.startswith("PolicyArns.") for name in fields):
        raise StsError("not_emulated", "session policies (Policy, PolicyArns) are not emulated: the credentials "
                                       "would carry more permissions than AWS grants, so the request is refused",
                       detail="Session policies are not supported by this emulator")
    role_arn, session, token = fields["RoleArn"], fields["RoleSessionName"], fields["WebIdentityToken"]
    if not ROLE_ARN.fullmatch(role_arn):
        raise StsError("validation", f"RoleArn {role_arn!r} is not an IAM role ARN",
                       detail=f"{role_arn} is invalid")
    if not SESSION_NAME.fullmatch(session):
        raise StsError("validation", "RoleSessionName must be 2-64 of letters, digits and +=,.@_-",
                       detail=f"1 validation error detected: Value '{session}' at 'roleSessionName' failed to "
                              "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    raw = fields.get("DurationSeconds") or str(DEFAULT_SECONDS)
    seconds = int(raw) if raw.isdigit() else -1
    if seconds < MIN_SECONDS:
        raise StsError("validation", f"DurationSeconds {raw} is below {MIN_SECONDS}",
                       detail=f"1 validation error detected: Value '{raw}' at 'durationSeconds' failed to satisfy "
                              f"constraint: Member must have value greater than or equal to {MIN_SECONDS}")
    if seconds > MAX_SESSION_SECONDS:
        raise StsError("validation", f"DurationSeconds {seconds} exceeds the role's MaxSessionDuration "
                                     f"({MAX_SESSION_SECONDS}, IAM's default)",
                       detail="The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    return role_arn, session, token, seconds


def trust_refusal(role_arn: str, pool: Mapping[str, Any], authenticated: bool,
                  declared_roles: Collection[str]) -> str | None:
    """Why the role does not trust this identity pool's identity, or None (pure; see the module's docstring)."""
    roles = pool.get("Roles") or {}
    kind = "authenticated" if authenticated else "unauthenticated"
    if roles.get(kind) == role_arn or (authenticated and role_arn in declared_roles):
        return None
    other = "unauthenticated" if authenticated else "authenticated"
    if roles.get(other) == role_arn:
        return (f"{role_arn} is the identity pool's {other} role; its trust policy (amr {other}) does not admit "
                f"an {kind} identity")
    where = "the identity pool's authenticated role or a role under the config's Roles:" if authenticated else \
        "the identity pool's unauthenticated role"
    return f"{role_arn} does not trust {kind} identities of {pool.get('IdentityPoolId')}: use {where}"


def _claims(rt: Runtime, token: str) -> dict[str, Any]:
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as exc:
        raise StsError("invalid_token", f"WebIdentityToken is not a JWT ({exc})") from None
    if issuer != OPENID_ISSUER:
        raise StsError("invalid_token", f"the token's iss is {issuer!r}; the emulator's STS trusts only the OpenID "
                                        f"tokens identity pools issue ({OPENID_ISSUER})")
    key = rt.keyring.signing_key(OPENID_KEYS, "id").private_key.public_key()
    try:
        claims = jwt.decode(token, key, algorithms=["RS256"], issuer=OPENID_ISSUER,
                            options={"verify_aud": False, "verify_exp": False, "verify_iat": False})
    except jwt.PyJWTError as exc:
        raise StsError("invalid_token", f"the token is not signed by the identity pools' key ({exc})") from None
    exp, now = claims.get("exp"), rt.now()
    if not isinstance(exp, int | float) or exp <= now:
        raise StsError("expired_token", f"the OpenID token expired at {exp}; it is now {now} (GetOpenIdToken's "
                                        "tokens last 10 minutes)")
    return claims


def assume_role_with_web_identity(rt: Runtime, fields: Mapping[str, str]) -> tuple[Element, ...]:
    """The AssumeRoleWithWebIdentityResult's elements, or an StsError."""
    role_arn, session, token, seconds = checked_request(fields)
    claims = _claims(rt, token)
    pool_id = claims.get("aud")
    pool = records.pool(rt.store, pool_id) if isinstance(pool_id, str) else None
    if pool is None:
        raise StsError("wrong_audience", f"the token's aud {pool_id!r} is no identity pool of this emulator")
    amr = [a for a in claims.get("amr") or () if isinstance(a, str)]
    authenticated = "authenticated" in amr
    problem = trust_refusal(role_arn, pool, authenticated, rt.config.roles)
    if problem is not None:
        raise StsError("access_denied", problem)
    identity_id = str(claims.get("sub"))
    providers = tuple(a for a in amr if a not in ("authenticated", "unauthenticated"))
    now = rt.clock()
    issued = replace(new_credentials(now, identity_id, pool_id, role_arn, authenticated, providers, None),
                     expiration=float(int(now) + seconds), session_name=session)
    records.put_credentials(rt.store, issued)
    expiration = datetime.fromtimestamp(issued.expiration, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    arn = assumed_role_arn(role_arn, session)
    return (
        leaves("Credentials", {"AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret_key,
                               "SessionToken": issued.session_token, "Expiration": expiration}),
        Element("SubjectFromWebIdentityToken", identity_id),
        leaves("AssumedRoleUser", {"Arn": arn, "AssumedRoleId": f"{role_id(role_arn)}:{session}"}),
        Element("Provider", OPENID_PROVIDER),
        Element("Audience", pool_id),
    )


