"""A strict OIDC client finds everything from the issuer alone: with a pool `Issuer` on the emulator's own URL,
Authlib reads `{issuer}/.well-known/openid-configuration`, fetches the JWKS it names and validates an ID token
(signature, iss, aud, exp) exactly as it would against AWS."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from authlib.jose import JsonWebKey, JsonWebToken

from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.conftest import cognito_client

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Discovery1"
PORT = free_port()
ISSUER = f"http://127.0.0.1:{PORT}/{POOL}"
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "discovery", "Issuer": ISSUER,
    "Users": [{"Username": "ann", "Password": "Correct-Horse1", "UserAttributes": {"email": "ann@example.com"}}],
    "Clients": [{"ClientName": "app", "ClientId": "discoveryapp", "ExplicitAuthFlows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
}]}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG, port=PORT) as emulator:
        yield emulator


def test_an_oidc_client_discovers_the_keys_from_the_issuer_and_validates_the_id_token(server: EmulatorServer) -> None:
    id_token = cognito_client(server.url).initiate_auth(
        ClientId="discoveryapp", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ann", "PASSWORD": "Correct-Horse1"})["AuthenticationResult"]["IdToken"]
    metadata = httpx.get(f"{ISSUER}/.well-known/openid-configuration").json()
    assert metadata["issuer"] == ISSUER
    keys = JsonWebKey.import_key_set(httpx.get(metadata["jwks_uri"]).json())
    claims = JsonWebToken(["RS256"]).decode(id_token, keys, claims_options={
        "iss": {"essential": True, "value": metadata["issuer"]}, "aud": {"essential": True, "value": "discoveryapp"}})
    claims.validate()
    assert (claims["email"], claims["token_use"]) == ("ann@example.com", "id")
