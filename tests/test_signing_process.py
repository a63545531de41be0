"""While requests overlap, their tokens are signed by a child process on another core; the bytes are what the
event loop would have signed, a lone request is signed on the loop and its signing thread, and a child that dies
or hangs costs no request its answer."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import signal
from collections.abc import Iterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from emulator import signing_process, tokens
from emulator.cognito.lookup import secret_hash
from emulator.encoding import b64url_decode
from emulator.http_protocol import REQUESTS_IN_PROGRESS, overlapping
from emulator.server import EmulatorServer
from emulator.signing_process import (
    decode_batch,
    decode_signatures,
    encode_batch,
    encode_signatures,
    frame,
    frames_in,
    main,
)
from emulator.testing import running_emulator
from tests.conftest import POOL_ID, bundled_config

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
DER = KEY.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
SIGN_IN = json.dumps({"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
    "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
    "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")}}).encode()
HEADERS = {"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
           "Content-Type": "application/x-amz-json-1.1"}


def rs256(data: bytes) -> bytes:
    return KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("items", [
    [],
    [("kid-1", DER, b"header.payload")],
    [("kid-1", DER, b"a.b"), ("kid-1", b"", b"c.d"), ("kid-\u00e9", b"", b"")],
])
def test_a_batch_reads_back_as_written(items: list[tuple[str, bytes, bytes]]) -> None:
    assert decode_batch(encode_batch(items)) == items


def test_a_batch_with_bytes_after_its_last_item_is_refused() -> None:
    with pytest.raises(ValueError, match="after its last item"):
        decode_batch(encode_batch([("k", b"", b"x")]) + b"!")


@pytest.mark.parametrize("signatures", [[], [b"\x01" * 256], [b"", b"\x00" * 512, b"\xff"]])
def test_signatures_read_back_as_written(signatures: list[bytes]) -> None:
    assert decode_signatures(encode_signatures(signatures)) == signatures


def test_frames_are_taken_whole_and_a_partial_one_waits_for_its_bytes() -> None:
    stream = frame(b"one") + frame(b"") + frame(b"three")
    buffer = bytearray(stream[:-2])
    assert frames_in(buffer) == [b"one", b""]
    assert bytes(buffer) == stream[len(frame(b"one") + frame(b"")):-2]
    buffer += stream[-2:]
    assert frames_in(buffer) == [b"three"] and not buffer


def test_the_child_signs_each_batch_as_cryptography_does_and_holds_keys_by_kid() -> None:
    first = [("kid-1", DER, b"a.b"), ("kid-1", b"", b"c.d")]
    second = [("kid-1", b"", b"e.f")]
    out = io.BytesIO()
    main(io.BytesIO(frame(encode_batch(first)) + frame(encode_batch(second))), out)
    ready, *answers = frames_in(bytearray(out.getvalue()))
    assert ready == b""
    assert [decode_signatures(a) for a in answers] == [[rs256(b"a.b"), rs256(b"c.d")], [rs256(b"e.f")]]


@pytest.mark.parametrize(("scope", "expected"), [
    ({}, False),  # not served by this emulator's HTTP protocol (a test client): sign on the loop
    ({REQUESTS_IN_PROGRESS: {"this one"}}, False),
    ({REQUESTS_IN_PROGRESS: {"this one", "another"}}, True),
])
def test_requests_overlap_when_their_server_has_others_in_progress(scope: dict, expected: bool) -> None:
    assert overlapping(scope) is expected


async def _at_once(url: str, path: str, body: bytes, headers: dict[str, str], count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await asyncio.gather(*(client.post(path, content=body, headers=headers) for _ in range(count)))


def overlapping_sign_ins(server: EmulatorServer, count: int = 24) -> list[dict]:
    """`count` sign-ins at once; each answer's tokens."""
    responses = asyncio.run(_at_once(server.url, "/", SIGN_IN, HEADERS, count))
    assert [r.status_code for r in responses] == [200] * count
    return [r.json()["AuthenticationResult"] for r in responses]


def until_the_child_signs(server: EmulatorServer) -> list[dict]:
    """Overlapping rounds until some of a round's tokens came from the child (it starts on the first overlap)."""
    process = server.runtime.signer.process
    for _ in range(100):
        before = process.signatures
        results = overlapping_sign_ins(server)
        if process.signatures > before:
            return results
    raise AssertionError("no token was signed by the signing process")


