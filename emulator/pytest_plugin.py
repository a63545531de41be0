"""The pytest plugin (loaded through the `pytest11` entry point: installing the package is enough).

The emulator starts on first use of a fixture, once per session; under pytest-xdist each worker is its own
process, hence its own emulator, and every port (the Cognito port and each gateway API's) is picked free.
The config: `--cognito-emulator-config`, else the ini option `cognito_emulator_config` (pytest.ini,
pyproject.toml, relative to the rootdir), else `config.yaml` in the rootdir.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.clock import Clock
from emulator.config import Config, load_config
from emulator.config_fields import ConfigError
from emulator.server import EmulatorServer
from emulator.testing import running_emulator

OPTION = "--cognito-emulator-config"
INI = "cognito_emulator_config"
DEFAULT_FILE = "config.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("cognito-emulator")
    group.addoption(OPTION, default=None, help="config served by the cognito_* fixtures (default: the ini option "
                                               f"{INI}, else {DEFAULT_FILE} in the rootdir)")
    parser.addini(INI, f"config served by the cognito_* fixtures, relative to the rootdir (default {DEFAULT_FILE})")


def config_path(config: pytest.Config) -> Path:
    """Where the config is: the command-line option (relative to the invocation dir), else the ini option, else
    config.yaml (both relative to the rootdir)."""
    given = config.getoption(OPTION)
    if given:
        return Path(config.invocation_params.dir, given)
    return Path(config.rootpath, config.getini(INI) or DEFAULT_FILE)


def with_free_ports(config: Config) -> Config:
    """The config with every gateway API on a port the system picks (fixed ports collide under xdist)."""
    return dataclasses.replace(config, apis=tuple(dataclasses.replace(api, port=0) for api in config.apis))


class Outbox:
    """The codes and messages the emulator 'sent' (GET/POST /_emulator/outbox)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def messages(self, pool_id: str | None = None, username: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in (("pool_id", pool_id), ("username", username)) if v}
        response = httpx.get(self.url + "/_emulator/outbox", params=params)
        response.raise_for_status()
        return response.json()["messages"]

    def latest_code(self, username: str, pool_id: str | None = None, purpose: str | None = None) -> str:
        """The newest code sent to `username` (any pool unless `pool_id`), optionally for one purpose."""
        found = [m for m in self.messages(pool_id) if username in (m["username"], m.get("address"))
                 and (purpose is None or m["purpose"] == purpose)]
        if not found:
            raise LookupError(f"no code was sent to {username!r}" + (f" for {purpose}" if purpose else ""))
        return found[0]["code"]

    def clear(self) -> int:
        return httpx.post(self.url + "/_emulator/outbox/clear", json={}).json()["cleared"]


@pytest.fixture(scope="session")
def cognito_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A running emulator (in-memory state, free ports) for the session (of this xdist worker)."""
    path = config_path(request.config)
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise pytest.UsageError(f"cognito-emulator: {path}: invalid config: {exc} (choose the file with {OPTION} "
                                f"or the ini option {INI})") from None
    with running_emulator(with_free_ports(config)) as server:
        yield server


@pytest.fixture
def cognito_reset(cognito_emulator: EmulatorServer) -> EmulatorServer:
    """Everything back to the config (users, tokens, codes, the clock) before the test."""
    httpx.post(cognito_emulator.url + "/_emulator/reset", json={}).raise_for_status()
    return cognito_emulator


@pytest.fixture(scope="session")
def cognito_idp(cognito_emulator: EmulatorServer) -> Any:
    """A boto3 cognito-idp client for the emulator, signing with the config's first `Credentials` entry (or
    placeholder keys: any signature passes when the config declares none)."""
    import boto3

    keys = cognito_emulator.runtime.config.credentials
    key, secret = (keys[0].access_key_id, keys[0].secret_access_key) if keys else ("local", "local")
    return boto3.client("cognito-idp", endpoint_url=cognito_emulator.url,
                        region_name=cognito_emulator.runtime.config.region, aws_access_key_id=key,
                        aws_secret_access_key=secret)


@pytest.fixture(scope="session")
def cognito_tokens(cognito_emulator: EmulatorServer) -> Callable[..., dict[str, Any]]:
    """`cognito_tokens(client_id, username, password)` -> AuthenticationResult (IdToken, AccessToken,
    RefreshToken): USER_PASSWORD_AUTH or a real SRP proof, whichever the client allows; SECRET_HASH done."""
    from emulator.token_command import Api, choose_flow, sign_in

    def tokens(client_id: str, username: str, password: str, new_password: str | None = None,
               flow: str = "auto") -> dict[str, Any]:
        # The client is read in process: no signed DescribeUserPoolClient, whatever `Credentials` the config has.
        found = cognito_emulator.runtime.store.client(client_id)
        if found is None:
            raise LookupError(f"no app client {client_id!r} in this emulator")
        client = {"ClientId": found.client_id, "ClientSecret": found.client_secret, "UserPoolId": found.pool_id,
                  "ExplicitAuthFlows": list(found.explicit_auth_flows)}
        api = Api(cognito_emulator.url)
        return sign_in(api, client, username, password, choose_flow(client["ExplicitAuthFlows"], flow),
                       new_password)

    return tokens


@pytest.fixture(scope="session")
def cognito_client_credentials(cognito_emulator: EmulatorServer) -> Callable[..., dict[str, Any]]:
    """`cognito_client_credentials(client_id, scope=None)` -> the /oauth2/token answer (access_token, ...);
    the client's secret is read from the emulator."""

    def grant(client_id: str, scope: str | None = None) -> dict[str, Any]:
        client = cognito_emulator.runtime.store.client(client_id)
        if client is None or not client.client_secret:
            raise LookupError(f"no app client {client_id!r} with a secret in this emulator")
        form = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
        response = httpx.post(cognito_emulator.url + "/oauth2/token", data=form,
                              auth=(client_id, client.client_secret))
        if response.status_code != 200:
            raise AssertionError(f"/oauth2/token refused: {response.status_code} {response.text} "
                                 f"(why: {response.headers.get('x-emulator-reason', '')})")
        return response.json()

    return grant


@pytest.fixture(scope="session")
def cognito_api_urls(cognito_emulator: EmulatorServer) -> dict[str, str]:
    """Each gateway API's base URL by its `Name` (REST APIs: add /<StageName>)."""
    return {api.name: cognito_emulator.api_url(api.name) for api in cognito_emulator.runtime.config.apis}


@pytest.fixture
def cognito_outbox(cognito_emulator: EmulatorServer) -> Outbox:
    """The codes and messages sent (confirmation, reset, MFA, invitations): `.messages()`, `.latest_code()`."""
    return Outbox(cognito_emulator.url)


@pytest.fixture
def cognito_clock(cognito_emulator: EmulatorServer) -> Iterator[Clock]:
    """The emulator's one clock (`advance`, `set`, `freeze`, `resume`); put back to real time afterwards."""
    yield cognito_emulator.runtime.clock
    cognito_emulator.runtime.clock.reset()
