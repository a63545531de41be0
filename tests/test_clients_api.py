"""CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient (AWS's reset-to-default
semantics), ListUserPoolClients, DeleteUserPoolClient through boto3, and signing in through
a pool, resource server and client built at run time."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from emulator.cognito.passwords import set_password
from emulator.server import EmulatorServer
from emulator.state import UserRecord
from tests.conftest import rejected

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Clients01"
CONFIG = {
    "Region": "us-east-1",
    "UserPools": [{
        "Id": POOL, "Name": "clients",
        "Users": [{"Username": "alice", "Password": "Passw0rd!",
                   "UserAttributes": {"email": "alice@example.com", "email_verified": "true"}}],
    }, {
        "Id": "us-east-1_Others001", "Name": "others",
        "Clients": [{"ClientName": "elsewhere", "ClientId": "elsewhere01"}],
    }],
}


@pytest.fixture(scope="module")
def resource_server(idp: Any) -> str:
    idp.create_resource_server(UserPoolId=POOL, Identifier="test_resource", Name="Test Resource",
                               Scopes=[{"ScopeName": "test", "ScopeDescription": "Test"}])
    return "test_resource/test"


# -- create ---------------------------------------------------------------------------------------
def test_create_client_with_aws_defaults(idp: Any) -> None:
    client = idp.create_user_pool_client(UserPoolId=POOL, ClientName="web")["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert "ClientSecret" not in client
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
    assert client["PreventUserExistenceErrors"] == "LEGACY"
    assert client["AllowedOAuthFlowsUserPoolClient"] is False and client["EnableTokenRevocation"] is True
    assert client["AuthSessionValidity"] == 3 and client["UserPoolId"] == POOL
    assert idp.describe_user_pool_client(UserPoolId=POOL, ClientId=client["ClientId"])["UserPoolClient"] == client


def test_generate_secret_gives_a_51_character_secret(idp: Any) -> None:
    client = idp.create_user_pool_client(UserPoolId=POOL, ClientName="srv", GenerateSecret=True)["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"])


def test_custom_client_secret_is_kept(idp: Any) -> None:
    secret = "my_own_secret_0123456789abcdef"
    client = idp.create_user_pool_client(UserPoolId=POOL, ClientName="own", ClientSecret=secret)["UserPoolClient"]
    assert client["ClientSecret"] == secret


def test_secret_given_and_generated_is_refused(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_client(UserPoolId=POOL, ClientName="both", GenerateSecret=True,
                                    ClientSecret="my_own_secret_0123456789abcdef")
    rejected(excinfo, "InvalidParameterException", "ClientSecret can not be specified when GenerateSecret is true.")


def test_create_client_in_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_client(UserPoolId="us-east-1_Nope00000", ClientName="x")
    rejected(excinfo, "ResourceNotFoundException", "User pool us-east-1_Nope00000 does not exist.")


CREATE_REFUSALS = [
    ("refresh not allowed", {"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]},
     "InvalidParameterException", "REFRESH_TOKEN_AUTH should always be allowed."),
    ("unknown custom scope", {"GenerateSecret": True, "AllowedOAuthFlowsUserPoolClient": True,
                              "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["nowhere/x"]},
     "ScopeDoesNotExistException", "Invalid scope requested: nowhere/x"),
    ("client_credentials with code", {"GenerateSecret": True, "AllowedOAuthFlowsUserPoolClient": True,
                                      "AllowedOAuthFlows": ["client_credentials", "code"],
                                      "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["https://a.example/cb"]},
     "InvalidOAuthFlowException",
     "client_credentials flow can not be selected along with code flow or implicit flow."),
    ("client_credentials without secret", {"AllowedOAuthFlowsUserPoolClient": True,
                                           "AllowedOAuthFlows": ["client_credentials"],
                                           "AllowedOAuthScopes": ["test_resource/test"]},
     "InvalidOAuthFlowException",
     "client_credentials flow can not be selected if client does not have a client secret."),
    ("OAuth switch without scopes", {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                                     "CallbackURLs": ["https://a.example/cb"]},
     "InvalidParameterException",
     "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows."),
    ("code flow without callbacks", {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                                     "AllowedOAuthScopes": ["openid"]},
     "InvalidOAuthFlowException", "CallbackUrls can not be empty when code flow or implicit flow is selected"),
    ("access token for two days", {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
     "InvalidParameterException", "Invalid range for token validity."),
]


@pytest.mark.parametrize(("case", "fields", "error_type", "message"), CREATE_REFUSALS,
                         ids=[c for c, *_ in CREATE_REFUSALS])
def test_create_client_refusals(idp: Any, resource_server: str, case: str, fields: dict, error_type: str,
                                message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_client(UserPoolId=POOL, ClientName="refused", **fields)
    rejected(excinfo, error_type, message)


def test_explicit_auth_flow_outside_the_enum_is_a_validation_error(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_client(UserPoolId=POOL, ClientName="bad", ExplicitAuthFlows=["ALLOW_EVERYTHING"])
    assert excinfo.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "enum value set" in excinfo.value.response["Error"]["Message"]


# -- describe / update ----------------------------------------------------------------------------
def test_describe_unknown_client_and_client_of_another_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool_client(UserPoolId=POOL, ClientId="nosuchclient")
    rejected(excinfo, "ResourceNotFoundException", "User pool client nosuchclient does not exist.")
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool_client(UserPoolId=POOL, ClientId="elsewhere01")
    assert "us-east-1_Others001" in rejected(excinfo, "ResourceNotFoundException",
                                             "User pool client elsewhere01 does not exist.")


def test_update_resets_every_omitted_setting(idp: Any) -> None:
    created = idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="full", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        CallbackURLs=["https://app.example.com/cb"], LogoutURLs=["https://app.example.com/"],
        SupportedIdentityProviders=["COGNITO"], PreventUserExistenceErrors="ENABLED",
        AccessTokenValidity=30, TokenValidityUnits={"AccessToken": "minutes"}, RefreshTokenValidity=7,
        AuthSessionValidity=10, ReadAttributes=["email"],
    )["UserPoolClient"]
    updated = idp.update_user_pool_client(UserPoolId=POOL, ClientId=created["ClientId"],
                                          ClientName="renamed")["UserPoolClient"]
    assert updated["ClientName"] == "renamed"
    assert updated["ClientSecret"] == created["ClientSecret"] and updated["CreationDate"] == created["CreationDate"]
    assert updated["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert updated["AllowedOAuthFlowsUserPoolClient"] is False
    for gone in ("AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs", "LogoutURLs",
                 "SupportedIdentityProviders", "AccessTokenValidity", "ReadAttributes"):
        assert gone not in updated, gone
    assert updated["PreventUserExistenceErrors"] == "LEGACY" and updated["RefreshTokenValidity"] == 30
    assert updated["AuthSessionValidity"] == 3 and updated["TokenValidityUnits"]["AccessToken"] == "hours"
    assert idp.describe_user_pool_client(UserPoolId=POOL, ClientId=created["ClientId"])["UserPoolClient"] == updated


def test_update_keeps_the_name_when_omitted(idp: Any) -> None:
    created = idp.create_user_pool_client(UserPoolId=POOL, ClientName="keep-me")["UserPoolClient"]
    updated = idp.update_user_pool_client(UserPoolId=POOL, ClientId=created["ClientId"],
                                          PreventUserExistenceErrors="ENABLED")["UserPoolClient"]
    assert updated["ClientName"] == "keep-me" and updated["PreventUserExistenceErrors"] == "ENABLED"


def test_refresh_token_validity_zero_means_thirty_days(idp: Any) -> None:
    created = idp.create_user_pool_client(UserPoolId=POOL, ClientName="zero", RefreshTokenValidity=0)
    assert created["UserPoolClient"]["RefreshTokenValidity"] == 30


def test_update_refusal_leaves_the_client_unchanged(idp: Any, resource_server: str) -> None:
    created = idp.create_user_pool_client(UserPoolId=POOL, ClientName="no-secret")["UserPoolClient"]
    with pytest.raises(ClientError) as excinfo:
        idp.update_user_pool_client(UserPoolId=POOL, ClientId=created["ClientId"],
                                    AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"],
                                    AllowedOAuthScopes=[resource_server])
    assert "GenerateSecret" in rejected(
        excinfo, "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.")
    assert idp.describe_user_pool_client(UserPoolId=POOL, ClientId=created["ClientId"])["UserPoolClient"] == created


def test_update_unknown_client(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.update_user_pool_client(UserPoolId=POOL, ClientId="nosuchclient")
    rejected(excinfo, "ResourceNotFoundException", "User pool client nosuchclient does not exist.")


# -- list / delete --------------------------------------------------------------------------------
def test_list_clients_pages_and_describes_briefly(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="listing")["UserPool"]["Id"]
    ids = {idp.create_user_pool_client(UserPoolId=pool_id, ClientName=f"c{i}")["UserPoolClient"]["ClientId"]
           for i in range(5)}
    seen, token = [], None
    while True:
        page = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2, **({"NextToken": token} if token else {}))
        seen += page["UserPoolClients"]
        token = page.get("NextToken")
        if not token:
            break
    assert {c["ClientId"] for c in seen} == ids and len(seen) == 5
    assert set(seen[0]) == {"ClientId", "UserPoolId", "ClientName"}
    assert len(idp.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]) == 5


def test_list_clients_max_results_over_60(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.list_user_pool_clients(UserPoolId=POOL, MaxResults=61)
    rejected(excinfo, "InvalidParameterException", "1 validation error detected: Value '61' at 'maxResults' "
             "failed to satisfy constraint: Member must have value less than or equal to 60")


def test_delete_client(idp: Any) -> None:
    client_id = idp.create_user_pool_client(UserPoolId=POOL, ClientName="gone")["UserPoolClient"]["ClientId"]
    idp.delete_user_pool_client(UserPoolId=POOL, ClientId=client_id)
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool_client(UserPoolId=POOL, ClientId=client_id)
    rejected(excinfo, "ResourceNotFoundException", f"User pool client {client_id} does not exist.")
    with pytest.raises(ClientError) as excinfo:
        idp.delete_user_pool_client(UserPoolId=POOL, ClientId=client_id)
    rejected(excinfo, "ResourceNotFoundException", f"User pool client {client_id} does not exist.")


# -- signing in through what was built at run time --------------------------------------------------
def verified_claims(server: EmulatorServer, pool_id: str, token: str) -> dict[str, Any]:
    keys = httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys["keys"] if k["kid"] == kid))
    return jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False},
                      issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}")


def test_seeded_user_signs_in_through_a_runtime_client(server: EmulatorServer, idp: Any,
                                                       resource_server: str) -> None:
    client = idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="password-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    result = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})["AuthenticationResult"]
    access = verified_claims(server, POOL, result["AccessToken"])
    assert access["client_id"] == client["ClientId"] and access["token_use"] == "access"
    assert verified_claims(server, POOL, result["IdToken"])["aud"] == client["ClientId"]


def test_a_client_reset_by_update_loses_the_password_flow(idp: Any) -> None:
    client_id = idp.create_user_pool_client(
        UserPoolId=POOL, ClientName="was-password",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.update_user_pool_client(UserPoolId=POOL, ClientId=client_id, ClientName="was-password")
    with pytest.raises(ClientError) as excinfo:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!"})
    rejected(excinfo, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")


def test_user_signs_in_to_a_pool_built_at_run_time(server: EmulatorServer, idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="built-at-run-time")["UserPool"]
    idp.create_resource_server(UserPoolId=pool["Id"], Identifier="orders", Name="Orders",
                               Scopes=[{"ScopeName": "read", "ScopeDescription": "Read orders"}])
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    # The user goes straight into the store (AdminCreateUser belongs to another module), as a seed would.
    store = server.runtime.store
    stored_pool = store.pool(pool["Id"])
    sub = str(uuid.uuid4())
    user = UserRecord(pool_id=pool["Id"], username="bob", sub=sub, attributes={"sub": sub}, status="CONFIRMED")
    set_password(user, pool["Id"], "Sup3r-secret!")
    store.put_user(stored_pool, user)
    result = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "bob", "PASSWORD": "Sup3r-secret!"})["AuthenticationResult"]
    claims = verified_claims(server, pool["Id"], result["AccessToken"])
    assert claims["sub"] == sub and claims["username"] == "bob"
    refreshed = idp.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]})["AuthenticationResult"]
    assert verified_claims(server, pool["Id"], refreshed["AccessToken"])["sub"] == sub
    # Signed with the new pool's own key: another pool's JWKS does not hold its kid.
    other_kids = {k["kid"] for k in httpx.get(f"{server.url}/{POOL}/.well-known/jwks.json").json()["keys"]}
    assert jwt.get_unverified_header(result["AccessToken"])["kid"] not in other_kids
