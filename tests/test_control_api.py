"""The test-control API over HTTP (httpx, and Node's fetch): clock, users, outbox, reset, snapshots."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import POOL_ID, bundled_config, cognito_client, refused

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    config = bundled_config(with_apis=True)
    for api in config["Apis"]:
        api["Port"] = 0  # the system picks the gateway ports
    with running_emulator(config) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def fresh(server: EmulatorServer) -> None:
    assert httpx.post(server.url + "/_emulator/reset", json={}).status_code == 200


def secret_hash(username: str, client_id: str = "piyopiyo", secret: str = "amoamo") -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def sign_in(server: EmulatorServer, username: str = "peroper@hoge.com") -> dict[str, Any]:
    return cognito_client(server.url).initiate_auth(
        ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "munyamunya",
                        "SECRET_HASH": secret_hash(username)})["AuthenticationResult"]


def control(server: EmulatorServer, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(f"{server.url}/_emulator/{path}", json=body)


def test_the_clock_moves_and_tokens_expire_for_cognito_and_the_gateway(server: EmulatorServer) -> None:
    tokens = sign_in(server)
    gateway = server.api_url("mogemoge")
    assert httpx.get(gateway + "/mogemoge", headers={"Authorization": tokens["IdToken"]}).status_code == 200
    before = httpx.get(server.url + "/_emulator/clock").json()
    moved = control(server, "clock", {"advance": 3601}).json()
    assert moved["now"] >= before["now"] + 3601 and moved["frozen"] is False
    code, message, reason = refused(lambda: cognito_client(server.url).get_user(AccessToken=tokens["AccessToken"]))
    assert (code, message) == ("NotAuthorizedException", "Access Token has expired")
    denied = httpx.get(gateway + "/mogemoge", headers={"Authorization": tokens["IdToken"]})
    assert denied.status_code == 401 and denied.json() == {"message": "Unauthorized"}
    assert "expired" in denied.headers["x-emulator-reason"]


def test_freeze_set_resume_and_reset(server: EmulatorServer) -> None:
    frozen = control(server, "clock", {"set": 2_000_000_000, "freeze": True}).json()
    assert frozen == {"now": 2_000_000_000, "iso": "2033-05-18T03:33:20Z", "frozen": True}
    assert httpx.get(server.url + "/_emulator/clock").json()["now"] == 2_000_000_000
    assert control(server, "clock", {"advance": 60}).json()["now"] == 2_000_000_060
    assert control(server, "clock", {"resume": True}).json()["frozen"] is False
    assert control(server, "clock", {"reset": True}).json()["now"] < 2_000_000_000
    for bad in ({}, {"advance": "ten"}, {"jump": 1}, {"set": True}):
        response = control(server, "clock", bad)
        assert response.status_code == 400 and response.headers["x-emulator-reason"]


def test_reset_puts_the_clock_back_unless_asked_not_to(server: EmulatorServer) -> None:
    control(server, "clock", {"advance": 86400 * 365})
    kept = httpx.post(server.url + "/_emulator/reset", json={"clock": False})
    assert kept.status_code == 200
    assert control(server, "clock", {"advance": 0}).json()["iso"] > "2027"
    httpx.post(server.url + "/_emulator/reset", json={})
    assert httpx.get(server.url + "/_emulator/clock").json()["iso"] < "2027-12"


def test_force_confirm_and_set_status(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    idp.sign_up(ClientId="piyopiyo", Username="fresh@hoge.com", Password="Passw0rd!long",
                SecretHash=secret_hash("fresh@hoge.com"), UserAttributes=[{"Name": "email", "Value": "fresh@hoge.com"}])
    assert refused(lambda: sign_in(server, "fresh@hoge.com"))[0] == "UserNotConfirmedException"
    confirmed = control(server, "users/confirm", {"pool_id": POOL_ID, "username": "fresh@hoge.com"})
    assert confirmed.json()["status"] == "CONFIRMED"
    disabled = control(server, "users/status", {"pool_id": POOL_ID, "username": "fresh@hoge.com", "enabled": False})
    assert disabled.json()["enabled"] is False
    assert refused(lambda: sign_in(server, "fresh@hoge.com"))[:2] == ("NotAuthorizedException", "User is disabled.")
    reset = control(server, "users/status", {"pool_id": POOL_ID, "username": "fresh@hoge.com",
                                             "status": "RESET_REQUIRED", "enabled": True})
    assert reset.json()["status"] == "RESET_REQUIRED"
    assert refused(lambda: sign_in(server, "fresh@hoge.com"))[0] == "PasswordResetRequiredException"
    for body, status in (({"pool_id": POOL_ID, "username": "nobody"}, 404),
                         ({"pool_id": "us-east-1_Nope", "username": "x"}, 404),
                         ({"pool_id": POOL_ID, "username": "fresh@hoge.com", "status": "HAPPY"}, 400),
                         ({"username": "x"}, 400)):
        response = control(server, "users/status", {"status": "CONFIRMED", **body})
        assert response.status_code == status, body
        assert response.headers["x-emulator-reason"]


def test_revoke_tokens(server: EmulatorServer) -> None:
    tokens = sign_in(server)
    revoked = control(server, "users/revoke-tokens", {"pool_id": POOL_ID, "username": "peroper@hoge.com"})
    assert revoked.status_code == 200
    code, message, _ = refused(lambda: cognito_client(server.url).get_user(AccessToken=tokens["AccessToken"]))
    assert (code, message) == ("NotAuthorizedException", "Access Token has been revoked")


def test_outbox_reads_and_clears_while_codes_stay_usable(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    idp.forgot_password(ClientId="piyopiyo", Username="peroper@hoge.com", SecretHash=secret_hash("peroper@hoge.com"))
    messages = httpx.get(server.url + "/_emulator/outbox").json()["messages"]
    assert [(m["username"], m["purpose"], m["medium"]) for m in messages] == \
        [("peroper@hoge.com", "forgot_password", "EMAIL")]
    code = messages[0]["code"]
    assert code in messages[0]["message"]
    assert control(server, "outbox/clear", {}).json() == {"cleared": 1}
    assert httpx.get(server.url + "/_emulator/outbox").json()["messages"] == []
    idp.confirm_forgot_password(ClientId="piyopiyo", Username="peroper@hoge.com", ConfirmationCode=code,
                                Password="Another-passw0rd", SecretHash=secret_hash("peroper@hoge.com"))
    assert httpx.get(server.url + "/_emulator/outbox", params={"pool_id": "us-east-1_Nope"}).status_code == 404


def test_snapshot_and_restore(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    assert control(server, "snapshots", {"name": "clean"}).status_code == 200
    idp.admin_create_user(UserPoolId=POOL_ID, Username="temporary")
    control(server, "snapshots/restore", {"name": "clean"})
    assert refused(lambda: idp.admin_get_user(UserPoolId=POOL_ID, Username="temporary"))[0] == \
        "UserNotFoundException"
    assert httpx.get(server.url + "/_emulator/snapshots").json() == {"snapshots": ["clean"]}
    missing = control(server, "snapshots/restore", {"name": "other"})
    assert missing.status_code == 404 and "clean" in missing.headers["x-emulator-reason"]


def test_moto_reset_and_the_guard(server: EmulatorServer) -> None:
    idp = cognito_client(server.url)
    idp.admin_create_user(UserPoolId=POOL_ID, Username="gone-after-reset")
    assert httpx.post(server.url + "/moto-api/reset").json()["status"] == "reset"  # moto clients send no body
    assert refused(lambda: idp.admin_get_user(UserPoolId=POOL_ID, Username="gone-after-reset"))[0] == \
        "UserNotFoundException"
    for path, kwargs in (("/moto-api/reset", {"headers": {"Origin": "http://evil.example"}}),
                         ("/moto-api/reset", {"data": {"a": "b"}}),
                         ("/_emulator/clock", {"content": b'{"advance": 1}',
                                               "headers": {"Content-Type": "text/plain"}}),
                         ("/_emulator/clock", {"json": {"advance": 1}, "headers": {"Sec-Fetch-Site": "cross-site"}})):
        response = httpx.post(server.url + path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 403, (path, kwargs)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_node_fetch_moves_the_clock_and_reads_the_outbox(server: EmulatorServer) -> None:
    script = """
