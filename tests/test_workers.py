"""`--workers 2`: two processes serve one port and one state directory, and what one does the other sees —
client changes, the test clock, single-use codes, lockout counts, revocations, decisions, snapshots.

Each request below opens its own connection, so the kernel hands them to either worker; each test first makes
sure both answered (GET /_emulator/worker names the process)."""

from __future__ import annotations

import http.client
import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import botocore.exceptions
import httpx
import pytest

from tests.conftest import ROOT, cognito_client, refused

pytestmark = [pytest.mark.e2e, pytest.mark.cli]

POOL = "us-east-1_Workers01"
PASSWORD = "Correct-Horse1"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "workers", "AutoVerifiedAttributes": ["email"],
    "Users": [{"Username": name, "Password": PASSWORD, "UserAttributes": {"email": f"{name}@example.com",
                                                                         "email_verified": "true"}}
              for name in ("ann", "bob", "locky")],
    "Clients": [{"ClientName": "web", "ClientId": "webclient", "ExplicitAuthFlows": FLOWS}],
}]}
TRIES = 60  # fresh connections before giving up on seeing both workers


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """`cognito-emulator --workers 2` as a user starts it; (its URL, its state file)."""
    tmp = tmp_path_factory.mktemp("workers")
    (tmp / "config.yaml").write_text(json.dumps(CONFIG))
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--config", str(tmp / "config.yaml"), "--port", "0", "--workers", "2",
         "--state", str(tmp / "state"), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "ready" in line and "(2 worker processes)" in line, process.stderr.read()
        yield line.split("cognito-idp ")[1].split()[0], tmp / "state" / "state.sqlite3"
    finally:
        process.terminate()
        assert process.wait(20) == 0


