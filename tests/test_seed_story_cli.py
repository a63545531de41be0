"""Seed story 1 with the real commands: the emulator started as a user starts it, curl + jq as in the
article, and the AWS CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from emulator.cognito.lookup import secret_hash
from emulator.testing import free_port
from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.cli,
              pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`cognito-emulator --config config.yaml` as a separate process (gateway ports moved to free ones)."""
    tmp = tmp_path_factory.mktemp("story")
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for api in config.get("Apis", []):
        api["Port"] = free_port()
    config_path = tmp / "config.yaml"
    config_path.write_text(yaml.safe_dump(config))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--config", str(config_path), "--port", str(port),
         "--state", str(tmp / "state"), "--log-level", "warning"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "ready" in line, process.stderr.read()
        assert f"http://127.0.0.1:{port}" in line
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def write_auth_json(tmp: Path, client_id: str) -> Path:
    auth = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")}}
    path = tmp / "auth.json"
    path.write_text(json.dumps(auth, indent=1))
    return path


def curl_initiate_auth(url: str, auth_json: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["curl", "-s", "-i", "-X", "POST", "-H", "X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth",
         "-H", "Content-Type: application/x-amz-json-1.1", "--data", f"@{auth_json}", f"{url}/"],
        capture_output=True, text=True, timeout=30)


def test_curl_initiate_auth_returns_an_id_token_for_the_password_client(served: str, tmp_path: Path) -> None:
    result = curl_initiate_auth(served, write_auth_json(tmp_path, "piyopiyo"))
    head, body = result.stdout.split("\n\n", 1)
    assert head.startswith("HTTP/1.1 200")
    id_token = json.loads(body)["AuthenticationResult"]["IdToken"]
    assert id_token.count(".") == 2


def test_the_same_auth_json_with_the_hosted_ui_client_is_refused(served: str, tmp_path: Path) -> None:
    result = curl_initiate_auth(served, write_auth_json(tmp_path, "managedlogin01"))
    head, body = result.stdout.split("\n\n", 1)
    assert head.startswith("HTTP/1.1 400")
    assert json.loads(body) == {"__type": "InvalidParameterException",
                                "message": "USER_PASSWORD_AUTH flow not enabled for this client"}
    assert ("x-emulator-reason: client 'managed-login' allows ALLOW_USER_SRP_AUTH, ALLOW_CUSTOM_AUTH, "
            "ALLOW_REFRESH_TOKEN_AUTH; USER_PASSWORD_AUTH needs ALLOW_USER_PASSWORD_AUTH") in head


def test_aws_cli_initiate_auth(served: str) -> None:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": ""}
    parameters = json.dumps({"USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
                             "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})
    result = subprocess.run(
        ["aws", "cognito-idp", "initiate-auth", "--endpoint-url", served, "--client-id", "piyopiyo",
         "--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", parameters, "--output", "json"],
        capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AuthenticationResult"]["TokenType"] == "Bearer"
    refused = subprocess.run(
        ["aws", "cognito-idp", "initiate-auth", "--endpoint-url", served, "--client-id", "managedlogin01",
         "--auth-flow", "USER_PASSWORD_AUTH", "--auth-parameters", parameters],
        capture_output=True, text=True, timeout=120, env=env)
    assert refused.returncode != 0
    assert "InvalidParameterException" in refused.stderr
    assert "USER_PASSWORD_AUTH flow not enabled for this client" in refused.stderr