def assert_signed_as_the_loop_would(server: EmulatorServer, results: list[dict]) -> None:
    for result in results:
        for name, purpose in (("IdToken", "id"), ("AccessToken", "access")):
            key = server.runtime.keyring.signing_key(POOL_ID, purpose).private_key
            signing_input, _, signature = result[name].rpartition(".")
            # PKCS#1 v1.5 is deterministic: the same bytes as a signature made here, which the public key checks.
            assert b64url_decode(signature) == key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
            claims = jwt.decode(result[name], key.public_key(), algorithms=["RS256"],
                                options={"verify_aud": False, "verify_exp": False})
            assert claims["token_use"] == purpose and claims["username" if purpose == "access" else
                                                             "cognito:username"] == "peroper@hoge.com"


@pytest.fixture
def served() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config()) as server:
        yield server


def test_overlapping_sign_ins_are_signed_by_the_child_as_the_loop_would_sign_them(served: EmulatorServer) -> None:
    results = until_the_child_signs(served)
    assert_signed_as_the_loop_would(served, results)
    assert served.runtime.signer.process.starts == 1


def test_overlapping_client_credentials_grants_are_signed_by_the_child_too(served: EmulatorServer) -> None:
    until_the_child_signs(served)
    process = served.runtime.signer.process
    before = process.signatures
    basic = base64.b64encode(b"testserver01:testserversecret0123456789").decode()
    grant = b"grant_type=client_credentials&scope=test_resource%2Ftest"
    headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
    responses = asyncio.run(_at_once(served.url, "/oauth2/token", grant, headers, 24))
    assert [r.status_code for r in responses] == [200] * 24
    assert process.signatures > before
    key = served.runtime.keyring.signing_key(POOL_ID, "access").private_key
    for response in responses:
        token = response.json()["access_token"]
        signing_input, _, signature = token.rpartition(".")
        assert b64url_decode(signature) == key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        assert jwt.decode(token, key.public_key(), algorithms=["RS256"], options={"verify_exp": False})[
            "scope"] == "test_resource/test"


def test_a_lone_request_at_a_time_is_signed_by_the_loop_and_its_thread_and_starts_no_child(
        served: EmulatorServer) -> None:
    with httpx.Client(base_url=served.url) as client:
        responses = [client.post("/", content=SIGN_IN, headers=HEADERS) for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 5
    assert_signed_as_the_loop_would(served, [r.json()["AuthenticationResult"] for r in responses])
    assert served.runtime.signer.thread.signed == 5  # one of each sign-in's two tokens
    assert served.runtime.signer.process.starts == 0


def signal_the_working_child(server: EmulatorServer, signal_number: int) -> int:
    """Send a signal to the signing process once it has signed; its pid."""
    until_the_child_signs(server)
    pid = server.runtime.signer.process.pid
    assert pid is not None
    os.kill(pid, signal_number)
    return pid


def test_a_child_that_dies_costs_no_answer_and_is_started_again(served: EmulatorServer,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    process = served.runtime.signer.process
    pid = signal_the_working_child(served, signal.SIGKILL)
    with caplog.at_level(logging.WARNING, logger="cognito_emulator"):
        assert_signed_as_the_loop_would(served, overlapping_sign_ins(served))
        assert_signed_as_the_loop_would(served, until_the_child_signs(served))
    assert "the signing process stopped (its output closed)" in caplog.text
    assert process.starts == 2 and process.pid not in (None, pid)


def test_a_child_that_hangs_is_stopped_and_its_requests_signed_on_the_loop(
        served: EmulatorServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signing_process, "ANSWER_SECONDS", 0.3)
    pid = signal_the_working_child(served, signal.SIGSTOP)
    with caplog.at_level(logging.WARNING, logger="cognito_emulator"):
        assert_signed_as_the_loop_would(served, overlapping_sign_ins(served))
    assert "the signing process stopped (it signed nothing for 0.3 s)" in caplog.text
    assert served.runtime.signer.process.pid != pid
    with pytest.raises(ProcessLookupError):  # killed and reaped, though it was stopped
        os.kill(pid, 0)


def test_a_signature_that_fails_is_aws_internal_error_with_a_reason_never_a_traceback(
        served: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(key: object, data: bytes) -> str:
        raise RuntimeError("no signature today")

    monkeypatch.setattr(tokens, "_signed", broken)
    with httpx.Client(base_url=served.url) as client:
        response = client.post("/", content=SIGN_IN, headers=HEADERS)
    assert response.status_code == 500
    assert response.json()["__type"] == "InternalErrorException"
    assert response.headers["x-emulator-reason"] == (
        "the emulator failed while signing the tokens of InitiateAuth; see its log")
