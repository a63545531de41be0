"""CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool, DeleteUserPool and the domain
operations through boto3; pools created at run time persist and get their own JWKS."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from emulator.cognito.errors import CognitoError
from emulator.cognito.pagination import page
from emulator.cognito.pool_rules import region_from_authorization
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import POOL_ID, bundled_config, cognito_client, rejected

pytestmark = pytest.mark.e2e


FULL_POOL = {
    "PoolName": "runtime-pool",
    "Policies": {"PasswordPolicy": {"MinimumLength": 12, "RequireSymbols": False}},
    "UsernameAttributes": ["email"],
    "AutoVerifiedAttributes": ["email"],
    "MfaConfiguration": "OPTIONAL",
    "UsernameConfiguration": {"CaseSensitive": False},
    "Schema": [{"Name": "tenant", "AttributeDataType": "String", "Mutable": True}],
    "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre",
                     "PreTokenGenerationConfig": {"LambdaVersion": "V2_0",
                                                  "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:t"}},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
    "UserPoolTags": {"team": "auth"},
}


def test_create_user_pool_returns_the_describe_shape(idp: Any) -> None:
    created = idp.create_user_pool(**FULL_POOL)["UserPool"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", created["Id"])
    assert created["Arn"] == f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{created['Id']}"
    assert created["Name"] == "runtime-pool" and created["Status"] == "Enabled"
    policy = created["Policies"]["PasswordPolicy"]
    assert (policy["MinimumLength"], policy["RequireSymbols"], policy["RequireUppercase"]) == (12, False, True)
    assert created["UsernameAttributes"] == ["email"] and created["AutoVerifiedAttributes"] == ["email"]
    assert created["MfaConfiguration"] == "OPTIONAL"
    assert created["UsernameConfiguration"] == {"CaseSensitive": False}
    assert created["LambdaConfig"]["PreSignUp"].endswith(":function:pre")
    assert created["LambdaConfig"]["PreTokenGenerationConfig"]["LambdaVersion"] == "V2_0"
    assert created["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert created["UserPoolTags"] == {"team": "auth"}
    assert created["DeletionProtection"] == "INACTIVE" and created["EstimatedNumberOfUsers"] == 0
    described = idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    assert described == created


def test_create_user_pool_defaults(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="bare")["UserPool"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True, "RequireNumbers": True,
        "RequireSymbols": True, "TemporaryPasswordValidityDays": 7}
    assert pool["MfaConfiguration"] == "OFF"
    assert pool["UsernameConfiguration"] == {"CaseSensitive": True}  # the API's default, unlike the console's
    assert "UsernameAttributes" not in pool and "AliasAttributes" not in pool


def test_create_user_pool_refuses_username_and_alias_attributes(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool(PoolName="both", UsernameAttributes=["email"], AliasAttributes=["preferred_username"])
    reason = rejected(excinfo, "InvalidParameterException",
                      "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
    assert "exclude each other" in reason


def raw_call(url: str, operation: str, body: dict) -> httpx.Response:
    """A JSON 1.1 call without boto3, for input boto3 refuses to send itself (signed in form: any signature
    passes when the config declares no Credentials)."""
    return httpx.post(url, content=json.dumps(body).encode(), headers={
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Date": "20260101T000000Z",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, "
                         "SignedHeaders=host;x-amz-date, Signature=00"})


def test_create_user_pool_validates_against_the_service_model(server: EmulatorServer, idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool(PoolName="no/slashes")
    rejected(excinfo, "InvalidParameterException",
             "1 validation error detected: Value 'no/slashes' at 'poolName' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: [\\w\\s+=,.@-]+")
    response = raw_call(server.url, "CreateUserPool",
                        {"PoolName": "short", "Policies": {"PasswordPolicy": {"MinimumLength": 4}}})
    assert response.status_code == 400 and response.headers["x-emulator-reason"]
    assert response.json()["message"] == (
        "1 validation error detected: Value '4' at 'policies.passwordPolicy.minimumLength' failed to satisfy "
        "constraint: Member must have value greater than or equal to 6")


def test_runtime_pool_gets_its_own_jwks_and_discovery(server: EmulatorServer, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="keys")["UserPool"]["Id"]
    keys = httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").json()["keys"]
    bundled = httpx.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 2 and {k["kid"] for k in keys}.isdisjoint({k["kid"] for k in bundled})
    discovery = httpx.get(f"{server.url}/{pool_id}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"


def test_describe_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool(UserPoolId="us-east-1_Nope00000")
    rejected(excinfo, "ResourceNotFoundException", "User pool us-east-1_Nope00000 does not exist.")


def test_list_user_pools_pages_through_every_pool(idp: Any) -> None:
    for i in range(3):
        idp.create_user_pool(PoolName=f"page-{i}")
    everything = idp.list_user_pools(MaxResults=60)["UserPools"]
    seen, token = [], None
    while True:
        page = idp.list_user_pools(MaxResults=2, **({"NextToken": token} if token else {}))
        assert len(page["UserPools"]) <= 2
        seen += page["UserPools"]
        token = page.get("NextToken")
        if not token:
            break
    assert [p["Id"] for p in seen] == [p["Id"] for p in everything]
    assert {"Id", "Name", "LambdaConfig", "Status", "LastModifiedDate", "CreationDate"} == set(seen[0])
    assert POOL_ID in {p["Id"] for p in seen}


@pytest.mark.parametrize(("max_results", "constraint"), [
    (0, "Member must have value greater than or equal to 1"),
    (61, "Member must have value less than or equal to 60"),
])
def test_list_user_pools_max_results_range(server: EmulatorServer, max_results: int, constraint: str) -> None:
    response = raw_call(server.url, "ListUserPools", {"MaxResults": max_results})
    assert response.status_code == 400 and response.headers["x-emulator-reason"]
    assert response.json() == {"__type": "InvalidParameterException", "message": (
        f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy constraint: "
        f"{constraint}")}


def test_list_user_pools_requires_max_results(server: EmulatorServer) -> None:
    response = raw_call(server.url, "ListUserPools", {})
    assert response.status_code == 400
    assert response.json() == {"__type": "InvalidParameterException", "message": (
        "1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: "
        "Member must not be null")}
    assert response.headers["x-emulator-reason"]


def test_list_user_pools_refuses_a_made_up_token(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.list_user_pools(MaxResults=5, NextToken="%%%not-a-token")
    rejected(excinfo, "InvalidParameterException", "Invalid pagination token.")


def test_update_user_pool_resets_what_it_omits(idp: Any) -> None:
    pool_id = idp.create_user_pool(**FULL_POOL)["UserPool"]["Id"]
    idp.update_user_pool(UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 9}})
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 9
    assert pool["Policies"]["PasswordPolicy"]["RequireSymbols"] is True  # back to the default
    assert pool["MfaConfiguration"] == "OFF" and pool["LambdaConfig"] == {}
    assert "AutoVerifiedAttributes" not in pool and "UserPoolTags" not in pool
    assert pool["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7}
    # Immutable settings stay.
    assert pool["Name"] == "runtime-pool" and pool["UsernameAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}
    assert pool["LastModifiedDate"] >= pool["CreationDate"]


def test_update_user_pool_needs_auto_verified_attributes_for_verify_before_update(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="verify", AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE", UserAttributeUpdateSettings={
            "AttributesRequireVerificationBeforeUpdate": ["email"]})
    reason = rejected(excinfo, "InvalidParameterException", "All attributes in "
                      "AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes")
    assert "resets AutoVerifiedAttributes" in reason


def test_update_unknown_pool(idp: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        idp.update_user_pool(UserPoolId="us-east-1_Nope00000")
    rejected(excinfo, "ResourceNotFoundException", "User pool us-east-1_Nope00000 does not exist.")


def test_delete_user_pool_honours_deletion_protection(server: EmulatorServer, idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="protected", DeletionProtection="ACTIVE")["UserPool"]["Id"]
    idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c")
    with pytest.raises(ClientError) as excinfo:
        idp.delete_user_pool(UserPoolId=pool_id)
    reason = rejected(excinfo, "InvalidParameterException",
                      "The user pool cannot be deleted because deletion protection is activated. "
                      "Deletion protection must be inactivated first.")
    assert "DeletionProtection INACTIVE" in reason
    idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    idp.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(ClientError) as excinfo:
        idp.describe_user_pool(UserPoolId=pool_id)
    rejected(excinfo, "ResourceNotFoundException", f"User pool {pool_id} does not exist.")
    assert httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").status_code == 404


# -- domains -------------------------------------------------------------------------------------
def test_domain_lifecycle(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="domain")["UserPool"]["Id"]
    assert idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-login-01")["ManagedLoginVersion"] == 1
    described = idp.describe_user_pool_domain(Domain="my-login-01")["DomainDescription"]
    assert described["UserPoolId"] == pool_id and described["Domain"] == "my-login-01"
    assert described["Status"] == "ACTIVE" and described["AWSAccountId"] == "123456789012"
    assert described["CloudFrontDistribution"].endswith(".cloudfront.net")
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == "my-login-01"
    assert idp.update_user_pool_domain(UserPoolId=pool_id, Domain="my-login-01",
                                       ManagedLoginVersion=2)["ManagedLoginVersion"] == 2
    idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="my-login-01")
    assert idp.describe_user_pool_domain(Domain="my-login-01")["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]


def test_unknown_domain_has_an_empty_description(idp: Any) -> None:
    assert idp.describe_user_pool_domain(Domain="nobody-has-this")["DomainDescription"] == {}


def test_domain_is_unique_and_one_per_pool(idp: Any) -> None:
    first = idp.create_user_pool(PoolName="d1")["UserPool"]["Id"]
    second = idp.create_user_pool(PoolName="d2")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=first, Domain="shared-name")
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_domain(UserPoolId=second, Domain="shared-name")
    assert first in rejected(excinfo, "InvalidParameterException", "Domain already associated with another user pool")
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_domain(UserPoolId=first, Domain="another-name")
    rejected(excinfo, "InvalidParameterException", "User pool already has a domain configured.")


def test_delete_domain_of_another_pool(idp: Any) -> None:
    owner = idp.create_user_pool(PoolName="owner")["UserPool"]["Id"]
    other = idp.create_user_pool(PoolName="other")["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=owner, Domain="owned-domain")
    with pytest.raises(ClientError) as excinfo:
        idp.delete_user_pool_domain(UserPoolId=other, Domain="owned-domain")
    rejected(excinfo, "InvalidParameterException", "No such domain or user pool exists.")


def test_prefix_domain_may_not_hold_reserved_words(idp: Any) -> None:
    pool_id = idp.create_user_pool(PoolName="reserved")["UserPool"]["Id"]
    with pytest.raises(ClientError) as excinfo:
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain="my-cognito-login")
    rejected(excinfo, "InvalidParameterException", "Domain cannot contain reserved word: cognito")


# -- the request's region --------------------------------------------------------------------------
@pytest.mark.parametrize(("header", "region"), [
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/ap-northeast-1/cognito-idp/aws4_request, "
     "SignedHeaders=host;x-amz-date, Signature=abc", "ap-northeast-1"),
    ("AWS4-HMAC-SHA256 Credential=test/20240101/eu-west-1/cognito-idp/aws4_request,SignedHeaders=host", "eu-west-1"),
    ("Bearer abc", None),
    (None, None),
    ("AWS4-HMAC-SHA256 Credential=garbage", None),
])
def test_region_from_authorization(header: str | None, region: str | None) -> None:
    assert region_from_authorization(header) == region


def test_pool_id_takes_the_signing_region(server: EmulatorServer) -> None:
    tokyo = boto3.client("cognito-idp", endpoint_url=server.url, region_name="ap-northeast-1")
    pool = tokyo.create_user_pool(PoolName="tokyo")["UserPool"]
    assert pool["Id"].startswith("ap-northeast-1_")
    assert pool["Arn"].startswith("arn:aws:cognito-idp:ap-northeast-1:")


# -- pagination, as a table ----------------------------------------------------------------------
def test_paginate_walks_in_key_order() -> None:
    items = [(k, k.upper()) for k in ("c", "a", "d", "b", "e")]
    first, token = page(items, None, 2)
    second, token2 = page(items, token, 2)
    third, token3 = page(items, token2, 2)
    assert (first, second, third, token3) == (["A", "B"], ["C", "D"], ["E"], None)
    assert page(items, None, 5) == (["A", "B", "C", "D", "E"], None)
    assert page([], None, 3) == ([], None)
    with pytest.raises(CognitoError, match="pagination"):
        page(items, page(items, None, 2, "pool A")[1], 2, "pool B")  # a token of another listing


# -- persistence ---------------------------------------------------------------------------------
def test_runtime_pools_clients_servers_and_domains_survive_a_restart(tmp_path: Any) -> None:
    config = bundled_config()
    with running_emulator(config, state_dir=tmp_path) as emu:
        idp = cognito_client(emu.url)
        pool = idp.create_user_pool(**FULL_POOL)["UserPool"]
        idp.create_resource_server(UserPoolId=pool["Id"], Identifier="api", Name="API",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}])
        client = idp.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="m2m", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["api/read"])["UserPoolClient"]
        idp.create_user_pool_domain(UserPoolId=pool["Id"], Domain="restart-domain")
        jwks = httpx.get(f"{emu.url}/{pool['Id']}/.well-known/jwks.json").json()
        pool = idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
    with running_emulator(config, state_dir=tmp_path) as emu:
        idp = cognito_client(emu.url)
        assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"] == pool
        again = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])["UserPoolClient"]
        assert again == client and len(again["ClientSecret"]) == 51
        server = idp.describe_resource_server(UserPoolId=pool["Id"], Identifier="api")["ResourceServer"]
        assert server["Scopes"] == [{"ScopeName": "read", "ScopeDescription": "Read"}]
        assert idp.describe_user_pool_domain(Domain="restart-domain")["DomainDescription"]["UserPoolId"] == pool["Id"]
        # Same keys: tokens issued before the restart still verify.
        assert httpx.get(f"{emu.url}/{pool['Id']}/.well-known/jwks.json").json() == jwks