const base = process.argv[1];
const post = (path, body) => fetch(base + path, {method: 'POST', headers: {'content-type': 'application/json'},
                                                 body: JSON.stringify(body)}).then(r => r.json());
(async () => {
  const frozen = await post('/_emulator/clock', {set: 1900000000, freeze: true});
  const outbox = await fetch(base + '/_emulator/outbox').then(r => r.json());
  console.log(JSON.stringify({frozen, outbox}));
})();
"""
    done = subprocess.run(["node", "-e", script, server.url], capture_output=True, text=True, timeout=30, check=True)
    answer = json.loads(done.stdout)
    assert answer["frozen"]["now"] == 1900000000 and answer["frozen"]["frozen"] is True
    assert answer["outbox"] == {"messages": []}


def test_only_moto_reset_takes_a_bodyless_post() -> None:
    from emulator.cognito.emulator_access import AccessPolicy, refusal

    local = {"host": "127.0.0.1:9229"}
    assert refusal("POST", local, "127.0.0.1", AccessPolicy(), bodyless_ok=True) is None
    assert refusal("POST", local, "127.0.0.1", AccessPolicy()) is not None
    assert refusal("POST", {**local, "content-length": "5"}, "127.0.0.1", AccessPolicy(), bodyless_ok=True)
    assert refusal("POST", {**local, "transfer-encoding": "chunked"}, "127.0.0.1", AccessPolicy(), bodyless_ok=True)
    assert refusal("POST", {**local, "origin": "http://evil.example"}, "127.0.0.1", AccessPolicy(), bodyless_ok=True)
