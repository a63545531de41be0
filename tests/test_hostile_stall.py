"""One request's work on one port must not hold up another port: all listeners share one event loop, so
parsing, validation and operations run in the thread pool. Asserted by ordering (a probe on another port
completes while the slow request is provably unfinished), never by a time limit; timeouts only stop a
broken run from hanging. bench/stall.py measures the real stalls."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.cognito import api_root
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config, example_id_token
from tests.hostile import SIGNED

GUARD = 30  # seconds; only ever reached when the ordering under test is broken
PROBE_TIMEOUT = 10  # shorter than GUARD: a probe stuck behind the slow request fails instead of waiting it out


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config(with_apis=True)) as emu:
        yield emu


@pytest.fixture(scope="module")
def id_token(server: EmulatorServer) -> str:
    return example_id_token(server.url)


def probes(server: EmulatorServer, token: str) -> list[httpx.Response]:
    """A request to each other listener: both gateway APIs, and the Cognito port's own JWKS."""
    return [
        httpx.get(server.api_url("mogemoge") + "/mogemoge", headers={"Authorization": token}, timeout=PROBE_TIMEOUT),
        httpx.get(server.api_url("test-api") + "/dev/profile", headers={"Authorization": token},
                  timeout=PROBE_TIMEOUT),
        httpx.get(f"{server.url}/us-east-1_Example01/.well-known/jwks.json", timeout=PROBE_TIMEOUT),
    ]


def in_background(send: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run `send()` in a thread; its response lands in the dict once (and only once) it is complete."""
    result: dict[str, Any] = {}
    worker = threading.Thread(target=lambda: result.update(response=send()))
    worker.start()
    return worker, result


def test_validation_in_progress_does_not_hold_up_other_ports(server: EmulatorServer, id_token: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    entered, release = threading.Event(), threading.Event()
    real = api_root.validated

    def slow_validation(operation: str, params: dict) -> dict:
        # Stands in for CPU-bound checking of a hostile value: it cannot finish until the test says so.
        entered.set()
        release.wait(GUARD)
        return real(operation, params)

    monkeypatch.setattr(api_root, "validated", slow_validation)
    body = json.dumps({"PoolName": "p", "EmailConfiguration": {"ReplyToEmailAddress": "@" * 32_000 + " "}})
    worker, slow = in_background(lambda: httpx.post(server.url, content=body.encode(), headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.CreateUserPool", **SIGNED}, timeout=GUARD))
    try:
        assert entered.wait(GUARD), "the hostile request never reached validation"
        answered = probes(server, id_token)
        assert "response" not in slow  # the slow request is still being checked...
        assert [r.status_code for r in answered] == [200, 200, 200]  # ...and every other port answered
    finally:
        release.set()
        worker.join(GUARD)
    assert slow["response"].json()["__type"] == "InvalidParameterException"


def test_a_body_that_arrives_slowly_does_not_hold_up_other_ports(server: EmulatorServer, id_token: str) -> None:
    more = threading.Event()

    def trickle() -> Iterator[bytes]:
        yield b'{"ClientId": "nosuch", '
        more.wait(GUARD)
        yield b'"AuthFlow": "USER_PASSWORD_AUTH"}'

    worker, slow = in_background(lambda: httpx.post(server.url, content=trickle(), headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}, timeout=GUARD))
    try:
        answered = probes(server, id_token)
        assert "response" not in slow and [r.status_code for r in answered] == [200, 200, 200]
    finally:
        more.set()
        worker.join(GUARD)
    assert slow["response"].json()["__type"] == "ResourceNotFoundException"


@contextlib.contextmanager
def store_held(server: EmulatorServer) -> Iterator[None]:
    """Another thread holds the store in a transaction (as serialized() does around every operation) for the
    body's duration."""
    held, release = threading.Event(), threading.Event()

    def long_operation() -> None:
        with server.runtime.store.transaction():
            held.set()
            release.wait(GUARD)

    worker = threading.Thread(target=long_operation)
    worker.start()
    try:
        assert held.wait(GUARD)
        yield
    finally:
        release.set()
        worker.join(GUARD)


def test_an_operation_holding_the_store_does_not_hold_up_the_gateway(server: EmulatorServer, id_token: str) -> None:
    with store_held(server):
        try:
            response = httpx.get(server.api_url("mogemoge") + "/mogemoge", headers={"Authorization": id_token},
                                 timeout=PROBE_TIMEOUT)
        except httpx.TimeoutException:
            response = None
        assert response is not None and response.status_code == 200
