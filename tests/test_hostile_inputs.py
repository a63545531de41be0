"""The standing hostile-input suite for the cognito-idp API: every implemented operation's input generated
from botocore's model and posted to a running emulator, plus malformed bodies and methods. Whatever
arrives, the answer is never a 5xx and every error is AWS-shaped with a plain-words reason.

Bounded for CI: derandomized, a fixed number of examples per operation."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import socket
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config, cognito_client, refused
from tests.hostile import (
    KNOWN,
    POOL_ID,
    SIGNED,
    TARGET,
    assert_aws_answer,
    for_shape,
    headers_for,
    implemented_operations,
    input_shape,
)

EXAMPLES_PER_OPERATION = 12


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config()) as emu:
        yield emu


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


# Operations that act on a signed-in user's sessions: generated input gets a live access token and session id
# of the seeded user (session tracking on), so it reaches the operations past "not a token" and "not enabled".
SESSION_OPERATIONS = frozenset({"ListUserSessions", "AdminListUserSessions", "RevokeUserSession",
                                "AdminRevokeUserSession", "SetUserPoolClientSessionConfiguration"})


# Provider links: the bundled pool gets a Google provider, so generated links reach the link checks.
LINK_OPERATIONS = frozenset({"AdminLinkProviderForUser", "AdminDisableProviderForUser"})


def _google_provider(http: httpx.Client) -> None:
    body = {"UserPoolId": POOL_ID, "ProviderName": "Google", "ProviderType": "Google",
            "ProviderDetails": {"client_id": "g", "client_secret": "s", "authorize_scopes": "openid email"},
            "AttributeMapping": {"email": "email"}}
    answer = http.post("/", content=json.dumps(body).encode(), headers=headers_for("CreateIdentityProvider"))
    assert answer.status_code == 200, answer.text


def _live_session(http: httpx.Client) -> dict[str, list[str]]:
    """Session tracking on for the bundled pool, and a signed-in user's access token and session ids."""
    def call(operation: str, body: dict) -> dict:
        answer = http.post("/", content=json.dumps(body).encode(), headers=headers_for(operation))
        assert answer.status_code == 200, answer.text
        return answer.json()

    call("SetUserPoolSessionConfiguration", {"UserPoolId": POOL_ID, "UserSessionTracking": "ENABLED",
                                             "TokenSession": {"MaxPerUser": 20}})
    user = "peroper@hoge.com"
    secret_hash = base64.b64encode(hmac.new(b"amoamo", (user + "piyopiyo").encode(), hashlib.sha256).digest())
    tokens = [call("InitiateAuth", {"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
        "USERNAME": user, "PASSWORD": "munyamunya", "SECRET_HASH": secret_hash.decode()}}
    )["AuthenticationResult"]["AccessToken"] for _ in range(2)]
    sessions = call("AdminListUserSessions", {"UserPoolId": POOL_ID, "Username": "peroper@hoge.com"})
    ids = [session["SessionId"] for session in sessions.get("Sessions", [])]
    assert ids, sessions
    return {"AccessToken": tokens, "SessionId": [*ids, *KNOWN["SessionId"]]}


