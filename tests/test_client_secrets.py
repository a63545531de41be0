"""Client secret rotation: AddUserPoolClientSecret / ListUserPoolClientSecrets / DeleteUserPoolClientSecret
through boto3; during a rotation SECRET_HASH (InitiateAuth), ClientSecret (GetTokensFromRefreshToken) and
HTTP Basic at /oauth2/token are accepted with either secret, and a deleted one is refused."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from typing import Any

import httpx
import pytest

from emulator.cognito.client_secrets import descriptors, with_secret_added, without_secret
from emulator.cognito.errors import CognitoError
from emulator.cognito.lookup import secret_hash
from emulator.model import AppClient
from tests.conftest import POOL_ID, bundled_config, refused

pytestmark = pytest.mark.e2e

CLIENT = "rotatingclient01"
FIRST = "firstsecret0123456789abcdefgh"
PUBLIC = "publicclient0001"
PASSWORD = "Correct-Horse1"


def _config() -> dict[str, Any]:
    data = bundled_config()
    pool = data["UserPools"][0]
    pool["Clients"] += [
        {"ClientName": "rotating", "ClientId": CLIENT, "ClientSecret": FIRST,
         "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
         "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
         "AllowedOAuthScopes": ["test_resource/test"]},
        {"ClientName": "public", "ClientId": PUBLIC, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH",
                                                                          "ALLOW_REFRESH_TOKEN_AUTH"]},
    ]
    pool["Users"] = [*pool.get("Users", []), {"Username": "rota", "Password": PASSWORD}]
    return data


CONFIG = _config()


# -- the rules, pure ----------------------------------------------------------------------------------


def test_two_secrets_at_most_and_never_none() -> None:
    client = AppClient(pool_id="us-east-1_X", client_id="c1", client_name="c", client_secret="a" * 30, created=10.0)
    two = with_secret_added(client, "b" * 30, 20.0)
    assert [d[1] for d in descriptors(two)] == ["a" * 30, "b" * 30] and two.secrets == ("a" * 30, "b" * 30)
    assert descriptors(two)[0][0] == "c1--10000"
    with pytest.raises(CognitoError) as full:
        with_secret_added(two, "c" * 30, 30.0)
    assert full.value.type == "LimitExceededException"
    one = without_secret(two, "c1--10000")  # the first goes: the added one becomes ClientSecret
    assert one.client_secret == "b" * 30 and one.added_secrets == () and one.secrets == ("b" * 30,)
    with pytest.raises(CognitoError) as last:
        without_secret(one, descriptors(one)[0][0])
    assert last.value.type == "InvalidParameterException"
    with pytest.raises(CognitoError) as public:
        with_secret_added(AppClient(pool_id="p", client_id="c2", client_name="p"), "d" * 30, 1.0)
    assert public.value.type == "InvalidParameterException"


# -- through boto3 and HTTP ---------------------------------------------------------------------------------


def _sign_in(idp: Any, secret: str) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "rota", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(secret, "rota", CLIENT)})


def _basic(server: Any, secret: str) -> httpx.Response:
    auth = base64.b64encode(f"{CLIENT}:{secret}".encode()).decode()
    return httpx.post(f"{server.url}/oauth2/token", headers={"Authorization": f"Basic {auth}"},
                      data={"grant_type": "client_credentials", "scope": "test_resource/test"})


def test_rotate_a_client_secret(server: Any, idp: Any) -> None:
    listed = idp.list_user_pool_client_secrets(UserPoolId=POOL_ID, ClientId=CLIENT)["ClientSecrets"]
    assert len(listed) == 1 and listed[0]["ClientSecretId"].startswith(f"{CLIENT}--")
    assert "ClientSecretValue" not in listed[0]
    added = idp.add_user_pool_client_secret(UserPoolId=POOL_ID, ClientId=CLIENT)["ClientSecretDescriptor"]
    second = added["ClientSecretValue"]
    assert len(second) >= 24
    # Both work, everywhere a secret is checked.
    for secret in (FIRST, second):
        tokens = _sign_in(idp, secret)["AuthenticationResult"]
        refreshed = idp.get_tokens_from_refresh_token(ClientId=CLIENT, ClientSecret=secret,
                                                      RefreshToken=tokens["RefreshToken"])
        assert refreshed["AuthenticationResult"]["AccessToken"]
        assert _basic(server, secret).status_code == 200
    name, _, reason = refused(lambda: idp.add_user_pool_client_secret(UserPoolId=POOL_ID, ClientId=CLIENT,
                                                                      ClientSecret="thirdsecret0123456789abcdef"))
    assert name == "LimitExceededException" and "already has 2" in reason
    # The first one retires: it is refused from then on, the second carries on.
    idp.delete_user_pool_client_secret(UserPoolId=POOL_ID, ClientId=CLIENT, ClientSecretId=listed[0]["ClientSecretId"])
    name, message, _ = refused(lambda: _sign_in(idp, FIRST))
    assert (name, message) == ("NotAuthorizedException", f"Unable to verify secret hash for client {CLIENT}")
    assert _basic(server, FIRST).status_code == 400
    assert _sign_in(idp, second)["AuthenticationResult"]
    described = idp.describe_user_pool_client(UserPoolId=POOL_ID, ClientId=CLIENT)["UserPoolClient"]
    assert described["ClientSecret"] == second
    remaining = idp.list_user_pool_client_secrets(UserPoolId=POOL_ID, ClientId=CLIENT)["ClientSecrets"]
    assert [r["ClientSecretId"] for r in remaining] == [added["ClientSecretId"]]
    name, _, _ = refused(lambda: idp.delete_user_pool_client_secret(
        UserPoolId=POOL_ID, ClientId=CLIENT, ClientSecretId=added["ClientSecretId"]))
    assert name == "InvalidParameterException"  # the last one stays


def test_a_given_secret_is_not_echoed_and_survives_an_update(idp: Any) -> None:
    created = idp.create_user_pool_client(UserPoolId=POOL_ID, ClientName="rot2", GenerateSecret=True)["UserPoolClient"]
    given = "givensecret0123456789abcdefgh"
    added = idp.add_user_pool_client_secret(UserPoolId=POOL_ID, ClientId=created["ClientId"],
                                            ClientSecret=given)["ClientSecretDescriptor"]
    assert "ClientSecretValue" not in added
    idp.update_user_pool_client(UserPoolId=POOL_ID, ClientId=created["ClientId"], ClientName="rot2-renamed")
    listed = idp.list_user_pool_client_secrets(UserPoolId=POOL_ID, ClientId=created["ClientId"])["ClientSecrets"]
    assert len(listed) == 2


def test_refusals(idp: Any) -> None:
    name, _, _ = refused(lambda: idp.add_user_pool_client_secret(UserPoolId=POOL_ID, ClientId=PUBLIC))
    assert name == "InvalidParameterException"
    name, _, _ = refused(lambda: idp.delete_user_pool_client_secret(UserPoolId=POOL_ID, ClientId=CLIENT,
                                                                    ClientSecretId=f"{CLIENT}--1"))
    assert name == "ResourceNotFoundException"
    name, _, _ = refused(lambda: idp.list_user_pool_client_secrets(UserPoolId=POOL_ID, ClientId="nosuchclient"))
    assert name == "ResourceNotFoundException"


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_rotates_a_client_secret(server: Any, idp: Any) -> None:
    created = idp.create_user_pool_client(UserPoolId=POOL_ID, ClientName="cli-rot", GenerateSecret=True)
    client_id = created["UserPoolClient"]["ClientId"]

    def aws(*args: str) -> dict[str, Any]:
        done = subprocess.run(["aws", "cognito-idp", *args, "--user-pool-id", POOL_ID, "--client-id", client_id,
                               "--endpoint-url", server.url, "--output", "json"], capture_output=True, text=True,
                              timeout=60, env={**os.environ, "AWS_PAGER": ""}, check=True)
        return json.loads(done.stdout) if done.stdout.strip() else {}
    added = aws("add-user-pool-client-secret")["ClientSecretDescriptor"]
    listed = aws("list-user-pool-client-secrets")["ClientSecrets"]
    assert [s["ClientSecretId"] for s in listed][-1] == added["ClientSecretId"] and len(listed) == 2
    aws("delete-user-pool-client-secret", "--client-secret-id", listed[0]["ClientSecretId"])
    assert [s["ClientSecretId"] for s in aws("list-user-pool-client-secrets")["ClientSecrets"]] == [
        added["ClientSecretId"]]
