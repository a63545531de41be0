"""Tokens verify like Cognito's: PyJWT against the served JWKS with Cognito's issuer, and the rules of
AWS's own verifier (aws-jwt-verify: token_use, client_id for access tokens, aud for ID tokens)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import POOL_ID, bundled_config, cognito_client

pytestmark = pytest.mark.e2e

ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
ACCESS_CLAIMS = {"sub", "cognito:groups", "iss", "client_id", "origin_jti", "event_id", "token_use", "scope",
                 "auth_time", "exp", "iat", "jti", "username"}
ID_CLAIMS = {"sub", "cognito:groups", "email", "email_verified", "iss", "cognito:username", "origin_jti", "aud",
             "event_id", "token_use", "auth_time", "exp", "iat", "jti"}


def sign_in(url: str) -> dict[str, str]:
    idp = cognito_client(url)
    return idp.initiate_auth(ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})["AuthenticationResult"]


def verify_like_aws_jwt_verify(token: str, jwks_url: str, issuer: str, token_use: str, client_id: str) -> dict:
    """The checks of aws-jwt-verify's CognitoJwtVerifier, done with PyJWT."""
    key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer,
                        options={"verify_aud": False, "require": ["exp", "iat", "token_use"]})
    assert claims["token_use"] == token_use
    assert (claims["client_id"] if token_use == "access" else claims["aud"]) == client_id
    return claims


def test_tokens_verify_against_the_served_jwks_with_cognitos_issuer(server: EmulatorServer) -> None:
    tokens = sign_in(server.url)
    jwks_url = f"{server.url}/{POOL_ID}/.well-known/jwks.json"
    access = verify_like_aws_jwt_verify(tokens["AccessToken"], jwks_url, ISSUER, "access", "piyopiyo")
    ident = verify_like_aws_jwt_verify(tokens["IdToken"], jwks_url, ISSUER, "id", "piyopiyo")
    # PyJWT's own audience check passes for the ID token.
    key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(tokens["IdToken"])
    jwt.decode(tokens["IdToken"], key.key, algorithms=["RS256"], audience="piyopiyo", issuer=ISSUER)
    assert set(access) == ACCESS_CLAIMS and "aud" not in access
    assert set(ident) == ID_CLAIMS
    assert access["origin_jti"] == ident["origin_jti"] and access["event_id"] == ident["event_id"]
    assert access["auth_time"] == access["iat"] == ident["iat"]
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["cognito:groups"] == ["admin"] and access["username"] == "peroper@hoge.com"
    assert ident["email_verified"] is True and ident["cognito:username"] == "peroper@hoge.com"


def test_id_and_access_tokens_use_different_keys_listed_in_the_jwks(server: EmulatorServer) -> None:
    tokens = sign_in(server.url)
    jwks = httpx.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json").json()
    kids = [k["kid"] for k in jwks["keys"]]
    access_kid = jwt.get_unverified_header(tokens["AccessToken"])["kid"]
    id_kid = jwt.get_unverified_header(tokens["IdToken"])["kid"]
    assert access_kid != id_kid and {access_kid, id_kid} == set(kids)
    for key in jwks["keys"]:
        assert key.keys() == {"alg", "e", "kid", "kty", "n", "use"}
        assert (key["alg"], key["kty"], key["e"], key["use"]) == ("RS256", "RSA", "AQAB", "sig")
        assert len(base64.urlsafe_b64decode(key["n"] + "==")) == 256  # RSA-2048


def test_an_access_token_fails_an_id_token_verifier(server: EmulatorServer) -> None:
    tokens = sign_in(server.url)
    jwks_url = f"{server.url}/{POOL_ID}/.well-known/jwks.json"
    with pytest.raises(AssertionError):
        verify_like_aws_jwt_verify(tokens["AccessToken"], jwks_url, ISSUER, "id", "piyopiyo")


def test_discovery_agrees_with_iss_and_jwks(server: EmulatorServer) -> None:
    doc = httpx.get(f"{server.url}/{POOL_ID}/.well-known/openid-configuration").json()
    assert doc["issuer"] == ISSUER
    assert doc["jwks_uri"] == f"{server.url}/{POOL_ID}/.well-known/jwks.json"
    assert httpx.get(doc["jwks_uri"]).status_code == 200
    for field in ("response_types_supported", "scopes_supported", "subject_types_supported",
                  "id_token_signing_alg_values_supported", "token_endpoint_auth_methods_supported"):
        assert field in doc
    assert doc["token_endpoint"] == f"{server.url}/oauth2/token"