@pytest.mark.parametrize("operation", implemented_operations())
def test_generated_input_never_gets_a_5xx(operation: str, http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    shape = input_shape(operation)
    http.post("/_emulator/reset", json={})  # the seeded pool again, whatever the last operation deleted
    if operation in LINK_OPERATIONS:
        _google_provider(http)
    if operation in SESSION_OPERATIONS:
        for member, values in _live_session(http).items():  # setitem: KNOWN is as it was after the test
            monkeypatch.setitem(KNOWN, member, values)

    # More examples where a live setup waits: derandomized draws start from odd values, and only the real
    # pool id gets past "no such pool".
    examples = EXAMPLES_PER_OPERATION * 3 if operation in LINK_OPERATIONS | SESSION_OPERATIONS else \
        EXAMPLES_PER_OPERATION

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(params=for_shape(shape) if shape else st.just({}),
           mistyped=for_shape(shape, wrong_types=True) if shape else st.just({}),
           unsigned=st.sampled_from([False, False, False, True]))
    def post(params: dict, mistyped: dict, unsigned: bool) -> None:
        for body in (params, mistyped):
            response = http.post("/", content=json.dumps(body).encode(), headers=headers_for(operation, not unsigned))
            assert_aws_answer(response, f"{operation} {json.dumps(body)[:300]}")

    post()


@pytest.mark.parametrize("operation", implemented_operations())
def test_each_operation_survives_a_wrong_type_at_the_top(operation: str, http: httpx.Client) -> None:
    for body in (b"[]", b'"x"', b"1", b"null", b'{"UserPoolId": {"a": [1]}, "ClientId": 7, "Username": null}'):
        assert_aws_answer(http.post("/", content=body, headers=headers_for(operation)), f"{operation} {body!r}")


@pytest.mark.parametrize(("label", "body"), [
    ("deep arrays", b"[" * 100_000 + b"]" * 100_000),
    ("deep objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("deep but parsable", b'{"ClientId":' + b"[" * 500 + b"]" * 500 + b"}"),
    ("truncated", b'{"ClientId": "piyo'),
    ("not utf-8", b'{"ClientId": "\xff\xfe"}'),
    ("lone surrogate", b'{"ClientId": "\\ud800"}'),
    ("huge number", b'{"ClientId": ' + b"9" * 5000 + b"}"),
    ("NaN", b'{"AuthFlow": NaN}'),
    ("duplicate keys", b'{"ClientId": "a", "ClientId": {"b": 1}}'),
    ("empty", b""),
    ("whitespace", b"   \n"),
    ("nul bytes", b"\x00" * 1000),
    ("many keys", json.dumps({f"k{i}": i for i in range(20_000)}).encode()),
    ("long list", json.dumps({"AuthParameters": {str(i): "x" for i in range(5000)}}).encode()),
])
def test_malformed_bodies_get_aws_errors(label: str, body: bytes, http: httpx.Client) -> None:
    response = http.post("/", content=body, headers=headers_for("InitiateAuth"))
    assert_aws_answer(response, label)
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x",
                                          "application/x-www-form-urlencoded", ""])
def test_any_content_type_gets_an_aws_answer(content_type: str, http: httpx.Client) -> None:
    headers = {**headers_for("InitiateAuth"), "Content-Type": content_type}
    assert_aws_answer(http.post("/", content=b'{"ClientId": "nosuch", "AuthFlow": "USER_PASSWORD_AUTH"}',
                                headers=headers), content_type)


@pytest.mark.parametrize("target", [None, "", "AWSCognitoIdentityProviderService.", TARGET + "Nope",
                                    "Other." + "InitiateAuth", TARGET + "A" * 100_000, "\u00e9" * 50])
def test_any_target_gets_an_aws_answer(target: str | None, http: httpx.Client) -> None:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target is not None:
        headers["X-Amz-Target"] = target
    response = http.post("/", content=b"{}", headers={k: v.encode() for k, v in headers.items()})
    assert_aws_answer(response, repr(target)[:60])
    assert response.json()["__type"] == "UnknownOperationException"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECTX", "HEAD"])
def test_any_method_on_the_api_root_is_aws_shaped(method: str, http: httpx.Client) -> None:
    response = http.request(method, "/", headers={"X-Amz-Target": TARGET + "InitiateAuth"})
    assert response.status_code == 400
    assert response.headers["x-amzn-errortype"] == "UnknownOperationException:"
    assert f"not {method} /" in response.headers["x-emulator-reason"]
    if method != "HEAD":
        assert response.json() == {"__type": "UnknownOperationException", "message": ""}


# Just under the Cognito port's 16 KiB of headers, so they reach the app however TCP splits them.
@pytest.mark.parametrize("header", ["Credential=" * 1_300, "AWS4-HMAC-SHA256 " + "Credential=a/" * 1_100,
                                    "AWS4-HMAC-SHA256 Credential=" + "/" * 14_000, "AWS4-HMAC-SHA256" + " ," * 7_000])
def test_hostile_authorization_headers_are_answered(header: str, http: httpx.Client) -> None:
    for operation in ("InitiateAuth", "AdminGetUser"):
        response = http.post("/", content=json.dumps({"UserPoolId": "us-east-1_Example01", "Username": "x",
                                                      "ClientId": "x", "AuthFlow": "USER_PASSWORD_AUTH"}).encode(),
                             headers={**headers_for(operation, signed=False), **SIGNED, "Authorization": header})
        assert_aws_answer(response, operation)
        if operation == "AdminGetUser":
            assert response.json()["__type"] in ("IncompleteSignatureException", "MissingAuthenticationTokenException")


