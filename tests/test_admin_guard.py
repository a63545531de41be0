"""SigV4 on the operations AWS serves only signed: refused without it as AWS refuses them; with `Credentials:`
in the config, an unknown key id and a wrong signature are refused too, and botocore's signature passes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import boto3
import botocore
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config as BotoConfig
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.cognito import admin_guard
from emulator.cognito.sigv4 import SignedRequest
from emulator.config import Credential
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from emulator.token_command import main as token_command
from tests.conftest import bundled_config, refused

POOL = "us-east-1_Example01"
KEY_ID, SECRET = "AKIDEMULATOR01", "emulator-secret-key"
MISSING = ("MissingAuthenticationTokenException", "Request is missing Authentication Token")
UNRECOGNIZED = ("UnrecognizedClientException", "The security token included in the request is invalid.")
BAD_SIGNATURE = ("InvalidSignatureException", "The request signature we calculated does not match the signature "
                 "you provided. Check your AWS Secret Access Key and signing method. Consult the service "
                 "documentation for details.")


def signed(key_id: str = KEY_ID, secret: str = SECRET, body: bytes = b"{}", operation: str = "AdminGetUser",
           tamper: bytes | None = None) -> SignedRequest:
    """A request botocore signs, as the emulator then sees it (optionally with the body changed on the way)."""
    request = AWSRequest("POST", "http://127.0.0.1:9229/", data=body, headers={
        "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
        "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(key_id, secret), "cognito-idp", "us-east-1").add_auth(request)
    headers = [("host", "127.0.0.1:9229"), *request.headers.items(), ("user-agent", "test")]
    return SignedRequest("POST", "http://127.0.0.1:9229/", headers, tamper if tamper is not None else body)


def unsigned(*extra: tuple[str, str]) -> SignedRequest:
    return SignedRequest("POST", "http://127.0.0.1:9229/", [("host", "127.0.0.1:9229"), *extra], b"{}")


CONFIGURED = (Credential(KEY_ID, SECRET),)


@pytest.mark.parametrize(("operation", "request_", "credentials", "expected"), [
    ("InitiateAuth", unsigned(), CONFIGURED, None),  # authtype none: never needs a signature
    ("GetUser", unsigned(), CONFIGURED, None),
    ("AdminGetUser", unsigned(), (), MISSING),
    ("ListUserPools", unsigned(("authorization", "Bearer abc")), (), MISSING),
    ("CreateUserPool", unsigned(("authorization", "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/cognito-idp/"
                                                  "aws4_request, SignedHeaders=host, Signature=0")), (),
     ("IncompleteSignatureException", None)),  # no X-Amz-Date
    ("CreateUserPool", unsigned(("authorization", "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/cognito-idp/"
                                                  "aws4_request, SignedHeaders=host, Signature=0"),
                                ("x-amz-date", "yesterday")), (), ("IncompleteSignatureException", None)),
    ("AdminGetUser", signed(), (), None),  # no Credentials: any well-formed signature
    ("AdminGetUser", signed("SOMEONEELSE", "whatever"), (), None),
    ("AdminGetUser", signed(), CONFIGURED, None),
    ("AdminGetUser", signed("SOMEONEELSE", SECRET), CONFIGURED, UNRECOGNIZED),
    ("AdminGetUser", signed(KEY_ID, "wrong-secret"), CONFIGURED, BAD_SIGNATURE),
    ("AdminGetUser", signed(tamper=b'{"UserPoolId": "us-east-1_Other"}'), CONFIGURED, BAD_SIGNATURE),
    ("AdminGetUser", SignedRequest("POST", "http://[/", [("host", "["), *signed().headers[1:]], b"{}"), CONFIGURED,
     BAD_SIGNATURE),  # a Host no URL can hold: refused, never a 500
])
def test_refusal_table(operation: str, request_: SignedRequest, credentials: tuple[Credential, ...],
                       expected: tuple[str, str | None] | None) -> None:
    error = admin_guard.refusal(operation, request_, credentials)
    if expected is None:
        assert error is None
        return
    assert error is not None and error.type == expected[0] and error.status == 400 and error.reason
    if expected[1] is not None:
        assert error.message == expected[1]


def test_a_signed_header_changed_in_transit_is_a_bad_signature() -> None:
    request = signed()
    changed = [(k, "AWSCognitoIdentityProviderService.AdminDeleteUser" if k.lower() == "x-amz-target" else v)
               for k, v in request.headers]
    error = admin_guard.refusal("AdminGetUser", SignedRequest(request.method, request.url, changed, request.body),
                                CONFIGURED)
    assert error is not None and (error.type, error.message) == BAD_SIGNATURE


def test_a_content_hash_that_lies_about_the_body_is_a_bad_signature() -> None:
    request = signed(body=b"{}")
    lying = [*request.headers, ("x-amz-content-sha256", hashlib.sha256(b"other").hexdigest())]
    error = admin_guard.refusal("AdminGetUser", SignedRequest("POST", request.url, lying, b"{}"), CONFIGURED)
    assert error is not None and error.type == "InvalidSignatureException" and "X-Amz-Content-SHA256" in error.reason


# -- over HTTP, with real clients ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def open_emulator() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config()) as emu:
        yield emu


@pytest.fixture(scope="module")
def keyed_emulator() -> Iterator[EmulatorServer]:
    config = bundled_config()
    config["Credentials"] = [{"AccessKeyId": KEY_ID, "SecretAccessKey": SECRET}]
    with running_emulator(config) as emu:
        yield emu


def client(url: str, signed_: bool = True) -> object:
    config = BotoConfig(retries={"max_attempts": 1}, signature_version=None if signed_ else botocore.UNSIGNED)
    # A new session reads the credentials now in the environment (boto3's default one keeps the first).
    return boto3.session.Session().client("cognito-idp", endpoint_url=url, region_name="us-east-1", config=config)


def test_an_unsigned_admin_call_gets_awss_error(open_emulator: EmulatorServer) -> None:
    idp = client(open_emulator.url, signed_=False)
    code, message, reason = refused(lambda: idp.admin_get_user(UserPoolId=POOL, Username="peroper@hoge.com"))
    assert (code, message) == MISSING
    assert "AdminGetUser is served only SigV4-signed" in reason and "AWS_ACCESS_KEY_ID" in reason
    # The operations AWS serves unsigned stay open.
    code, message, _ = refused(lambda: idp.initiate_auth(ClientId="nosuch", AuthFlow="USER_PASSWORD_AUTH",
                                                        AuthParameters={"USERNAME": "a", "PASSWORD": "b"}))
    assert code == "ResourceNotFoundException"


def test_any_signature_passes_without_configured_credentials(open_emulator: EmulatorServer,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "anything")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "at-all")
    assert client(open_emulator.url).admin_get_user(UserPoolId=POOL, Username="peroper@hoge.com")["Username"]


def test_the_configured_key_signed_by_botocore_passes(keyed_emulator: EmulatorServer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    idp = client(keyed_emulator.url)
    assert idp.admin_get_user(UserPoolId=POOL, Username="peroper@hoge.com")["Username"]
    assert idp.list_user_pools(MaxResults=10)["UserPools"]


def test_an_unknown_key_id_is_unrecognized(keyed_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    code, message, reason = refused(lambda: client(keyed_emulator.url).list_user_pools(MaxResults=10))
    assert (code, message) == UNRECOGNIZED
    assert "'test'" in reason and KEY_ID in reason


def test_a_wrong_secret_is_an_invalid_signature(keyed_emulator: EmulatorServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    code, message, reason = refused(lambda: client(keyed_emulator.url).admin_get_user(UserPoolId=POOL,
                                                                                      Username="x"))
    assert (code, message) == BAD_SIGNATURE
    assert "does not match" in reason and KEY_ID in reason


def test_unsigned_operations_stay_open_with_configured_credentials(keyed_emulator: EmulatorServer) -> None:
    code, _, _ = refused(lambda: client(keyed_emulator.url, signed_=False).initiate_auth(
        ClientId="nosuch", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "a", "PASSWORD": "b"}))
    assert code == "ResourceNotFoundException"


def test_the_token_command_signs_its_admin_call(keyed_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    assert token_command(["--endpoint", keyed_emulator.url, "--client-id", "piyopiyo", "--username",
                          "peroper@hoge.com", "--password", "munyamunya"]) == 0
    assert capsys.readouterr().out.count(".") == 2  # a JWT


@pytest.mark.parametrize(("credentials", "path", "reason"), [
    ("not a list", "Credentials", "expected a list"),
    ([{"AccessKeyId": "A"}], "Credentials[0].SecretAccessKey", "is required"),
    ([{"AccessKeyId": "has space", "SecretAccessKey": "s"}], "Credentials[0].AccessKeyId", "not an access key id"),
    ([{"AccessKeyId": "A", "SecretAccessKey": "s", "Extra": 1}], "Credentials[0].Extra", "unknown key"),
    ([{"AccessKeyId": "A", "SecretAccessKey": "s"}, {"AccessKeyId": "A", "SecretAccessKey": "t"}],
     "Credentials[1].AccessKeyId", "duplicate access key id"),
])
def test_credentials_config_errors_name_the_key_path(credentials: object, path: str, reason: str) -> None:
    from emulator.config import parse_config
    from emulator.config_fields import ConfigError

    with pytest.raises(ConfigError) as info:
        parse_config({"Credentials": credentials})
    assert info.value.path == path and reason in info.value.reason


_PART = st.text(alphabet=st.characters(codec="latin-1"), max_size=12)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(scope=st.lists(_PART, min_size=0, max_size=7), signed=st.lists(_PART, max_size=4), signature=_PART,
       host=_PART, amz_date=st.one_of(st.none(), _PART, st.just("20260101T000000Z")), path=_PART,
       body=st.binary(max_size=64), key_id=st.sampled_from([KEY_ID, "other", ""]))
def test_the_guard_answers_any_header_without_raising(scope: list[str], signed: list[str], signature: str,
                                                      host: str, amz_date: str | None, path: str, body: bytes,
                                                      key_id: str) -> None:
    credential = "/".join([key_id, *scope]) if scope else key_id
    header = f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={';'.join(['host', *signed])}, " \
             f"Signature={signature}"
    headers = [("host", host), ("authorization", header)] + ([("x-amz-date", amz_date)] if amz_date else [])
    request = SignedRequest("POST", f"http://{host}/{path}", headers, body)
    for credentials in ((), CONFIGURED):
        error = admin_guard.refusal("AdminGetUser", request, credentials)
        assert error is None or (error.status == 400 and error.reason)
