"""config.yaml validation: every error names its key path and reason, before any port opens."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.config import load_config, parse_config
from emulator.config_fields import ConfigError
from emulator.model import DEFAULT_EXPLICIT_AUTH_FLOWS
from emulator.testing import free_port
from tests.conftest import ROOT, bundled_config

pytestmark = pytest.mark.e2e

BASE = bundled_config()


def with_change(path: list[Any], value: Any) -> dict:
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


CLIENT = ["UserPools", 0, "Clients", 0]

# (change, expected key path, words in the reason)
CASES = [
    (["Region"], "nowhere", "Region", "not an AWS region"),
    (["UserPools", 0, "Id"], "bad id", "UserPools[0].Id", "not a user pool id"),
    (["UserPools", 0, "Nmae"], "typo", "UserPools[0].Nmae", "did you mean Name"),
    (CLIENT + ["ExplicitAuthFlows"], ["ALLOW_USER_PASSWORD_AUTH"], "UserPools[0].Clients[0].ExplicitAuthFlows",
     "REFRESH_TOKEN_AUTH should always be allowed."),
    (CLIENT + ["ExplicitAuthFlows"], ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "USER_PASSWORD_AUTH"],
     "UserPools[0].Clients[0].ExplicitAuthFlows", "legacy"),
    (CLIENT + ["ExplicitAuthFlows"], ["ALLOW_EVERYTHING"], "UserPools[0].Clients[0].ExplicitAuthFlows", "Unknown"),
    (CLIENT + ["ClientId"], "managedlogin01", "UserPools[0].Clients[1].ClientId", "duplicate client id"),
    (CLIENT + ["AllowedOAuthScopes"], ["test_resource/nope"], "UserPools[0].Clients[0].AllowedOAuthScopes",
     "ScopeDoesNotExistException: Invalid scope requested: test_resource/nope"),
    (["UserPools", 0, "Clients", 2, "ClientSecret"], None, "UserPools[0].Clients[2].AllowedOAuthFlows",
     "client_credentials flow can not be selected if client does not have a client secret."),
    (["UserPools", 0, "Clients", 2, "AllowedOAuthFlows"], ["client_credentials", "code"],
     "UserPools[0].Clients[2].AllowedOAuthFlows", "along with code flow"),
    (CLIENT + ["AccessTokenValidity"], "an hour", "UserPools[0].Clients[0].AccessTokenValidity", "integer"),
    (CLIENT + ["AccessTokenValidity"], 48, "UserPools[0].Clients[0].AccessTokenValidity",
     "Invalid range for token validity."),
    (CLIENT + ["PreventUserExistenceErrors"], "MAYBE", "UserPools[0].Clients[0].PreventUserExistenceErrors",
     "LEGACY or ENABLED"),
    (["UserPools", 0, "Users", 0, "Groups"], ["nosuchgroup"], "UserPools[0].Users[0].Groups[0]", "not in the pool"),
    (["UserPools", 0, "Users", 0, "UserStatus"], "HAPPY", "UserPools[0].Users[0].UserStatus", "not one of"),
    (["UserPools", 0, "Users", 0, "UserAttributes"], "email", "UserPools[0].Users[0].UserAttributes",
     "expected a mapping or a list"),
    (["UserPools", 0, "Users", 1, "Username"], "PEROPER@hoge.com", "UserPools[0].Users[1].Username",
     "duplicate username"),
    (["UserPools", 0, "ResourceServers", 0, "Scopes", 0, "ScopeName"], "a/b",
     "UserPools[0].ResourceServers[0].Scopes[0].ScopeName", "no '/'"),
    (["UserPools"], {"Name": "x"}, "UserPools", "expected a list"),
]


@pytest.mark.parametrize(("change", "value", "path", "words"), CASES)
def test_bad_config_names_key_path_and_reason(change: list, value: Any, path: str, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(with_change(change, value))
    assert info.value.path == path
    assert words in info.value.reason


def test_bundled_config_is_valid_and_reproduces_both_stories() -> None:
    config = load_config(ROOT / "config.yaml")
    pool = config.pools[0]
    clients = {c.client_name: c for c in pool.clients}
    assert clients["backend"].client_secret and "ALLOW_USER_PASSWORD_AUTH" in clients["backend"].explicit_auth_flows
    assert clients["managed-login"].explicit_auth_flows == DEFAULT_EXPLICIT_AUTH_FLOWS
    assert clients["test-server"].allowed_oauth_flows == ("client_credentials",)
    assert clients["test-server"].allowed_oauth_scopes == ("test_resource/test",)


def test_generated_ids_are_stable_across_loads() -> None:
    data = {"UserPools": [{"Name": "p", "Clients": [{"ClientName": "c", "GenerateSecret": True}]}]}
    first, second = parse_config(copy.deepcopy(data)), parse_config(copy.deepcopy(data))
    assert first.pools[0].pool.id == second.pools[0].pool.id
    assert first.pools[0].pool.id.startswith("us-east-1_") and len(first.pools[0].pool.id.split("_")[1]) == 9
    client_id = first.pools[0].clients[0].client_id
    assert client_id == second.pools[0].clients[0].client_id and len(client_id) == 26


def test_client_without_flows_gets_awss_default() -> None:
    config = parse_config({"UserPools": [{"Name": "p", "Clients": [{"ClientName": "c"}]}]})
    assert config.pools[0].clients[0].explicit_auth_flows == DEFAULT_EXPLICIT_AUTH_FLOWS


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("UserPools:\n  - Name: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    assert "line" in info.value.reason


def test_check_config_command_exits_non_zero_with_the_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(with_change(CLIENT + ["ExplicitAuthFlows"], ["ALLOW_USER_PASSWORD_AUTH"])))
    result = subprocess.run([sys.executable, "-m", "emulator", "check-config", str(bad)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert "UserPools[0].Clients[0].ExplicitAuthFlows" in result.stderr
    good = subprocess.run([sys.executable, "-m", "emulator", "check-config", str(ROOT / "config.yaml")],
                          capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr


def test_bad_config_fails_before_any_port_opens(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("UserPools:\n  - Name: p\n    Clients:\n      - {ClientName: c, ExplicitAuthFlows: [NOPE]}\n")
    port = free_port()
    result = subprocess.run([sys.executable, "-m", "emulator", "--config", str(bad), "--port", str(port),
                             "--in-memory"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "UserPools[0].Clients[0].ExplicitAuthFlows" in result.stderr
    assert "ready" not in result.stdout


@pytest.mark.parametrize(("text", "default"), [
    ("Region:\nUserPools: []\n", lambda c: c.region == "us-east-1"),
    ("UserPools:\n  - Name: p\n    Clients:\n      - {ClientName: c, AuthSessionValidity: }\n",
     lambda c: c.pools[0].clients[0].auth_session_validity == 3),
    ("Apis:\n  - {Name: a, ProtocolType: , Port: , Routes: []}\n",
     lambda c: (c.apis[0].protocol_type, c.apis[0].port) == ("HTTP", 8080)),
])
def test_an_empty_yaml_value_counts_as_absent(tmp_path: Path, text: str, default: Any) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    assert default(load_config(path))  # the key's default, as if it were not written at all


@pytest.mark.parametrize(("text", "key_path"), [
    ("Apis:\n  - Name: a\n    Routes: [{RouteKey: GET /x, Target: 'http://[::1'}]\n", "Apis[0].Routes[0].Target"),
    ("Apis:\n  - Name: a\n    Routes: [{RouteKey: GET /x, Target: 'http://127.0.0.1:99999/x'}]\n",
     "Apis[0].Routes[0].Target"),
])
def test_malformed_urls_name_their_key_path(tmp_path: Path, text: str, key_path: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == key_path and "not a valid URL" in info.value.reason
