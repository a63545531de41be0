"""Identity pools' basic flow driven by the AWS CLI, as a shell script would: `aws cognito-identity get-id` and
`get-open-id-token` with a user-pool ID token, then `aws sts assume-role-with-web-identity` on the same
endpoint; and STS's error text for a role that does not trust the identity."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.test_basic_flow import AUTH_ROLE, CLASSIC, PROVIDER, config, id_token

pytestmark = [pytest.mark.e2e, pytest.mark.cli,
              pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(config()) as emulator:
        yield emulator


def aws(server: EmulatorServer, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION":
           "us-east-1", "AWS_CONFIG_FILE": str(home / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(home / "creds"),
           "AWS_PAGER": ""}
    return subprocess.run(["aws", *args, "--endpoint-url", server.url, "--output", "json"], env=env,
                          capture_output=True, text=True, timeout=60)


def ok(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_basic_flow_with_the_aws_cli(server: EmulatorServer, tmp_path: Path) -> None:
    logins = json.dumps({PROVIDER: id_token(server)})
    identity_id = ok(aws(server, tmp_path, "cognito-identity", "get-id", "--identity-pool-id", CLASSIC,
                         "--logins", logins))["IdentityId"]
    token = ok(aws(server, tmp_path, "cognito-identity", "get-open-id-token", "--identity-id", identity_id,
                   "--logins", logins))["Token"]
    assumed = ok(aws(server, tmp_path, "sts", "assume-role-with-web-identity", "--role-arn", AUTH_ROLE,
                     "--role-session-name", "cli", "--web-identity-token", token))
    assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/ClassicAuthenticated/cli")
    denied = aws(server, tmp_path, "sts", "assume-role-with-web-identity", "--role-arn",
                 "arn:aws:iam::123456789012:role/Nobody", "--role-session-name", "cli", "--web-identity-token", token)
    assert denied.returncode != 0
    assert ("An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: "
            "Not authorized to perform sts:AssumeRoleWithWebIdentity") in denied.stderr
