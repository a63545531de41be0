"""GetUser against a corpus of hostile access tokens: never an allow, never a 5xx, always AWS's shape."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config, cognito_client
from tests.hostile import assert_aws_answer
from tests.jwt_corpus import FORGED_LABELS, SIGNED_LABELS, forged, parts, rs256, signed_variants

POOL = "us-east-1_Example01"
OTHER = "us-east-1_Other0001"
# Claims only a broken issuer could produce; the real key signs them so the checks behind the signature run.
MAY_PASS = {"control: unchanged claims (must pass)", "exp 1e308", "exp 10**30", "iat in the future",
            "nbf in the future", "nbf a string", "client_id an int", "sub null", "cognito:groups a string",
            "auth_time a string"}
def config() -> dict[str, Any]:
    data = bundled_config()
    data["UserPools"].append({
        "Id": OTHER, "Name": "other",
        "Users": [{"Username": "alice", "Password": "Alice-Passw0rd!"}],
        "Clients": [{"ClientName": "other", "ClientId": "otherapp",
                     "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    })
    return data


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(config()) as emu:
        yield emu


@pytest.fixture(scope="module")
def tokens(server: EmulatorServer) -> dict[str, str]:
    idp = cognito_client(server.url)
    result = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]
    other = idp.initiate_auth(ClientId="otherapp", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "alice", "PASSWORD": "Alice-Passw0rd!"})["AuthenticationResult"]
    machine = httpx.post(f"{server.url}/oauth2/token", auth=("testserver01", "testserversecret0123456789"),
                         data={"grant_type": "client_credentials"}).json()["access_token"]
    return {"access": result["AccessToken"], "id": result["IdToken"], "refresh": result["RefreshToken"],
            "other_access": other["AccessToken"], "machine": machine}


def get_user(server: EmulatorServer, token: str) -> httpx.Response:
    return httpx.post(server.url, content=json.dumps({"AccessToken": token}).encode(), headers={
        "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser", "Content-Type": "application/x-amz-json-1.1"},
                      timeout=30)


def assert_refused(response: httpx.Response, label: str) -> None:
    assert_aws_answer(response, label)
    assert response.status_code == 400, f"{label}: allowed"
    assert response.json()["__type"] in ("NotAuthorizedException", "InvalidParameterException",
                                         "UserNotFoundException"), f"{label}: {response.text[:200]}"


def jwks(server: EmulatorServer, pool: str) -> list[dict]:
    return httpx.get(f"{server.url}/{pool}/.well-known/jwks.json").json()["keys"]


def test_the_real_token_passes(server: EmulatorServer, tokens: dict[str, str]) -> None:
    response = get_user(server, tokens["access"])
    assert response.status_code == 200 and response.json()["Username"] == "peroper@hoge.com"


@pytest.mark.parametrize("label", FORGED_LABELS)
def test_forged_tokens_are_refused(label: str, server: EmulatorServer, tokens: dict[str, str]) -> None:
    access_kid = parts(tokens["access"])[0]["kid"]
    jwk = next(k for k in jwks(server, POOL) if k["kid"] == access_kid)
    assert_refused(get_user(server, forged(tokens["access"], jwk)[label]), label)


def _signer(server: EmulatorServer, pool: str, purpose: str) -> Any:
    key = server.runtime.keyring.signing_key(pool, purpose)
    return lambda claims: rs256({"kid": key.kid, "alg": "RS256"}, claims, key.private_key)


@pytest.mark.parametrize("label", SIGNED_LABELS)
def test_claims_behind_a_real_signature_are_checked(label: str, server: EmulatorServer,
                                                    tokens: dict[str, str]) -> None:
    token = signed_variants(tokens["access"], _signer(server, POOL, "access"), int(time.time()))[label]
    response = get_user(server, token)
    if label in MAY_PASS:
        assert_aws_answer(response, label)
    else:
        assert_refused(response, label)


def test_cross_pool_and_cross_use_tokens_are_refused(server: EmulatorServer, tokens: dict[str, str]) -> None:
    claims = parts(tokens["access"])[1]
    cases = {
        "ID token where an access token is needed": tokens["id"],
        "refresh token": tokens["refresh"],
        "client_credentials token (no user scope)": tokens["machine"],
        "pool A's claims signed with pool B's access key": _signer(server, OTHER, "access")(claims),
        "pool A's claims signed with pool A's ID key": _signer(server, POOL, "id")(claims),
        "pool B's token relabelled with pool A's issuer": _signer(server, OTHER, "access")(
            {**parts(tokens["other_access"])[1], "iss": claims["iss"]}),
    }
    for label, token in cases.items():
        assert_refused(get_user(server, token), label)
    # Pool B's own token is B's user's, not A's: GetUser takes no pool, so this is the one allow.
    assert get_user(server, tokens["other_access"]).json()["Username"] == "alice"
