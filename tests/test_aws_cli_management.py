"""Seed story 2 with the AWS CLI: a resource server `test_resource` with scope `test`, an app client,
and the article's command line

    aws cognito-idp update-user-pool-client --user-pool-id <pool> --client-id <client>
        --allowed-o-auth-flows client_credentials --allowed-o-auth-scopes test_resource/test
        --allowed-o-auth-flows-user-pool-client

refused for a client without a secret (as AWS refuses it) and accepted for one with a secret."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from emulator.server import EmulatorServer

pytestmark = [pytest.mark.e2e, pytest.mark.cli,
              pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")]

SEED_FLAGS = ["--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-scopes", "test_resource/test",
              "--allowed-o-auth-flows-user-pool-client"]


class Cli:
    """`aws cognito-idp ...` against the emulator, with throwaway credentials and no user config."""

    def __init__(self, url: str, home: Path) -> None:
        self.url = url
        self.env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                    "AWS_DEFAULT_REGION": "ap-northeast-1", "AWS_REGION": "ap-northeast-1",
                    "AWS_CONFIG_FILE": str(home / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
                    "AWS_PAGER": ""}

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["aws", "cognito-idp", *args, "--endpoint-url", self.url, "--output", "json"],
                              env=self.env, capture_output=True, text=True, timeout=60)

    def ok(self, *args: str) -> dict[str, Any]:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture(scope="module")
def cli(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(server.url, tmp_path_factory.mktemp("aws-home"))


@pytest.fixture(scope="module")
def pool_id(cli: Cli) -> str:
    """A pool made with the CLI, with the article's resource server (識別子 test_resource, スコープ test)."""
    pool = cli.ok("create-user-pool", "--pool-name", "story2")["UserPool"]
    cli.ok("create-resource-server", "--user-pool-id", pool["Id"], "--identifier", "test_resource",
           "--name", "Test Resource", "--scopes", "ScopeName=test,ScopeDescription=Test")
    return pool["Id"]


def test_seed_command_is_refused_for_a_client_without_secret(cli: Cli, pool_id: str) -> None:
    client = cli.ok("create-user-pool-client", "--user-pool-id", pool_id, "--client-name", "test-server")
    client_id = client["UserPoolClient"]["ClientId"]
    done = cli.run("update-user-pool-client", "--user-pool-id", pool_id, "--client-id", client_id, *SEED_FLAGS)
    assert done.returncode != 0
    assert ("An error occurred (InvalidOAuthFlowException) when calling the UpdateUserPoolClient operation: "
            "client_credentials flow can not be selected if client does not have a client secret.") in done.stderr
    unchanged = cli.ok("describe-user-pool-client", "--user-pool-id", pool_id, "--client-id", client_id)
    assert "AllowedOAuthFlows" not in unchanged["UserPoolClient"]


@pytest.fixture(scope="module")
def m2m_client(cli: Cli, pool_id: str) -> dict[str, Any]:
    """The article's client: 「クライアントシークレットを生成」 on, then the seed's update command."""
    created = cli.ok("create-user-pool-client", "--user-pool-id", pool_id, "--client-name", "test-server",
                     "--generate-secret")["UserPoolClient"]
    updated = cli.ok("update-user-pool-client", "--user-pool-id", pool_id, "--client-id", created["ClientId"],
                     *SEED_FLAGS)["UserPoolClient"]
    assert updated["ClientSecret"] == created["ClientSecret"]
    return updated


def test_seed_command_succeeds_for_a_client_with_secret(cli: Cli, pool_id: str, m2m_client: dict) -> None:
    shown = cli.ok("describe-user-pool-client", "--user-pool-id", pool_id,
                   "--client-id", m2m_client["ClientId"])["UserPoolClient"]
    assert shown["AllowedOAuthFlows"] == ["client_credentials"]
    assert shown["AllowedOAuthScopes"] == ["test_resource/test"]
    assert shown["AllowedOAuthFlowsUserPoolClient"] is True
    assert len(shown["ClientSecret"]) == 51 and shown["ClientName"] == "test-server"
    assert shown == m2m_client


def test_seed_command_in_the_articles_json_list_form(cli: Cli, pool_id: str, m2m_client: dict) -> None:
    # The article writes --allowed-o-auth-flows [\"client_credentials\"]: the shell hands the CLI a JSON list.
    done = cli.ok("update-user-pool-client", "--user-pool-id", pool_id, "--client-id", m2m_client["ClientId"],
                  "--allowed-o-auth-flows", '["client_credentials"]', "--allowed-o-auth-scopes",
                  '["test_resource/test"]', "--allowed-o-auth-flows-user-pool-client")["UserPoolClient"]
    assert done["AllowedOAuthFlows"] == ["client_credentials"]
    assert done["AllowedOAuthScopes"] == ["test_resource/test"]


def test_cli_sees_an_unknown_scope_refused(cli: Cli, pool_id: str, m2m_client: dict) -> None:
    done = cli.run("update-user-pool-client", "--user-pool-id", pool_id, "--client-id", m2m_client["ClientId"],
                   "--allowed-o-auth-flows", "client_credentials", "--allowed-o-auth-scopes", "test_resource/admin",
                   "--allowed-o-auth-flows-user-pool-client")
    assert done.returncode != 0
    assert "(ScopeDoesNotExistException)" in done.stderr
    assert "Invalid scope requested: test_resource/admin" in done.stderr


def test_list_and_describe_with_the_cli(cli: Cli, pool_id: str, m2m_client: dict) -> None:
    pools = cli.ok("list-user-pools", "--max-results", "60")["UserPools"]
    assert pool_id in {p["Id"] for p in pools}
    servers = cli.ok("list-resource-servers", "--user-pool-id", pool_id, "--max-results", "10")["ResourceServers"]
    assert servers[0]["Scopes"] == [{"ScopeName": "test", "ScopeDescription": "Test"}]
    clients = cli.ok("list-user-pool-clients", "--user-pool-id", pool_id, "--max-results", "10")["UserPoolClients"]
    assert m2m_client["ClientId"] in {c["ClientId"] for c in clients}


@pytest.mark.skipif(importlib.util.find_spec("emulator.oauth2.routes") is None,
                    reason="the /oauth2/token endpoint (emulator/oauth2/routes.py) is not built yet")
def test_client_credentials_token_for_the_updated_client(server: EmulatorServer, pool_id: str,
                                                         m2m_client: dict) -> None:
    basic = base64.b64encode(f"{m2m_client['ClientId']}:{m2m_client['ClientSecret']}".encode()).decode()
    response = httpx.post(f"{server.url}/oauth2/token", headers={"Authorization": f"Basic {basic}"},
                          data={"grant_type": "client_credentials", "scope": "test_resource/test"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and set(body) == {
        "access_token", "expires_in", "token_type"}
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == claims["client_id"] == m2m_client["ClientId"]
    assert claims["scope"] == "test_resource/test" and claims["token_use"] == "access" and claims["version"] == 2
    assert claims["iss"].endswith(f"/{pool_id}") and "aud" not in claims
