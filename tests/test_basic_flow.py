"""Identity pools' basic (classic) flow through unmodified boto3 clients: GetId, GetOpenIdToken, then STS
AssumeRoleWithWebIdentity on the Cognito port; the credentials work on an AWS_IAM route. Also the OpenID
tokens verify against the served JWKS, and ID tokens carry cognito:roles / cognito:preferred_role."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import jwt
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config as BotoConfig
from botocore.credentials import Credentials

from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.conftest import bundled_config, identity_client, refused

pytestmark = pytest.mark.e2e

POOL_ID = "us-east-1_Example01"
PROVIDER = f"cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
AUTH_ROLE = "arn:aws:iam::123456789012:role/ClassicAuthenticated"
GUEST_ROLE = "arn:aws:iam::123456789012:role/ClassicGuest"
OTHER_ROLE = "arn:aws:iam::123456789012:role/Declared"
CLASSIC = "us-east-1:00000000-0000-0000-0000-00000000c1a5"
ENHANCED = "us-east-1:00000000-0000-0000-0000-0000000e0ace"
MAPPED = "us-east-1:00000000-0000-0000-0000-00000000a11e"
ECHO = "python:gateway_fixtures.handlers:echo"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/*/*"}]}


def config() -> dict[str, Any]:
    data = bundled_config()
    data["Credentials"] = [{"AccessKeyId": "test", "SecretAccessKey": "test"}]
    providers = [{"ProviderName": PROVIDER, "ClientId": "piyopiyo"}]
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}
    data["IdentityPools"] = [
        {"IdentityPoolId": CLASSIC, "IdentityPoolName": "classic", "AllowUnauthenticatedIdentities": True,
         "AllowClassicFlow": True, "CognitoIdentityProviders": providers, "Roles": roles},
        {"IdentityPoolId": ENHANCED, "IdentityPoolName": "enhanced", "AllowUnauthenticatedIdentities": True,
         "CognitoIdentityProviders": providers, "Roles": roles},
        {"IdentityPoolId": MAPPED, "IdentityPoolName": "mapped", "AllowUnauthenticatedIdentities": False,
         "AllowClassicFlow": True, "CognitoIdentityProviders": providers, "Roles": roles,
         "RoleMappings": {f"{PROVIDER}:piyopiyo": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}},
    ]
    data["Roles"] = {AUTH_ROLE: ALLOW_ALL, OTHER_ROLE: ALLOW_ALL}
    data["Apis"] = [{"Name": "http", "ProtocolType": "HTTP", "Port": free_port(), "Routes": [
        {"RouteKey": "ANY /{proxy+}", "AuthorizationType": "AWS_IAM", "Target": ECHO}]}]
    return data


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(config()) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def ci(server: EmulatorServer) -> Any:
    return identity_client(server.url)


@pytest.fixture(scope="module")
def sts(server: EmulatorServer) -> Any:
    return boto3.client("sts", endpoint_url=server.url, region_name="us-east-1",
                        config=BotoConfig(retries={"max_attempts": 1}))


def id_token(server: EmulatorServer) -> str:
    idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1")
    username = "peroper@hoge.com"
    secret_hash = base64.b64encode(hmac.new(b"amoamo", (username + "piyopiyo").encode(), hashlib.sha256).digest())
    result = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": username, "PASSWORD": "munyamunya", "SECRET_HASH": secret_hash.decode()})
    return result["AuthenticationResult"]["IdToken"]


def open_id_token(ci: Any, token: str, pool: str = CLASSIC) -> dict[str, Any]:
    identity_id = ci.get_id(IdentityPoolId=pool, Logins={PROVIDER: token})["IdentityId"]
    return ci.get_open_id_token(IdentityId=identity_id, Logins={PROVIDER: token})


def claims_of(token: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def signed(method: str, url: str, creds: dict[str, Any]) -> httpx.Response:
    request = AWSRequest(method=method, url=url, data=b"")
    SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]),
              "execute-api", "us-east-1").add_auth(request)
    return httpx.request(method, url, headers=dict(request.headers.items()))


def test_basic_flow_credentials_pass_an_aws_iam_route(server: EmulatorServer, ci: Any, sts: Any) -> None:
    opened = open_id_token(ci, id_token(server))
    assumed = sts.assume_role_with_web_identity(RoleArn=AUTH_ROLE, RoleSessionName="web-app",
                                                WebIdentityToken=opened["Token"])
    creds = assumed["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["SecretAccessKey"]) == 40
    assert assumed["SubjectFromWebIdentityToken"] == opened["IdentityId"]
    assert assumed["Audience"] == CLASSIC and assumed["Provider"] == "cognito-identity.amazonaws.com"
    assert assumed["AssumedRoleUser"]["Arn"] == \
        "arn:aws:sts::123456789012:assumed-role/ClassicAuthenticated/web-app"
    assert assumed["AssumedRoleUser"]["AssumedRoleId"].endswith(":web-app")
    response = signed("GET", f"{server.api_url('http')}/orders", creds)
    assert response.status_code == 200, response.text
    iam = response.json()["event"]["requestContext"]["authorizer"]["iam"]
    assert iam["userArn"] == assumed["AssumedRoleUser"]["Arn"]
    assert iam["cognitoIdentity"]["identityId"] == opened["IdentityId"]
    assert iam["cognitoIdentity"]["identityPoolId"] == CLASSIC


def test_unauthenticated_identity_assumes_the_guest_role_only(server: EmulatorServer, ci: Any, sts: Any) -> None:
    identity_id = ci.get_id(IdentityPoolId=CLASSIC)["IdentityId"]
    token = ci.get_open_id_token(IdentityId=identity_id)["Token"]
    assert sts.assume_role_with_web_identity(RoleArn=GUEST_ROLE, RoleSessionName="guest",
                                             WebIdentityToken=token)["Credentials"]["AccessKeyId"]
    code, message, reason = refused(lambda: sts.assume_role_with_web_identity(
        RoleArn=AUTH_ROLE, RoleSessionName="guest", WebIdentityToken=token))
    assert (code, message) == ("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    assert "unauthenticated" in reason


def test_a_declared_role_trusts_authenticated_identities(server: EmulatorServer, ci: Any, sts: Any) -> None:
    token = open_id_token(ci, id_token(server))["Token"]
    assumed = sts.assume_role_with_web_identity(RoleArn=OTHER_ROLE, RoleSessionName="s1", WebIdentityToken=token,
                                                DurationSeconds=900)
    assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/Declared/s1")
    unknown = "arn:aws:iam::123456789012:role/Nobody"
    assert refused(lambda: sts.assume_role_with_web_identity(
        RoleArn=unknown, RoleSessionName="s1", WebIdentityToken=token))[0] == "AccessDenied"


def test_bad_tokens_and_parameters(server: EmulatorServer, ci: Any, sts: Any) -> None:
    token = open_id_token(ci, id_token(server))["Token"]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert refused(lambda: sts.assume_role_with_web_identity(
        RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=tampered))[0] == "InvalidIdentityToken"
    user_pool_token = id_token(server)  # a user pool's ID token is not an identity pool OpenID token
    code, _, reason = refused(lambda: sts.assume_role_with_web_identity(
        RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=user_pool_token))
    assert code == "InvalidIdentityToken" and "cognito-identity.amazonaws.com" in reason
    assert refused(lambda: sts.assume_role_with_web_identity(
        RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=token, DurationSeconds=7200))[:2] == (
        "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    server.runtime.clock.advance(601)
    try:
        code = refused(lambda: sts.assume_role_with_web_identity(
            RoleArn=AUTH_ROLE, RoleSessionName="s1", WebIdentityToken=token))[0]
    finally:
        server.runtime.clock.advance(-601)
    assert code == "ExpiredTokenException"


def test_sts_refusals_are_xml_and_never_500(server: EmulatorServer) -> None:
    for body in (b"Action=GetCallerIdentity&Version=2011-06-15", b"Action=AssumeRoleWithWebIdentity",
                 b"Action=AssumeRoleWithWebIdentity&RoleArn=x&RoleSessionName=s&WebIdentityToken=%ff%fe",
                 b"Action=AssumeRoleWithWebIdentity&RoleArn=arn:aws:iam::123456789012:role/A&RoleSessionName=ss"
                 b"&WebIdentityToken=abcd&Policy=%7B%7D"):
        response = httpx.post(server.url, content=body,
                              headers={"content-type": "application/x-www-form-urlencoded"})
        assert 400 <= response.status_code < 500, response.text
        assert response.text.startswith("<ErrorResponse") and response.headers["x-emulator-reason"]


def test_classic_flow_refused_when_disabled_or_with_role_mappings(server: EmulatorServer, ci: Any) -> None:
    token = id_token(server)
    assert refused(lambda: open_id_token(ci, token, ENHANCED))[:2] == (
        "InvalidParameterException", "Basic (classic) flow is not enabled, please use enhanced flow.")
    assert refused(lambda: open_id_token(ci, token, MAPPED))[:2] == (
        "InvalidParameterException",
        "Basic (classic) flow is not supported with RoleMappings, please use enhanced flow.")


def test_open_id_tokens_verify_against_the_served_jwks(server: EmulatorServer, ci: Any) -> None:
    token = open_id_token(ci, id_token(server))["Token"]
    discovery = httpx.get(f"{server.url}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://cognito-identity.amazonaws.com"
    assert discovery["jwks_uri"] == f"{server.url}/.well-known/jwks_uri"
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["RS256"], audience=CLASSIC,
                        issuer="https://cognito-identity.amazonaws.com", options={"verify_exp": False})
    assert claims["amr"][0] == "authenticated" and PROVIDER in claims["amr"]


def test_id_token_carries_the_groups_roles(server: EmulatorServer) -> None:
    idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1")
    admins, readers = "arn:aws:iam::123456789012:role/Admins", "arn:aws:iam::123456789012:role/Readers"
    idp.create_group(UserPoolId=POOL_ID, GroupName="r-admins", RoleArn=admins, Precedence=1)
    idp.create_group(UserPoolId=POOL_ID, GroupName="r-readers", RoleArn=readers, Precedence=5)
    for group in ("r-admins", "r-readers"):
        idp.admin_add_user_to_group(UserPoolId=POOL_ID, Username="peroper@hoge.com", GroupName=group)
    try:
        token = id_token(server)
        claims = claims_of(token)
        assert claims["cognito:roles"] == [admins, readers] and claims["cognito:preferred_role"] == admins
        idp.update_group(UserPoolId=POOL_ID, GroupName="r-readers", Precedence=1)  # a tie: no preferred role
        claims = claims_of(id_token(server))
        assert "cognito:preferred_role" not in claims and set(claims["cognito:roles"]) == {admins, readers}
    finally:
        for group in ("r-admins", "r-readers"):
            idp.delete_group(UserPoolId=POOL_ID, GroupName=group)
