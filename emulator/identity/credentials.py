"""Temporary AWS credentials in AWS's shapes: `ASIA` key ids, 40-character secrets, opaque session tokens,
and the STS principal they stand for (assumed-role ARN, caller id) as API Gateway reports it."""

from __future__ import annotations

import base64
import hashlib
import secrets
import string

from emulator.identity.records import IssuedCredentials

ACCOUNT_ID = "123456789012"  # the fake account the gateway and the Lambda context report too
LIFETIME_SECONDS = 3600  # GetCredentialsForIdentity's credentials last one hour
SESSION_NAME = "CognitoIdentityCredentials"  # the role session name Cognito gives (userArn's last part)
_UPPER = string.ascii_uppercase + string.digits
_SECRET = string.ascii_letters + string.digits + "+/"


def new_credentials(now: float, identity_id: str, pool_id: str, role_arn: str, authenticated: bool,
                    providers: tuple[str, ...], subject: str | None) -> IssuedCredentials:
    """Fresh credentials for an identity in a role, valid for LIFETIME_SECONDS from `now`."""
    key_id = "ASIA" + "".join(secrets.choice(_UPPER) for _ in range(16))
    secret = "".join(secrets.choice(_SECRET) for _ in range(40))
    token = base64.b64encode(b"emulator-session:" + secrets.token_bytes(96)).decode()
    return IssuedCredentials(key_id, secret, token, float(int(now) + LIFETIME_SECONDS), identity_id, pool_id,
                             role_arn, authenticated, providers, subject)


def role_name(role_arn: str) -> str:
    """`arn:aws:iam::<account>:role/<path/>Name` -> Name."""
    return role_arn.rsplit("/", 1)[-1]


def assumed_role_arn(role_arn: str, session: str = SESSION_NAME) -> str:
    """The STS principal the credentials act as: arn:aws:sts::<account>:assumed-role/<Name>/<session>."""
    parts = role_arn.split(":")
    account = parts[4] if len(parts) > 5 and parts[4] else ACCOUNT_ID
    return f"arn:aws:sts::{account}:assumed-role/{role_name(role_arn)}/{session}"


def role_id(role_arn: str) -> str:
    """A stable `AROA...` unique id for a role (IAM gives each role one; this is derived from its ARN)."""
    digest = int(hashlib.sha256(role_arn.encode()).hexdigest(), 16)
    out = ""
    for _ in range(17):
        digest, i = divmod(digest, len(_UPPER))
        out += _UPPER[i]
    return "AROA" + out


def caller(role_arn: str, session: str = SESSION_NAME) -> str:
    """requestContext.identity.caller for assumed-role credentials: `<role id>:<session name>`."""
    return f"{role_id(role_arn)}:{session}"
