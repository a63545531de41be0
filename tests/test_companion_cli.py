"""`cognito-emulator decode` / `explain` / `--version` / `--help`, and the one log line per request."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from emulator.request_log import JsonFormatter, request_fields, request_line
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import ROOT, bundled_config, cognito_client
from tests.test_control_api import secret_hash

pytestmark = [pytest.mark.e2e, pytest.mark.cli]


def story_config(audience: list[str]) -> dict:
    """The bundled config with the JWT authorizer's audience replaced, on free ports, HTTP targets only."""
    config = bundled_config(with_apis=True)
    for api in config["Apis"]:
        api["Port"] = 0
        for route in api["Routes"]:
            route["Target"] = "http://127.0.0.1:9/"
    config["Apis"][0]["Authorizers"][0]["JwtConfiguration"]["Audience"] = audience
    return config


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(story_config(["managedlogin01"])) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def id_token(server: EmulatorServer) -> str:
    result = cognito_client(server.url).initiate_auth(
        ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
                        "SECRET_HASH": secret_hash("peroper@hoge.com")})
    return result["AuthenticationResult"]["IdToken"]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT)


def test_version_and_help_list_the_subcommands() -> None:
    assert cli("--version").stdout.startswith("cognito-emulator 0.")
    shown = cli("--help").stdout
    for name in ("check-config", "token", "decode", "explain", "import", "serve"):
        assert name in shown


def test_decode_names_the_pool_and_key_from_a_running_emulator(server: EmulatorServer, id_token: str) -> None:
    done = cli("decode", id_token, "--endpoint", server.url)
    assert done.returncode == 0, done.stderr
    assert "pool: us-east-1_Example01" in done.stdout
    assert "key: ID-token key" in done.stdout and "signature: valid" in done.stdout
    assert '  aud: "piyopiyo"' in done.stdout and "valid now: yes" in done.stdout
    as_json = json.loads(cli("decode", id_token, "--endpoint", server.url, "--json").stdout)
    assert as_json["claims"]["token_use"] == "id" and as_json["valid_now"] is True


def test_decode_follows_the_emulators_clock(server: EmulatorServer, id_token: str) -> None:
    server.runtime.clock.advance(3601)
    try:
        done = cli("decode", id_token, "--endpoint", server.url)
    finally:
        server.runtime.clock.reset()
    assert done.returncode == 1 and "token expired at" in done.stdout and "valid now: no" in done.stdout


def test_decode_without_an_emulator_and_of_garbage(id_token: str) -> None:
    offline = cli("decode", id_token, "--endpoint", "http://127.0.0.1:9")
    assert "signature: not checked" in offline.stdout and "could not read the local pools" in offline.stdout
    garbage = cli("decode", "not-a-token")
    assert garbage.returncode == 1 and garbage.stderr.startswith("not a JWT:")


def test_explain_story_one_offline(server: EmulatorServer, id_token: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(story_config(["managedlogin01"])))
    done = cli("explain", "--api", "mogemoge", "--route", "GET /mogemoge", "--config", str(config),
               "--endpoint", server.url, id_token)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith('DENY 401 {"message": "Unauthorized"}: route GET /mogemoge')
    assert "token aud 'piyopiyo' is not in authorizer 'cognitoAuthorizer' audience [managedlogin01]" in done.stdout
    assert 'claim aud: "piyopiyo", expected ["managedlogin01"]' in done.stdout
    config.write_text(yaml.safe_dump(story_config(["managedlogin01", "piyopiyo"])))
    fixed = cli("explain", "--api", "mogemoge", "--route", "GET /mogemoge", "--config", str(config),
                "--endpoint", server.url, id_token)
    assert fixed.returncode == 0 and fixed.stdout.startswith("ALLOW")
    wrong = cli("explain", "--api", "nope", "--route", "GET /x", "--config", str(config), id_token)
    assert wrong.returncode == 2 and "APIs: mogemoge, test-api" in wrong.stderr


def test_one_log_line_per_request(server: EmulatorServer, id_token: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cognito_emulator.requests"):
        httpx.get(server.api_url("mogemoge") + "/mogemoge", headers={"Authorization": id_token})
        httpx.get(server.url + "/_emulator/health")
        for _ in range(100):  # the line is written once the response has gone out
            if any(r.getMessage().startswith("cognito-idp: GET /_emulator/health") for r in caplog.records):
                break
            time.sleep(0.02)
    lines = [r for r in caplog.records if r.name == "cognito_emulator.requests"][-2:]
    assert [r.request["status"] for r in lines] == [401, 200]  # type: ignore[attr-defined]
    assert lines[0].getMessage().startswith("api mogemoge: GET /mogemoge -> 401 refused (")
    assert "| why: JWT authorizer 'cognitoAuthorizer': token aud 'piyopiyo' is not in" in lines[0].getMessage()
    # The refusal is in the request's own line, not in a second one.
    assert not [r for r in caplog.records if r.getMessage().startswith("REJECT gateway")]


def test_request_fields_and_the_json_format() -> None:
    fields = request_fields("cognito-idp", "POST", "/", "AWSCognitoIdentityProviderService.InitiateAuth", 400,
                            "USER_PASSWORD_AUTH needs ALLOW_USER_PASSWORD_AUTH", 0.0123)
    assert request_line(fields) == ("cognito-idp: POST / InitiateAuth -> 400 refused (12.3 ms) | why: "
                                    "USER_PASSWORD_AUTH needs ALLOW_USER_PASSWORD_AUTH")
    with_error = request_fields("api a", "GET", "/x", None, 401, "no token", 0.001, '401 {"message":"Unauthorized"}')
    assert request_line(with_error) == 'api a: GET /x -> 401 refused (1.0 ms) 401 {"message":"Unauthorized"} | why: ' \
                                       "no token"
    record = logging.LogRecord("cognito_emulator.requests", logging.INFO, __file__, 1, request_line(fields), None,
                               None)
    record.request = fields
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["operation"], entry["status"], entry["decision"], entry["duration_ms"]) == \
        ("InitiateAuth", 400, "refused", 12.3)


def test_decode_reads_a_state_directory(tmp_path: Path) -> None:
    with running_emulator(bundled_config(), state_dir=tmp_path) as emulator:
        token = cognito_client(emulator.url).initiate_auth(
            ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
                            "SECRET_HASH": secret_hash("peroper@hoge.com")})["AuthenticationResult"]["AccessToken"]
        done = cli("decode", token, "--state", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "key: access-token key" in done.stdout and f"(from the state directory {tmp_path})" in done.stdout


def test_the_server_logs_json_lines_without_library_noise(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(story_config(["managedlogin01"])))
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--config", str(config), "--port", "0",
                                "--in-memory", "--log-format", "json"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        assert ready.startswith("cognito-emulator ready: cognito-idp http://127.0.0.1:")
        url = ready.split()[3]
        assert httpx.get(url + "/_emulator/health").status_code == 200
        assert httpx.get(ready.split()[7] + "/mogemoge").status_code == 401  # api mogemoge, on a free port
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    entries = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    requests = [e for e in entries if e["logger"] == "cognito_emulator.requests"]
    assert [(e["method"], e["path"], e["status"], e["decision"]) for e in requests] == \
        [("GET", "/_emulator/health", 200, "allowed"), ("GET", "/mogemoge", 401, "refused")]
    assert "reads the token from $request.header.Authorization" in requests[1]["reason"]
    assert not [e for e in entries if e["logger"].startswith(("uvicorn", "httpx"))]
    assert all(line.startswith("{") for line in err.splitlines() if line.strip())
