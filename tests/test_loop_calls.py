"""Cheap API calls are answered on the event loop; one that would wait (a trigger, a store held by another
thread or worker) is rolled back and answered in a thread, once, without holding up the other ports."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import jwt
import pytest

from emulator import botocore_models
from emulator.blocking import WouldBlock, on_loop
from emulator.cognito import protocol
from emulator.cognito.loop_calls import ON_LOOP_BODY_BYTES, runs_on_loop
from emulator.cognito.protocol import TARGET_PREFIX
from emulator.keys import Keyring
from emulator.server import EmulatorServer
from emulator.state import Store
from emulator.testing import running_emulator
from emulator.worker_shared import SharedCells
from tests import trigger_functions
from tests.conftest import bundled_config, cognito_client, example_id_token
from tests.test_hostile_stall import GUARD, PROBE_TIMEOUT, in_background, store_held

PASSWORD = "Correct-Horse1"
GATED = "us-east-1_LoopGate1"
MACHINE, MACHINE_SECRET = "us-east-1_LoopM2M01", "loopmachinesecret" * 3


SIGN_IN = b'{"ClientId": "c", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "u"}}'


@pytest.mark.parametrize(("target", "body", "expected"), [
    (TARGET_PREFIX + "InitiateAuth", SIGN_IN, True),
    (TARGET_PREFIX + "GetUser", b" " * ON_LOOP_BODY_BYTES, True),
    (TARGET_PREFIX + "InitiateAuth", b" " * (ON_LOOP_BODY_BYTES + 1), False),  # parsing alone is worth a thread
    (TARGET_PREFIX + "InitiateAuth", SIGN_IN.replace(b"USER_PASSWORD_AUTH", b"USER_SRP_AUTH"), False),  # modexp
    (TARGET_PREFIX + "RespondToAuthChallenge", b'{"ChallengeName": "PASSWORD_VERIFIER"}', False),
    (TARGET_PREFIX + "RespondToAuthChallenge", b'{"ChallengeName": "DEVICE_SRP_AUTH"}', False),
    (TARGET_PREFIX + "RespondToAuthChallenge", b'{"ChallengeName": "SOFTWARE_TOKEN_MFA"}', True),
    (TARGET_PREFIX + "InitiateAuth", b'{"AuthFlow": "USER_AUTH", "AuthParameters": {"PREFERRED_CHALLENGE": '
                                     b'"PASSWORD_SRP"}}', False),
    (TARGET_PREFIX + "SignUp", SIGN_IN, False),  # not in the table
    (TARGET_PREFIX + "StartUserImportJob", b"{}", False),
    ("AWSCognitoIdentityService.GetId", b"{}", False),  # another service's target of the same port
    ("TrentService.Decrypt", b"{}", False),
    ("InitiateAuth", SIGN_IN, False),  # without the service prefix
    (None, b"", False),
])
def test_which_calls_are_tried_on_the_event_loop(target: str | None, body: bytes, expected: bool) -> None:
    assert runs_on_loop(target, body) is expected


def test_a_call_on_the_loop_does_not_wait_for_another_workers_write_lock() -> None:
    store = Store(None, clock=lambda: 0.0)
    cells = SharedCells()
    store.share_generation(cells.counter(), cells.write_lock)
    cells.write_lock.acquire()  # another worker's transaction
    try:
        with pytest.raises(WouldBlock), on_loop(), store.transaction():
            pass
    finally:
        cells.write_lock.release()
    with store.transaction():  # free again: in a thread or on the loop alike
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    config = bundled_config(with_apis=True)
    config["UserPools"].append({
        "Id": GATED, "Name": "gated", "LambdaConfig": {
            "PreAuthentication": "python:tests.trigger_functions:waiting_pre_authentication"},
        "Clients": [{"ClientName": "app", "ClientId": "gatedapp", "ExplicitAuthFlows": [
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
        "Users": [{"Username": "ann", "Password": PASSWORD}]})
    config["UserPools"].append({
        "Id": MACHINE, "Name": "machine", "LambdaConfig": {"PreTokenGenerationConfig": {
            "LambdaVersion": "V3_0", "LambdaArn": "python:tests.trigger_functions:pre_token_every_path"}},
        "Clients": [{"ClientName": "machine", "ClientId": "loopmachine", "ClientSecret": MACHINE_SECRET,
                     "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
                     "AllowedOAuthScopes": ["api/read"]}],
        "ResourceServers": [{"Identifier": "api", "Name": "API", "Scopes": [{"ScopeName": "read",
                                                                          "ScopeDescription": "Read"}]}]})
    with running_emulator(config) as emu:
        yield emu


@pytest.fixture(scope="module")
def id_token(server: EmulatorServer) -> str:
    return example_id_token(server.url)


@pytest.fixture(scope="module")
def warm_token(server: EmulatorServer, id_token: str) -> str:
    """The token, once every pool has its keys (stored at a pool's first sign-in) and the gateways have read them:
    a first read, or one after a pool's keys were stored, waits for a held store."""
    for pool in server.runtime.store.pools():
        server.runtime.keyring.keys(pool.id)
    assert gateway_probes(server, id_token) == [200, 200]
    return id_token


def gateway_probes(server: EmulatorServer, token: str) -> list[int]:
    """Both gateway APIs (the Cognito port's own routes may read the store, which the slow call holds)."""
    return [httpx.get(server.api_url(api) + path, headers={"Authorization": token}, timeout=PROBE_TIMEOUT).status_code
            for api, path in (("mogemoge", "/mogemoge"), ("test-api", "/dev/profile"))]


def _sign_in(server: EmulatorServer) -> httpx.Response:
    return httpx.post(server.url, json={"ClientId": "gatedapp", "AuthFlow": "USER_PASSWORD_AUTH",
                                        "AuthParameters": {"USERNAME": "ann", "PASSWORD": PASSWORD}},
                      headers={"X-Amz-Target": TARGET_PREFIX + "InitiateAuth",
                               "Content-Type": "application/x-amz-json-1.1"}, timeout=GUARD)


def test_a_sign_in_that_reaches_a_trigger_waits_in_a_thread_and_fires_it_once(server: EmulatorServer,
                                                                               warm_token: str) -> None:
    trigger_functions.EVENTS.clear()
    trigger_functions.GATE_ENTERED.clear()
    trigger_functions.GATE_RELEASE.clear()
    worker, slow = in_background(lambda: _sign_in(server))
    try:
        assert trigger_functions.GATE_ENTERED.wait(GUARD), "the trigger was never invoked"
        answered = gateway_probes(server, warm_token)
        assert "response" not in slow  # the sign-in waits on its trigger...
        assert answered == [200, 200]  # ...while the other ports answer
    finally:
        trigger_functions.GATE_RELEASE.set()
        worker.join(GUARD)
    assert slow["response"].status_code == 200 and "AccessToken" in slow["response"].text
    assert [e["triggerSource"] for e in trigger_functions.EVENTS] == ["PreAuthentication_Authentication"]


def test_a_call_while_another_thread_holds_the_store_waits_in_a_thread(server: EmulatorServer,
                                                                      warm_token: str) -> None:
    with store_held(server):
        worker, slow = in_background(lambda: cognito_client(server.url).list_user_pools(MaxResults=5))
        answered = gateway_probes(server, warm_token)
        assert "response" not in slow and answered == [200, 200]
    worker.join(GUARD)
    assert len(slow["response"]["UserPools"]) == 3


def test_a_token_endpoint_call_that_reaches_a_trigger_is_answered_in_a_thread_once(server: EmulatorServer) -> None:
    trigger_functions.EVENTS.clear()
    response = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials", "scope": "api/read"},
                          auth=("loopmachine", MACHINE_SECRET), timeout=GUARD)
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["minted_by"] == "TokenGeneration_ClientCredentials"
    assert [e["triggerSource"] for e in trigger_functions.EVENTS] == ["TokenGeneration_ClientCredentials"]


def test_first_uses_that_take_long_go_to_a_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # A pool's keys (read and parsed, or made) and botocore's model (a tenth of a second to load).
    keyring = Keyring(Store(None, clock=lambda: 0.0))
    with pytest.raises(WouldBlock), on_loop():
        keyring.keys("us-east-1_NewPool01")
    made = keyring.keys("us-east-1_NewPool01")  # in a thread
    with on_loop():
        assert keyring.keys("us-east-1_NewPool01") is made  # once in memory, on the loop too
    monkeypatch.delitem(botocore_models._loaded, "cognito-idp", raising=False)  # not read yet
    with pytest.raises(WouldBlock), on_loop():
        protocol.service_model()
    assert "InitiateAuth" in protocol.service_model()["operations"]
    with on_loop():
        protocol.service_model()
