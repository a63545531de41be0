"""The JSON 1.1 wire protocol: AWS's error shape, input validation against botocore's model, and bad
input that must never become a 500 or a traceback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from emulator.cognito.protocol import validation_errors
from emulator.server import EmulatorServer

pytestmark = pytest.mark.e2e

TARGET = "AWSCognitoIdentityProviderService."


def call(server: EmulatorServer, operation: str | None, body: Any, raw: bytes | None = None,
         content_type: str = "application/x-amz-json-1.1") -> httpx.Response:
    headers = {"Content-Type": content_type}
    if operation is not None:
        headers["X-Amz-Target"] = TARGET + operation
    return httpx.post(server.url, content=raw if raw is not None else json.dumps(body).encode(), headers=headers)


def assert_aws_error(response: httpx.Response, error_type: str, message: str | None = None) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-errortype"] == f"{error_type}:"
    assert len(response.headers["x-amzn-requestid"]) == 36
    assert response.headers["x-emulator-reason"]
    body = response.json()
    assert body["__type"] == error_type
    if message is not None:
        assert body["message"] == message


def test_error_shape_matches_aws(server: EmulatorServer) -> None:
    response = call(server, "InitiateAuth", {"ClientId": "nosuch", "AuthFlow": "USER_PASSWORD_AUTH",
                                               "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}})
    assert_aws_error(response, "ResourceNotFoundException", "User pool client nosuch does not exist.")
    assert response.headers["x-amzn-errormessage"] == "User pool client nosuch does not exist."


def test_success_carries_a_request_id(server: EmulatorServer) -> None:
    response = httpx.get(f"{server.url}/_emulator/health")
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize(("body", "message"), [
    ({"AuthFlow": "USER_PASSWORD_AUTH"},
     "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"),
    ({"ClientId": "bad id!", "AuthFlow": "USER_PASSWORD_AUTH"},
     "1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular "
     "expression pattern: [\\w+]+"),
    ({"ClientId": "piyopiyo", "AuthFlow": "MAGIC"},
     "1 validation error detected: Value 'MAGIC' at 'authFlow' failed to satisfy constraint: Member must satisfy "
     "enum value set: [USER_SRP_AUTH, REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, ADMIN_NO_SRP_AUTH, "
     "USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH]"),
    ({}, None),
])
def test_input_is_validated_against_the_service_model(server: EmulatorServer, body: dict,
                                                       message: str | None) -> None:
    response = call(server, "InitiateAuth", body)
    assert_aws_error(response, "InvalidParameterException", message)
    if not body:
        assert response.json()["message"].startswith("2 validation errors detected: ")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b'"string"', b"null"])
def test_malformed_bodies_get_a_serialization_error(server: EmulatorServer, raw: bytes) -> None:
    assert_aws_error(call(server, "InitiateAuth", None, raw=raw), "SerializationException")


@pytest.mark.parametrize("body", [
    {"ClientId": 12, "AuthFlow": "USER_PASSWORD_AUTH"},
    {"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": ["USERNAME"]},
    {"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": 5}},
    {"ClientId": True, "AuthFlow": "USER_PASSWORD_AUTH"},
])
def test_wrong_types_get_a_serialization_error(server: EmulatorServer, body: dict) -> None:
    assert_aws_error(call(server, "InitiateAuth", body), "SerializationException")


def test_unknown_operation(server: EmulatorServer) -> None:
    response = call(server, "MakeCoffee", {})
    assert_aws_error(response, "UnknownOperationException")
    assert "MakeCoffee" in response.headers["x-emulator-reason"]


def test_missing_target(server: EmulatorServer) -> None:
    assert_aws_error(call(server, None, {}), "UnknownOperationException")


def test_oversized_body(server: EmulatorServer) -> None:
    response = call(server, "InitiateAuth", None, raw=b'{"ClientId": "' + b"a" * (2 * 1024 * 1024) + b'"}')
    assert_aws_error(response, "SerializationException")


def test_plain_json_content_type_is_accepted(server: EmulatorServer) -> None:
    response = call(server, "InitiateAuth", {"ClientId": "nosuch", "AuthFlow": "USER_PASSWORD_AUTH"},
                    content_type="application/json")
    assert response.json()["__type"] == "ResourceNotFoundException"


def test_unsigned_operations_need_no_credentials_and_admin_ones_accept_any(server: EmulatorServer) -> None:
    response = httpx.post(server.url, json={"UserPoolId": "us-east-1_Example01", "ClientId": "piyopiyo",
                                              "AuthFlow": "ADMIN_USER_PASSWORD_AUTH"},
                          headers={"X-Amz-Target": TARGET + "AdminInitiateAuth", "X-Amz-Date": "20260101T000000Z",
                                   "Authorization": "AWS4-HMAC-SHA256 Credential=whatever/20260101/us-east-1/"
                                                    "cognito-idp/aws4_request, SignedHeaders=host, Signature=00"})
    assert response.json()["message"] == "Auth flow not enabled for this client"


def test_validation_table_for_sensitive_and_length_rules() -> None:
    assert validation_errors("InitiateAuthRequest", {"ClientId": "", "AuthFlow": "USER_SRP_AUTH"}) == [
        "Value at 'clientId' failed to satisfy constraint: Member must have length greater than or equal to 1"]
    assert validation_errors("AdminGetUserRequest", {"UserPoolId": "x" * 56, "Username": "u"}) == [
        f"Value '{'x' * 56}' at 'userPoolId' failed to satisfy constraint: Member must have length less than or "
        "equal to 55",
        f"Value '{'x' * 56}' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression "
        "pattern: [\\w-]+_[0-9a-zA-Z]+"]


def test_unicode_usernames_pass_the_java_unicode_pattern() -> None:
    assert validation_errors("AdminGetUserRequest", {"UserPoolId": "us-east-1_A", "Username": "ユーザー"}) == []
    assert validation_errors("AdminGetUserRequest", {"UserPoolId": "us-east-1_A", "Username": "a b"}) != []


def test_a_bad_value_in_a_list_of_enums_is_reported_for_the_whole_list() -> None:
    errors = validation_errors("UpdateUserPoolClientRequest", {
        "UserPoolId": "us-east-1_A", "ClientId": "c", "AllowedOAuthFlows": ["token"]})
    assert errors == ["Value '[token]' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy "
                      "constraint: [Member must satisfy enum value set: [code, implicit, client_credentials]]"]


def test_other_methods_on_the_api_root_get_an_aws_shaped_error(server: EmulatorServer) -> None:
    response = httpx.get(server.url + "/")
    assert_aws_error(response, "UnknownOperationException")
    assert "POST /" in response.headers["x-emulator-reason"]


def test_wrong_method_on_an_endpoint_is_json_with_a_reason(server: EmulatorServer) -> None:
    response = httpx.put(f"{server.url}/oauth2/token")
    assert response.status_code == 405 and response.json() == {"message": "Method Not Allowed"}
    assert response.headers["x-emulator-reason"]