def fresh(url: str, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
    """One request on a new connection (so either worker may take it)."""
    response = httpx.request(method, url + path, json=body, timeout=30)
    return {**response.json(), "_status": response.status_code}


def on_both(url: str, call: Callable[[], Any]) -> list[Any]:
    """`call` repeated on new connections until both workers answered (each answer with its worker's pid)."""
    answers, pids = [], set()
    for _ in range(TRIES):
        pids.add(fresh(url, "GET", "/_emulator/worker")["pid"])
        answers.append(call())
        if len(pids) == 2 and len(answers) >= 6:
            return answers
    pytest.fail(f"only worker {pids} answered {TRIES} new connections")


def parallel(count: int, call: Callable[[int], Any]) -> list[Any]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def sign_in(url: str, username: str, password: str = PASSWORD, client: str = "webclient") -> dict[str, Any]:
    return cognito_client(url).initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": username, "PASSWORD": password})["AuthenticationResult"]


def test_two_processes_serve_the_port(served: tuple[str, Path]) -> None:
    url, _ = served
    answers = on_both(url, lambda: fresh(url, "GET", "/_emulator/worker"))
    assert {a["workers"] for a in answers} == {2}


def test_the_test_clock_is_the_same_in_every_worker(served: tuple[str, Path]) -> None:
    url, _ = served
    assert fresh(url, "POST", "/_emulator/clock", {"freeze": True, "set": 2_000_000_000})["now"] == 2_000_000_000
    try:
        assert {a["now"] for a in on_both(url, lambda: fresh(url, "GET", "/_emulator/clock"))} == {2_000_000_000}
    finally:
        fresh(url, "POST", "/_emulator/clock", {"reset": True})
    assert {a["frozen"] for a in on_both(url, lambda: fresh(url, "GET", "/_emulator/clock"))} == {False}


def test_a_client_changed_through_one_worker_changes_in_every_worker(served: tuple[str, Path]) -> None:
    url, _ = served
    admin = cognito_client(url)
    client_id = admin.create_user_pool_client(UserPoolId=POOL, ClientName="changing",
                                              ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    # Every worker has now parsed (and cached) the client as it was.
    assert all(on_both(url, lambda: sign_in(url, "ann", client=client_id)["AccessToken"]))
    admin.update_user_pool_client(UserPoolId=POOL, ClientId=client_id, ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    outcomes = on_both(url, lambda: refused(lambda: sign_in(url, "ann", client=client_id))[:2])
    assert set(outcomes) == {("InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")}


def test_a_confirmation_code_works_once_across_workers(served: tuple[str, Path]) -> None:
    url, _ = served
    cognito_client(url).sign_up(ClientId="webclient", Username="carol", Password=PASSWORD,
                                UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
    code = fresh(url, "GET", f"/_emulator/codes/latest?pool_id={POOL}&username=carol")["code"]

    def confirm(_: int) -> str:
        try:
            cognito_client(url).confirm_sign_up(ClientId="webclient", Username="carol", ConfirmationCode=code)
        except botocore.exceptions.ClientError as error:
            return error.response["Error"]["Code"]
        return "confirmed"

    outcomes = parallel(12, confirm)
    assert outcomes.count("confirmed") == 1, outcomes


def test_parallel_wrong_passwords_are_all_counted(served: tuple[str, Path]) -> None:
    url, state = served

    def wrong(_: int) -> str:
        return refused(lambda: sign_in(url, "locky", "Wrong-Horse1"))[0]

    outcomes = parallel(4, wrong)
    assert set(outcomes) == {"NotAuthorizedException"}
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        data = json.loads(db.execute("SELECT data FROM records WHERE kind='user' AND scope=? AND key='locky'",
                                     (POOL,)).fetchone()[0])
    assert data["failed_attempts"] == 4  # none lost between the two processes


def test_a_global_sign_out_holds_in_every_worker(served: tuple[str, Path]) -> None:
    url, _ = served
    sessions = parallel(6, lambda _: sign_in(url, "bob"))
    cognito_client(url).global_sign_out(AccessToken=sessions[0]["AccessToken"])

    def refresh(tokens: dict[str, Any]) -> tuple[str, str]:
        return refused(lambda: cognito_client(url).initiate_auth(
            ClientId="webclient", AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]}))[:2]

    assert set(parallel(6, lambda i: refresh(sessions[i]))) == {("NotAuthorizedException",
                                                                  "Refresh Token has been revoked")}
    revoked = on_both(url, lambda: refused(lambda: cognito_client(url).get_user(
        AccessToken=sessions[1]["AccessToken"]))[:2])
    assert set(revoked) == {("NotAuthorizedException", "Access Token has been revoked")}


def test_decisions_and_snapshots_are_the_same_in_every_worker(served: tuple[str, Path]) -> None:
    url, _ = served
    refused(lambda: sign_in(url, "ann", "Not-The-Password1"))
    seen = on_both(url, lambda: fresh(url, "GET", "/_emulator/decisions"))
    assert all(any("Not-The-Password1" not in json.dumps(d) and "ann" in d["reason"] for d in answer["decisions"])
               for answer in seen)
    assert fresh(url, "POST", "/_emulator/snapshots", {"name": "before"})["records"] > 0
    assert {tuple(a["snapshots"]) for a in on_both(url, lambda: fresh(url, "GET", "/_emulator/snapshots"))} == {
        ("before",)}


def test_connections_opened_at_once_are_spread_over_both_workers(served: tuple[str, Path]) -> None:
    # Each worker accepts on a socket of its own (SO_REUSEPORT): with one shared socket, the first worker to wake
    # took a whole burst (31 of 32 connections in a wrk run), and the other process stayed idle.
    host, port = served[0].removeprefix("http://").rsplit(":", 1)
    connections = [http.client.HTTPConnection(host, int(port), timeout=30) for _ in range(24)]
    try:
        for connection in connections:
            connection.connect()  # all connected before any request is sent
        pids: list[int] = []
        for connection in connections:
            connection.request("GET", "/_emulator/worker")
            pids.append(json.loads(connection.getresponse().read())["pid"])
    finally:
        for connection in connections:
            connection.close()
    # The kernel hashes each connection to a socket: both workers get some, neither nearly all (more than 20 of
    # 24 happens about 3 times in 10,000 runs by chance).
    assert len(set(pids)) == 2 and max(pids.count(pid) for pid in set(pids)) <= 20


def test_a_second_emulator_cannot_join_the_port_of_one_with_workers(served: tuple[str, Path], tmp_path: Path) -> None:
    port = served[0].rsplit(":", 1)[1]
    (tmp_path / "config.yaml").write_text(json.dumps(CONFIG))
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--config", str(tmp_path / "config.yaml"), "--port", port,
         "--workers", "2", "--state", str(tmp_path / "state"), "--log-level", "warning"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
