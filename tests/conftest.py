"""Shared fixtures: an in-process emulator serving the bundled config.yaml, and real clients for it."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
import yaml
from botocore.config import Config as BotoConfig

from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator

ROOT = Path(__file__).resolve().parent.parent
POOL_ID = "us-east-1_Example01"

# Real clients need credentials to sign with; the emulator accepts any.
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def bundled_config(with_apis: bool = False) -> dict[str, Any]:
    """The bundled config.yaml as a dict; gateway ports moved to free ones when kept."""
    data = yaml.safe_load((ROOT / "config.yaml").read_text())
    data = copy.deepcopy(data)
    if not with_apis:
        data.pop("Apis", None)
    else:
        for api in data.get("Apis", []):
            api["Port"] = free_port()
    return data


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """The emulator serving the test module's CONFIG (the bundled config.yaml without gateway APIs when the
    module has none), in memory, on a free port, for the whole module."""
    with running_emulator(getattr(request.module, "CONFIG", None) or bundled_config()) as emulator:
        yield emulator


def cognito_client(url: str) -> Any:
    return boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1",
                        config=BotoConfig(retries={"max_attempts": 1}))


def identity_client(url: str) -> Any:
    """boto3's cognito-identity client (identity pools share the Cognito port)."""
    return boto3.client("cognito-identity", endpoint_url=url, region_name="us-east-1",
                        config=BotoConfig(retries={"max_attempts": 1}))


def example_id_token(url: str) -> str:
    """An ID token of the bundled config's user (seed 001's client, with its SECRET_HASH)."""
    from emulator.cognito.lookup import secret_hash

    return cognito_client(url).initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]["IdToken"]


@pytest.fixture(scope="module")
def idp(server: EmulatorServer) -> Any:
    """An unmodified boto3 cognito-idp client pointed at the module's emulator."""
    return cognito_client(server.url)


def refused(call: Any) -> tuple[str, str, str]:
    """(__type, message, x-emulator-reason) of a boto3 call that AWS would refuse."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    response = info.value.response
    return (response["Error"]["Code"], response["Error"]["Message"],
            response["ResponseMetadata"]["HTTPHeaders"].get("x-emulator-reason", ""))


def rejected(excinfo: pytest.ExceptionInfo[botocore.exceptions.ClientError], error_type: str, message: str) -> str:
    """Assert AWS's __type and message; return the emulator's plain-words reason (never empty)."""
    response = excinfo.value.response
    assert response["Error"]["Code"] == error_type
    assert response["Error"]["Message"] == message
    reason = response["ResponseMetadata"]["HTTPHeaders"]["x-emulator-reason"]
    assert reason
    return reason


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The cognito-idp operation coverage at the end of every run that ran the coverage test."""
    if any(item_id.startswith("tests/test_operation_coverage.py") for item_id in
           (getattr(r, "nodeid", "") for reports in terminalreporter.stats.values() for r in reports)):
        from tests.test_operation_coverage import coverage

        done, declared, total = coverage()
        terminalreporter.write_line(f"cognito-idp operations: {done} implemented / {declared} declared not "
                                    f"emulated / {total} in botocore's model")
