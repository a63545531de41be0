"""check-config's cross-references: issuers, ProviderARNs, audiences and scopes that name nothing local."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.config import parse_config
from emulator.config_cross_refs import closest, cross_ref_problems
from tests.conftest import ROOT, bundled_config

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"
ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example01"


def config_with(change: Any) -> dict[str, Any]:
    data = bundled_config(with_apis=True)
    for api in data["Apis"]:
        for route in api["Routes"]:
            route["Target"] = "http://127.0.0.1:9/"
    change(data)
    return data


def jwt(data: dict[str, Any]) -> dict[str, Any]:
    return data["Apis"][0]["Authorizers"][0]["JwtConfiguration"]


def problems(data: dict[str, Any], remote: tuple[str, ...] = ()) -> list[str]:
    return [str(p) for p in cross_ref_problems(parse_config(data, base_dir=ROOT), remote)]


CASES = [
    ("bundled config", lambda d: None, []),
    ("issuer names no local pool", lambda d: jwt(d).update(Issuer=ISSUER.replace("Example01", "Exampel01")),
     ["Apis[0].Authorizers[0].JwtConfiguration.Issuer: issuer "
      "'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Exampel01' names pool us-east-1_Exampel01, which is "
      "no local pool (did you mean 'us-east-1_Example01'?); the gateway would try to fetch its keys from AWS "
      "(check-config --remote us-east-1_Exampel01 if that is meant)"]),
    ("audience names no client", lambda d: jwt(d).update(Audience=["managedlogin01", "piyopyo"]),
     ["Apis[0].Authorizers[0].JwtConfiguration.Audience[1]: 'piyopyo' is no app client of pool "
      "us-east-1_Example01 (did you mean 'piyopiyo'?)"]),
    ("provider ARN names no local pool",
     lambda d: d["Apis"][1]["Authorizers"][0].update(ProviderARNs=[ARN.replace("Example01", "Example02")]),
     ["Apis[1].Authorizers[0].ProviderARNs[0]: "
      "'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example02' names pool us-east-1_Example02, "
      "which is no local pool (did you mean 'us-east-1_Example01'?)"]),
    ("scope no resource server defines",
     lambda d: d["Apis"][1]["Routes"][0].update(AuthorizationScopes=["test_resource/tset"]),
     ["Apis[1].Routes[0].AuthorizationScopes[0]: scope 'test_resource/tset' is defined by no resource server of "
      "pool us-east-1_Example01 (did you mean 'test_resource/test'?)"]),
    ("a pool's Issuer override", lambda d: d["UserPools"][0].update(Issuer="http://localhost:9229/us-east-1_Example01"),
     ["Apis[0].Authorizers[0].JwtConfiguration.Issuer: names pool us-east-1_Example01, whose tokens carry iss "
      "'http://localhost:9229/us-east-1_Example01' (its Issuer override); set the authorizer's issuer to that, or "
      "remove the pool's Issuer"]),
    ("another identity provider is remote by nature", lambda d: jwt(d).update(Issuer="https://example.auth0.com/"),
     []),
]


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in CASES], ids=[n for n, _, _ in CASES])
def test_cross_references(change: Any, expected: list[str]) -> None:
    assert problems(config_with(change)) == expected


def test_remote_pools_are_allowed_when_named() -> None:
    data = config_with(lambda d: jwt(d).update(Issuer=ISSUER.replace("Example01", "Prod0001")))
    assert problems(data, ("us-east-1_Prod0001",)) == []


def test_closest() -> None:
    assert closest("piyopyo", ["piyopiyo", "managedlogin01"]) == " (did you mean 'piyopiyo'?)"
    assert closest("zzz", ["a", "b"]) == " (there are: a, b)"
    assert closest("zzz", []) == " (there are none)"


@pytest.mark.cli
def test_check_config_exits_1_with_every_problem(tmp_path: Path) -> None:
    data = config_with(lambda d: jwt(d).update(Audience=["managedlogin1", "piyopyo"]))
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data))
    done = subprocess.run([sys.executable, "-m", "emulator", "check-config", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("invalid config: Apis[0].Authorizers[0].JwtConfiguration.Audience") == 2
    assert "did you mean 'managedlogin01'?" in done.stderr
