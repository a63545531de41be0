"""Identity pools through an unmodified boto3 cognito-identity client: pool CRUD and roles, GetId and
GetCredentialsForIdentity (enhanced flow), GetOpenIdToken (basic flow), developer identities, and AWS's refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import httpx
import pytest

from emulator.identity import records
from emulator.server import EmulatorServer
from tests.conftest import bundled_config, identity_client, refused

pytestmark = pytest.mark.e2e

PROVIDER = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"
ROLE = "arn:aws:iam::123456789012:role/Authenticated"
ADMIN_ROLE = "arn:aws:iam::123456789012:role/Admins"
CONFIG = {**bundled_config(), "IdentityPools": [{
    "IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000001", "IdentityPoolName": "configured",
    "AllowUnauthenticatedIdentities": False, "AllowClassicFlow": True,
    "CognitoIdentityProviders": [{"ProviderName": PROVIDER, "ClientId": "piyopiyo"}],
    "Roles": {"authenticated": ROLE}}]}
POOL = "us-east-1:00000000-0000-0000-0000-000000000001"


@pytest.fixture(scope="module")
def ci(server: EmulatorServer) -> Any:
    return identity_client(server.url)


def id_token(idp: Any, client_id: str = "piyopiyo", secret: bytes = b"amoamo") -> str:
    username = "peroper@hoge.com"
    secret_hash = base64.b64encode(hmac.new(secret, (username + client_id).encode(), hashlib.sha256).digest())
    result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": username, "PASSWORD": "munyamunya", "SECRET_HASH": secret_hash.decode()})
    return result["AuthenticationResult"]["IdToken"]


def test_configured_pool_is_described_and_listed(ci: Any) -> None:
    described = ci.describe_identity_pool(IdentityPoolId=POOL)
    assert described["IdentityPoolName"] == "configured"
    assert described["CognitoIdentityProviders"] == [{"ProviderName": PROVIDER, "ClientId": "piyopiyo"}]
    assert {"IdentityPoolId": POOL, "IdentityPoolName": "configured"} in \
        ci.list_identity_pools(MaxResults=60)["IdentityPools"]
    assert ci.get_identity_pool_roles(IdentityPoolId=POOL)["Roles"] == {"authenticated": ROLE}


def test_create_update_roles_and_delete(ci: Any) -> None:
    created = ci.create_identity_pool(IdentityPoolName="made", AllowUnauthenticatedIdentities=True,
                                      DeveloperProviderName="login.example")
    pool_id = created["IdentityPoolId"]
    assert pool_id.startswith("us-east-1:") and created["AllowClassicFlow"] is False
    updated = ci.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="renamed",
                                      AllowUnauthenticatedIdentities=False)
    assert updated["IdentityPoolName"] == "renamed" and updated["DeveloperProviderName"] == "login.example"
    mapping = {f"{PROVIDER}:piyopiyo": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": ROLE}, RoleMappings=mapping)
    assert ci.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == mapping
    code, _, reason = refused(lambda: ci.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": ROLE}, RoleMappings={f"{PROVIDER}:x": {"Type": "Rules"}}))
    assert code == "InvalidParameterException" and "AmbiguousRoleResolution" in reason
    ci.delete_identity_pool(IdentityPoolId=pool_id)
    assert refused(lambda: ci.describe_identity_pool(IdentityPoolId=pool_id))[:2] == (
        "ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def test_enhanced_flow_with_a_user_pool_id_token(ci: Any, idp: Any) -> None:
    token = id_token(idp)
    identity_id = ci.get_id(IdentityPoolId=POOL, Logins={PROVIDER: token})["IdentityId"]
    assert ci.get_id(IdentityPoolId=POOL, Logins={PROVIDER: token})["IdentityId"] == identity_id  # same user
    credentials = ci.get_credentials_for_identity(IdentityId=identity_id, Logins={PROVIDER: token})["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    assert len(credentials["SecretKey"]) == 40 and credentials["SessionToken"]
    assert refused(lambda: ci.get_credentials_for_identity(IdentityId=identity_id))[:2] == (
        "NotAuthorizedException",
        "Logins don't match. Please include at least one valid login for this identity or identity pool.")
    basic = ci.get_open_id_token(IdentityId=identity_id, Logins={PROVIDER: token})
    assert basic["IdentityId"] == identity_id and basic["Token"].count(".") == 2


def test_tokens_the_pool_does_not_accept(ci: Any, idp: Any) -> None:
    token = id_token(idp)
    assert refused(lambda: ci.get_id(IdentityPoolId=POOL))[:2] == (
        "NotAuthorizedException", "Unauthenticated access is not supported for this identity pool.")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert refused(lambda: ci.get_id(IdentityPoolId=POOL, Logins={PROVIDER: forged}))[:2] == (
        "NotAuthorizedException", "Invalid login token. Couldn't verify signed token.")
    other = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Other0001"
    assert refused(lambda: ci.get_id(IdentityPoolId=POOL, Logins={other: token}))[0] == "NotAuthorizedException"
    assert refused(lambda: ci.get_id(IdentityPoolId="us-east-1:99999999-0000-0000-0000-000000000000"))[:2] == (
        "ResourceNotFoundException", "IdentityPool 'us-east-1:99999999-0000-0000-0000-000000000000' not found.")


def test_expired_id_token(ci: Any, idp: Any, server: EmulatorServer) -> None:
    token = id_token(idp)
    server.runtime.clock.advance(7200)
    try:
        code, message, _ = refused(lambda: ci.get_id(IdentityPoolId=POOL, Logins={PROVIDER: token}))
    finally:
        server.runtime.clock.advance(-7200)
    assert code == "NotAuthorizedException" and message.startswith("Invalid login token. Token expired: ")


def test_token_role_mapping_uses_the_groups_preferred_role(ci: Any, idp: Any, server: EmulatorServer) -> None:
    idp.create_group(UserPoolId="us-east-1_Example01", GroupName="role-admins", RoleArn=ADMIN_ROLE, Precedence=1)
    idp.admin_add_user_to_group(UserPoolId="us-east-1_Example01", Username="peroper@hoge.com",
                                GroupName="role-admins")
    pool_id = ci.create_identity_pool(IdentityPoolName="mapped", AllowUnauthenticatedIdentities=False,
                                      CognitoIdentityProviders=[{"ProviderName": PROVIDER,
                                                                 "ClientId": "piyopiyo"}])["IdentityPoolId"]
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": ROLE}, RoleMappings={
        f"{PROVIDER}:piyopiyo": {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    token = id_token(idp)
    identity_id = ci.get_id(IdentityPoolId=pool_id, Logins={PROVIDER: token})["IdentityId"]
    access_key = ci.get_credentials_for_identity(IdentityId=identity_id,
                                                 Logins={PROVIDER: token})["Credentials"]["AccessKeyId"]
    issued = records.credentials(server.runtime.store, access_key)
    assert issued is not None and issued.role_arn == ADMIN_ROLE and issued.identity_id == identity_id


def test_developer_identity_then_enhanced_flow(ci: Any) -> None:
    pool_id = ci.create_identity_pool(IdentityPoolName="dev", AllowUnauthenticatedIdentities=False,
                                      DeveloperProviderName="login.example")["IdentityPoolId"]
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": ROLE})
    first = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.example": "user-1"})
    again = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.example": "user-1"})
    assert first["IdentityId"] == again["IdentityId"]
    credentials = ci.get_credentials_for_identity(
        IdentityId=first["IdentityId"], Logins={"cognito-identity.amazonaws.com": first["Token"]})
    assert credentials["Credentials"]["AccessKeyId"].startswith("ASIA")
    code, _, reason = refused(lambda: ci.get_id(IdentityPoolId=pool_id, Logins={"login.example": "user-1"}))
    assert code == "NotAuthorizedException" and "GetOpenIdTokenForDeveloperIdentity" in reason


def test_input_is_validated_against_the_model(ci: Any) -> None:
    code, message, _ = refused(lambda: ci.get_id(IdentityPoolId="not a pool id"))
    assert code == "InvalidParameterException"
    assert message == ("1 validation error detected: Value 'not a pool id' at 'identityPoolId' failed to satisfy "
                       "constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+")


def test_admin_operations_need_a_signature(server: EmulatorServer) -> None:
    response = httpx.post(server.url, content=b'{"MaxResults": 5}', headers={
        "X-Amz-Target": "AWSCognitoIdentityService.ListIdentityPools",
        "Content-Type": "application/x-amz-json-1.1"})
    assert response.status_code == 400
    assert response.json()["__type"] == "MissingAuthenticationTokenException"


def test_describe_list_and_delete_identities(ci: Any, idp: Any) -> None:
    token = id_token(idp)
    identity_id = ci.get_id(IdentityPoolId=POOL, Logins={PROVIDER: token})["IdentityId"]
    described = ci.describe_identity(IdentityId=identity_id)
    assert described["Logins"] == [PROVIDER] and described["CreationDate"]
    listed = ci.list_identities(IdentityPoolId=POOL, MaxResults=60)["Identities"]
    assert identity_id in [i["IdentityId"] for i in listed]
    assert ci.delete_identities(IdentityIdsToDelete=[identity_id])["UnprocessedIdentityIds"] == []
    assert refused(lambda: ci.describe_identity(IdentityId=identity_id))[0] == "ResourceNotFoundException"
    assert ci.get_id(IdentityPoolId=POOL, Logins={PROVIDER: token})["IdentityId"] != identity_id  # a new one


def test_lookup_and_unlink_developer_identities(ci: Any, idp: Any) -> None:
    pool_id = ci.create_identity_pool(IdentityPoolName="devlookup", AllowUnauthenticatedIdentities=False,
                                      DeveloperProviderName="login.lookup",
                                      CognitoIdentityProviders=[{"ProviderName": PROVIDER,
                                                                 "ClientId": "piyopiyo"}])["IdentityPoolId"]
    made = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={"login.lookup": "u-1"})
    found = ci.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="u-1", MaxResults=10)
    assert found["IdentityId"] == made["IdentityId"] and found["DeveloperUserIdentifierList"] == ["u-1"]
    ci.unlink_developer_identity(IdentityId=made["IdentityId"], IdentityPoolId=pool_id,
                                 DeveloperProviderName="login.lookup", DeveloperUserIdentifier="u-1")
    assert refused(lambda: ci.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="u-1",
                                                        MaxResults=10))[0] == "ResourceNotFoundException"
    token = id_token(idp)
    identity_id = ci.get_id(IdentityPoolId=pool_id, Logins={PROVIDER: token})["IdentityId"]
    ci.unlink_identity(IdentityId=identity_id, Logins={PROVIDER: token}, LoginsToRemove=[PROVIDER])
    assert ci.describe_identity(IdentityId=identity_id)["Logins"] == []
