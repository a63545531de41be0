"""AWS_IAM routes end to end: boto3 cognito-identity GetId + GetCredentialsForIdentity with a user-pool ID token,
then httpx requests signed by botocore's SigV4Auth with those credentials reach a Python handler that sees the
Cognito identity; unsigned, tampered, expired and policy-denied requests get AWS's 403."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.conftest import bundled_config, identity_client

pytestmark = pytest.mark.e2e

PROVIDER = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"
AUTH_ROLE = "arn:aws:iam::123456789012:role/AppAuthenticated"
GUEST_ROLE = "arn:aws:iam::123456789012:role/AppGuest"
STATIC = ("AKIDSTATICLOCAL01", "static-secret")
ECHO = "python:gateway_fixtures.handlers:echo"


def config() -> dict[str, Any]:
    data = bundled_config()
    data["Credentials"] = [{"AccessKeyId": "test", "SecretAccessKey": "test"},
                           {"AccessKeyId": STATIC[0], "SecretAccessKey": STATIC[1]}]
    data["IdentityPools"] = [{
        "IdentityPoolName": "app", "AllowUnauthenticatedIdentities": True,
        "CognitoIdentityProviders": [{"ProviderName": PROVIDER, "ClientId": "piyopiyo"}],
        "Roles": {"authenticated": AUTH_ROLE, "unauthenticated": GUEST_ROLE}}]
    data["Roles"] = {
        AUTH_ROLE: {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:*:*/*/*/*"},
            {"Effect": "Deny", "Action": "execute-api:*", "Resource": "arn:aws:execute-api:*:*:*/*/DELETE/*"}]},
        GUEST_ROLE: {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/GET/public"}]},
    }
    data["Apis"] = [
        {"Name": "http", "ProtocolType": "HTTP", "Port": free_port(), "Routes": [
            {"RouteKey": "ANY /{proxy+}", "AuthorizationType": "AWS_IAM", "Target": ECHO}]},
        {"Name": "rest", "ProtocolType": "REST", "StageName": "dev", "Port": free_port(), "Routes": [
            {"RouteKey": "ANY /{proxy+}", "AuthorizationType": "AWS_IAM", "Target": ECHO}]},
    ]
    return data


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(config()) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def identity(server: EmulatorServer) -> Any:
    return identity_client(server.url)


def id_token(server: EmulatorServer) -> str:
    idp = boto3.client("cognito-idp", endpoint_url=server.url, region_name="us-east-1")
    username = "peroper@hoge.com"
    secret_hash = base64.b64encode(hmac.new(b"amoamo", (username + "piyopiyo").encode(), hashlib.sha256).digest())
    result = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": username, "PASSWORD": "munyamunya", "SECRET_HASH": secret_hash.decode()})
    return result["AuthenticationResult"]["IdToken"]


@pytest.fixture(scope="module")
def signed_in(server: EmulatorServer, identity: Any) -> dict[str, Any]:
    """GetId + GetCredentialsForIdentity with a user-pool ID token (the enhanced flow)."""
    token = id_token(server)
    pool_id = identity.list_identity_pools(MaxResults=5)["IdentityPools"][0]["IdentityPoolId"]
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins={PROVIDER: token})["IdentityId"]
    credentials = identity.get_credentials_for_identity(IdentityId=identity_id, Logins={PROVIDER: token})
    return {"pool_id": pool_id, "identity_id": identity_id, "credentials": credentials["Credentials"],
            "sub": json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))["sub"]}


def send(method: str, url: str, creds: dict[str, Any] | None, body: bytes = b"", tamper: bool = False,
         region: str = "us-east-1") -> httpx.Response:
    """One request signed as botocore signs for execute-api (or unsigned), sent with httpx."""
    request = AWSRequest(method=method, url=url, data=body, headers={"content-type": "application/json"})
    if creds is not None:
        SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretKey"], creds.get("SessionToken")),
                  "execute-api", region).add_auth(request)
    headers = dict(request.headers.items())
    return httpx.request(method, url, headers=headers, content=body + (b"x" if tamper else b""))


def test_http_api_route_sees_the_cognito_identity(server: EmulatorServer, signed_in: dict[str, Any]) -> None:
    response = send("POST", f"{server.api_url('http')}/orders", signed_in["credentials"], b'{"n":1}')
    assert response.status_code == 200, response.text
    event = response.json()["event"]
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == signed_in["credentials"]["AccessKeyId"]
    assert iam["userArn"] == "arn:aws:sts::123456789012:assumed-role/AppAuthenticated/CognitoIdentityCredentials"
    assert iam["cognitoIdentity"] == {
        "amr": ["authenticated", PROVIDER, f"{PROVIDER}:CognitoSignIn:{signed_in['sub']}"],
        "identityId": signed_in["identity_id"], "identityPoolId": signed_in["pool_id"]}
    assert event["body"] == '{"n":1}'


def test_rest_api_method_sees_request_context_identity(server: EmulatorServer, signed_in: dict[str, Any]) -> None:
    response = send("GET", f"{server.api_url('rest')}/dev/orders/7?x=1", signed_in["credentials"])
    assert response.status_code == 200, response.text
    seen = response.json()["event"]["requestContext"]["identity"]
    assert seen["cognitoIdentityId"] == signed_in["identity_id"]
    assert seen["cognitoIdentityPoolId"] == signed_in["pool_id"]
    assert seen["cognitoAuthenticationType"] == "authenticated"
    assert seen["cognitoAuthenticationProvider"] == f"{PROVIDER},{PROVIDER}:CognitoSignIn:{signed_in['sub']}"
    assert seen["accessKey"] == signed_in["credentials"]["AccessKeyId"]
    assert seen["userArn"].endswith(":assumed-role/AppAuthenticated/CognitoIdentityCredentials")
    assert seen["caller"].startswith("AROA") and seen["caller"].endswith(":CognitoIdentityCredentials")


def test_unsigned_tampered_and_unknown_keys_get_aws_403(server: EmulatorServer, signed_in: dict[str, Any]) -> None:
    rest = f"{server.api_url('rest')}/dev/orders"
    unsigned = send("GET", rest, None)
    assert (unsigned.status_code, unsigned.json()) == (403, {"message": "Missing Authentication Token"})
    assert unsigned.headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert unsigned.headers["x-emulator-reason"]
    tampered = send("POST", rest, signed_in["credentials"], b"{}", tamper=True)
    assert tampered.status_code == 403
    assert tampered.json()["message"].startswith("The request signature we calculated does not match")
    unknown = send("GET", rest, {"AccessKeyId": "ASIAUNKNOWN000000000", "SecretKey": "x", "SessionToken": "t"})
    assert unknown.json() == {"message": "The security token included in the request is invalid."}
    no_token = send("GET", rest, {**signed_in["credentials"], "SessionToken": None})
    assert no_token.json() == {"message": "The security token included in the request is invalid."}
    http = send("GET", f"{server.api_url('http')}/orders", None)
    assert (http.status_code, http.json()) == (403, {"message": "Forbidden"})


def test_policy_deny_and_no_allow(server: EmulatorServer, signed_in: dict[str, Any], identity: Any) -> None:
    rest = server.api_url("rest")
    denied = send("DELETE", f"{rest}/dev/orders/7", signed_in["credentials"])
    assert denied.status_code == 403
    assert denied.headers["x-amzn-errortype"] == "AccessDeniedException"
    resource = denied.json()["Message"].split(" on resource: ")[1]
    assert resource.startswith("arn:aws:execute-api:us-east-1:123456789012:") and "/dev/DELETE/orders/7" in resource
    guest = identity.get_credentials_for_identity(
        IdentityId=identity.get_id(IdentityPoolId=signed_in["pool_id"])["IdentityId"])["Credentials"]
    assert send("GET", f"{rest}/dev/public", guest).status_code == 200
    refused = send("GET", f"{rest}/dev/orders", guest)
    assert refused.status_code == 403
    assert refused.json()["Message"].startswith(
        "User: arn:aws:sts::123456789012:assumed-role/AppGuest/CognitoIdentityCredentials is not authorized to "
        "perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:")
    assert send("GET", f"{server.api_url('http')}/orders", guest).json() == {"message": "Forbidden"}


def test_expired_credentials_are_refused(server: EmulatorServer, signed_in: dict[str, Any]) -> None:
    url = f"{server.api_url('rest')}/dev/orders"
    server.runtime.clock.advance(3601)
    try:
        expired = send("GET", url, signed_in["credentials"])
    finally:
        server.runtime.clock.advance(-3601)
    assert expired.status_code == 403
    assert expired.json() == {"message": "The security token included in the request is expired"}
    assert "expired at" in expired.headers["x-emulator-reason"]


def test_static_credentials_from_the_config(server: EmulatorServer) -> None:
    response = send("GET", f"{server.api_url('rest')}/dev/orders", {"AccessKeyId": STATIC[0], "SecretKey": STATIC[1]})
    assert response.status_code == 200, response.text
    seen = response.json()["event"]["requestContext"]["identity"]
    assert seen["accessKey"] == STATIC[0] and seen["cognitoIdentityId"] is None
    wrong = send("GET", f"{server.api_url('rest')}/dev/orders", {"AccessKeyId": STATIC[0], "SecretKey": "nope"})
    assert wrong.status_code == 403