def test_unknown_pool_has_no_jwks(server: EmulatorServer) -> None:
    response = httpx.get(f"{server.url}/us-east-1_Nope/.well-known/jwks.json")
    assert response.status_code == 404 and "x-emulator-reason" in response.headers


def test_pool_issuer_override_is_used_by_iss_discovery_and_jwks() -> None:
    config = bundled_config()
    config["UserPools"][0]["Issuer"] = "http://localhost:9229/us-east-1_Example01"
    with running_emulator(config) as server:
        tokens = sign_in(server.url)
        doc = httpx.get(f"{server.url}/{POOL_ID}/.well-known/openid-configuration").json()
        assert doc["issuer"] == "http://localhost:9229/us-east-1_Example01"
        verify_like_aws_jwt_verify(tokens["IdToken"], doc["jwks_uri"], doc["issuer"], "id", "piyopiyo")


def test_kids_differ_between_pools() -> None:
    config = bundled_config()
    second = {"Id": "us-east-1_Second001", "Name": "second"}
    config["UserPools"].append(second)
    with running_emulator(config) as server:
        first_kids = {k["kid"] for k in httpx.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json").json()["keys"]}
        second_kids = {k["kid"] for k in
                       httpx.get(f"{server.url}/us-east-1_Second001/.well-known/jwks.json").json()["keys"]}
        assert not first_kids & second_kids


def test_tokens_and_refresh_tokens_survive_a_restart(tmp_path: Any) -> None:
    config = bundled_config()
    with running_emulator(config, state_dir=tmp_path) as server:
        tokens = sign_in(server.url)
        jwks_before = httpx.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json").json()
    with running_emulator(config, state_dir=tmp_path) as server:
        assert httpx.get(f"{server.url}/{POOL_ID}/.well-known/jwks.json").json() == jwks_before
        verify_like_aws_jwt_verify(tokens["IdToken"], f"{server.url}/{POOL_ID}/.well-known/jwks.json", ISSUER,
                                   "id", "piyopiyo")
        idp = cognito_client(server.url)
        assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "peroper@hoge.com"
        refreshed = idp.initiate_auth(ClientId="piyopiyo", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
            "REFRESH_TOKEN": tokens["RefreshToken"],
            "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")})
        assert refreshed["AuthenticationResult"]["IdToken"]


def test_secret_hash_matches_the_documented_formula() -> None:
    expected = base64.b64encode(hmac.new(b"amoamo", b"peroper@hoge.compiyopiyo", hashlib.sha256).digest()).decode()
    assert secret_hash("amoamo", "peroper@hoge.com", "piyopiyo") == expected


@pytest.fixture()
def hostile_tokens(server: EmulatorServer) -> Iterator[dict[str, str]]:
    tokens = sign_in(server.url)
    header, payload, signature = tokens["AccessToken"].split(".")
    claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    claims["username"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(jwt.api_jws.json.dumps(claims).encode()).rstrip(b"=").decode()
    yield {
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "tampered payload": f"{header}.{forged_payload}.{signature}",
        "HS256 with the public key": jwt.encode(claims, httpx.get(
            f"{server.url}/{POOL_ID}/.well-known/jwks.json").json()["keys"][1]["n"], algorithm="HS256"),
        "two parts": f"{header}.{payload}",
        "garbage": "\u00ff\u00fe" * 10,
    }


def test_hostile_access_tokens_are_refused_by_get_user(server: EmulatorServer,
                                                       hostile_tokens: dict[str, str]) -> None:
    for name, token in hostile_tokens.items():
        response = httpx.post(server.url, json={"AccessToken": token}, headers={
            "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
            "Content-Type": "application/x-amz-json-1.1"})
        assert response.status_code == 400, name
        assert response.json()["__type"] in ("NotAuthorizedException", "InvalidParameterException"), name
        assert response.headers["x-emulator-reason"], name
