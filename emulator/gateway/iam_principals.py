"""Who signed an AWS_IAM request: the key id looked up among the credentials identity pools issued (with their
role's policy from the config's `Roles:`) and the config's static `Credentials:`. The I/O edge of
iam_authorizer's pure decision."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.gateway.events import ACCOUNT_ID
from emulator.gateway.iam_authorizer import Principal
from emulator.identity import records
from emulator.identity.credentials import assumed_role_arn, caller

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def cognito_fields(issued: records.IssuedCredentials) -> dict[str, Any]:
    """The Cognito identity as API Gateway reports it. A user-pool sign-in's provider reads
    `cognito-idp.<region>.amazonaws.com/<pool>,cognito-idp.<region>.amazonaws.com/<pool>:CognitoSignIn:<sub>`."""
    providers = [p for p in issued.providers if p != "cognito-identity.amazonaws.com"]
    signed_in = [f"{p}:CognitoSignIn:{issued.subject}" for p in providers if p.startswith("cognito-idp.")
                 and issued.subject]
    provider = ",".join([*providers, *signed_in]) or None
    return {
        "identityId": issued.identity_id,
        "identityPoolId": issued.identity_pool_id,
        "authenticationType": "authenticated" if issued.authenticated else "unauthenticated",
        "authenticationProvider": provider if issued.authenticated else None,
        "amr": ["authenticated", *providers, *signed_in] if issued.authenticated else ["unauthenticated"],
    }


def principal_of(rt: Runtime, access_key_id: str) -> Principal | None:
    """The principal behind a key id, or None when the emulator never issued or was given that key."""
    issued = records.credentials(rt.store, access_key_id)
    if issued is not None:
        return Principal(access_key_id, issued.secret_key, assumed_role_arn(issued.role_arn, issued.session_name),
                         caller(issued.role_arn, issued.session_name),
                         ACCOUNT_ID, issued.session_token, issued.expiration, rt.config.roles.get(issued.role_arn),
                         role_arn=issued.role_arn, cognito=cognito_fields(issued))
    static = next((c for c in rt.config.credentials if c.access_key_id == access_key_id), None)
    if static is not None:
        return Principal(access_key_id, static.secret_access_key, f"arn:aws:iam::{ACCOUNT_ID}:root", ACCOUNT_ID,
                         ACCOUNT_ID, unrestricted=True)
    return None