def test_headers_past_the_limit_are_refused_in_awss_shape(server: EmulatorServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + TARGET.encode() + b"InitiateAuth\r\n"
                     b"Authorization: ")
        with contextlib.suppress(OSError):  # the server stops reading (and closes) once past the limit
            for _ in range(120):
                sock.sendall(b"Credential=" * 100)
        answer = b""
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                answer += chunk
    head, _, body = answer.decode().partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400") and "x-amzn-ErrorType: SerializationException:" in head
    assert "x-emulator-reason: the HTTP request could not be read" in head
    assert json.loads(body) == {"__type": "SerializationException", "message": "Malformed HTTP request"}


def test_echoed_values_are_capped_in_headers_and_botocore_reads_the_error(server: EmulatorServer) -> None:
    # A 2 MB message once went out whole in two headers; botocore then saw a closed connection.
    code, message, reason = refused(lambda: cognito_client(server.url).create_user_pool(
        PoolName="p", EmailConfiguration={"ReplyToEmailAddress": "@" * 200_000 + " "}))
    assert code == "InvalidParameterException"
    assert message.startswith("1 validation error detected: Value '@@@") and len(message) > 200_000
    assert len(reason) <= 1024 and "characters; the whole text is in the log" in reason


def test_a_schema_entry_without_a_name_is_a_400_not_a_500(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    code, message, reason = refused(lambda: idp.create_user_pool(PoolName="p",
                                                                 Schema=[{"AttributeDataType": "String"}]))
    assert (code, message) == ("InvalidParameterException", "1 validation error detected: Value null at "
                               "'schema.1.member.name' failed to satisfy constraint: Member must not be null")
    assert "schema entry 1 has no Name" in reason
    code, message, reason = refused(lambda: idp.add_custom_attributes(
        UserPoolId="us-east-1_Example01", CustomAttributes=[{"Name": "fine"}, {"AttributeDataType": "Number"}]))
    assert (code, message) == ("InvalidParameterException", "1 validation error detected: Value null at "
                               "'customAttributes.2.member.name' failed to satisfy constraint: Member must not be null")
    assert "customAttributes entry 2 has no Name" in reason


def test_json_nested_past_the_parser_is_a_serialization_error_with_a_reason(http: httpx.Client) -> None:
    response = http.post("/", content=b"[" * 100_000, headers=headers_for("InitiateAuth"))
    assert response.json() == {"__type": "SerializationException", "message": "Malformed JSON body"}
    assert "nests deeper than the parser follows" in response.headers["x-emulator-reason"]


@pytest.mark.parametrize(("path", "words"), [("/_emulator/codes/latest", "query.pool_id: Field required"),
                                             ("/_emulator/decisions?limit=abc", "query.limit")])
def test_bad_emulator_endpoint_parameters_get_a_reason(path: str, words: str, http: httpx.Client) -> None:
    response = http.get(path)
    assert response.status_code == 400 and response.json() == {"message": "Bad Request"}
    assert words in response.headers["x-emulator-reason"]


def test_session_and_link_operations_are_generated_and_reach_past_no_such_pool(http: httpx.Client) -> None:
    assert set(implemented_operations()) >= LINK_OPERATIONS | SESSION_OPERATIONS
    http.post("/_emulator/reset", json={})
    live = _live_session(http)
    listed = http.post("/", content=json.dumps({"AccessToken": live["AccessToken"][0]}).encode(),
                       headers=headers_for("ListUserSessions"))
    assert listed.status_code == 200 and {s["SessionId"] for s in listed.json()["Sessions"]} <= set(live["SessionId"])
    _google_provider(http)
    linked = http.post("/", content=json.dumps({
        "UserPoolId": POOL_ID, "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "nobody"},
        "SourceUser": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                       "ProviderAttributeValue": "109220063452404746097"}}).encode(),
        headers=headers_for("AdminLinkProviderForUser"))
    assert_aws_answer(linked, "link")
    assert "no user pool" not in linked.headers.get("x-emulator-reason", "") and "has no identity provider" not in \
        linked.headers.get("x-emulator-reason", "")
