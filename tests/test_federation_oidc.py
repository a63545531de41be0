"""Federated sign-in through an OIDC provider that is another user pool of the emulator itself (its hosted UI,
/oauth2/token, JWKS and userInfo), over plain HTTP (httpx): discovery through `oidc_issuer` (a pool whose Issuer
is its URL on this emulator) and explicit endpoints (a pool with AWS's issuer form); the ID token the app gets
carries the mapped attributes and `identities`; every unreachable or invalid step fails closed with a reason."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest

from emulator.oauth2.oidc_relying_party import IdpFailure, verify_id_token
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator

pytestmark = pytest.mark.e2e

PORT = free_port()
BASE = f"http://127.0.0.1:{PORT}"
APP_POOL, IDP_POOL, IDP_POOL_B = "us-east-1_AppPool", "us-east-1_CorpIdp", "us-east-1_CorpIdpB"
APP, IDP_CLIENT, IDP_CLIENT_B, IDP_SECRET = "appclient", "corpidpclient", "corpidpclientb", "corp_idp_secret"
CALLBACK = "http://localhost:3000/callback"
IDP_RESPONSE = f"{BASE}/oauth2/idpresponse"


def _idp_pool(pool_id: str, issuer: str | None, client_id: str) -> dict:
    pool = {"Id": pool_id, "Name": pool_id,
            "Users": [{"Username": "alice", "Password": "Passw0rd!",
                       "UserAttributes": {"email": "alice@corp.example", "email_verified": "true",
                                          "name": "Alice Corp", "custom:dept": "R&D"}}],
            "Schema": [{"Name": "dept", "AttributeDataType": "String", "Mutable": True}],
            "Clients": [{"ClientName": "cognito-app-pool", "ClientId": client_id, "ClientSecret": IDP_SECRET,
                         "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                         "AllowedOAuthScopes": ["openid", "email", "profile"], "CallbackURLs": [IDP_RESPONSE],
                         "ReadAttributes": ["email", "email_verified", "name", "custom:dept"]}]}
    if issuer:
        pool["Issuer"] = issuer
    return pool


def _oidc(name: str, issuer: str, client_id: str = IDP_CLIENT, **extra: str) -> dict:
    return {"ProviderName": name, "ProviderType": "OIDC",
            "ProviderDetails": {"client_id": client_id, "client_secret": IDP_SECRET, "oidc_issuer": issuer,
                                "attributes_request_method": "GET", "authorize_scopes": "openid email profile",
                                **extra},
            "AttributeMapping": {"email": "email", "email_verified": "email_verified", "name": "name",
                                 "custom:dept": "custom:dept", "username": "sub"},
            "IdpIdentifiers": [name.lower() + ".example"]}


CONFIG = {"Region": "us-east-1", "UserPools": [
    _idp_pool(IDP_POOL, f"{BASE}/{IDP_POOL}", IDP_CLIENT),
    _idp_pool(IDP_POOL_B, None, IDP_CLIENT_B),
    {"Id": APP_POOL, "Name": "app",
     "Users": [{"Username": "bob", "Password": "Passw0rd!", "UserAttributes": {"email": "bob@app.example"}}],
     "Schema": [{"Name": "dept", "AttributeDataType": "String", "Mutable": True}],
     "IdentityProviders": [
         _oidc("CorpOIDC", f"{BASE}/{IDP_POOL}"),
         _oidc("CorpExplicit", f"https://cognito-idp.us-east-1.amazonaws.com/{IDP_POOL_B}", IDP_CLIENT_B,
               authorize_url=f"{BASE}/oauth2/authorize", token_url=f"{BASE}/oauth2/token",
               attributes_url=f"{BASE}/oauth2/userInfo", jwks_uri=f"{BASE}/{IDP_POOL_B}/.well-known/jwks.json"),
         _oidc("Unreachable", "http://127.0.0.1:9/nothing"),
         {**_oidc("WrongClient", f"{BASE}/{IDP_POOL}"),
          "ProviderDetails": {**_oidc("x", f"{BASE}/{IDP_POOL}")["ProviderDetails"], "client_secret": "wrong"}},
     ],
     "Clients": [{"ClientName": "app", "ClientId": APP, "AllowedOAuthFlowsUserPoolClient": True,
                  "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "profile"],
                  "CallbackURLs": [CALLBACK],
                  "SupportedIdentityProviders": ["COGNITO", "CorpOIDC", "CorpExplicit", "Unreachable",
                                                 "WrongClient"]}]},
]}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG, port=PORT) as server:
        yield server


def start(http: httpx.Client, **extra: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": APP, "redirect_uri": CALLBACK, "scope": "openid email profile",
             "state": "app-state", "nonce": "app-nonce", **extra}
    return http.get(f"{BASE}/oauth2/authorize?{urlencode(query)}")


def through_idp(http: httpx.Client, to_idp: httpx.Response, password: str = "Passw0rd!") -> httpx.Response:
    """The IdP pool's own hosted login (authorize -> /login -> form), then back to /oauth2/idpresponse."""
    assert to_idp.status_code == 302, to_idp.text
    login = http.get(to_idp.headers["location"])  # the IdP's /oauth2/authorize
    assert login.status_code == 302
    form_page = http.get(BASE + login.headers["location"])
    csrf = re.search(r'name="_csrf" value="([^"]*)"', form_page.text).group(1)
    action = re.search(r'<form method="post" action="([^"]*)"', form_page.text).group(1).replace("&amp;", "&")
    back = http.post(BASE + action, data={"_csrf": csrf, "username": "alice", "password": password})
    assert back.status_code == 302 and back.headers["location"].startswith(IDP_RESPONSE), back.text
    return http.get(back.headers["location"])


def app_tokens(http: httpx.Client, callback: httpx.Response) -> dict:
    assert callback.status_code == 302, callback.headers.get("x-emulator-reason")
    query = parse_qs(urlsplit(callback.headers["location"]).query)
    assert query.get("state") == ["app-state"] and "code" in query, callback.headers["location"]
    answer = http.post(f"{BASE}/oauth2/token", data={"grant_type": "authorization_code", "client_id": APP,
                                                       "code": query["code"][0], "redirect_uri": CALLBACK})
    assert answer.status_code == 200, answer.text
    return answer.json()


def app_claims(token: str) -> dict:
    keys = jwt.PyJWKClient(f"{BASE}/{APP_POOL}/.well-known/jwks.json")
    return jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=APP)


@pytest.mark.parametrize("provider", ["CorpOIDC", "CorpExplicit"])
def test_signing_in_through_another_pool_as_the_oidc_idp(emu: EmulatorServer, provider: str) -> None:
    with httpx.Client() as http:
        to_idp = start(http, identity_provider=provider)
        client_id = IDP_CLIENT if provider == "CorpOIDC" else IDP_CLIENT_B
        assert to_idp.headers["location"].startswith(f"{BASE}/oauth2/authorize?client_id={client_id}")
        assert "redirect_uri=" + IDP_RESPONSE.replace(":", "%3A").replace("/", "%2F") in to_idp.headers["location"]
        claims = app_claims(app_tokens(http, through_idp(http, to_idp))["id_token"])
    idp_pool = IDP_POOL if provider == "CorpOIDC" else IDP_POOL_B
    alice_sub = emu.runtime.store.user(emu.runtime.store.pool(idp_pool), "alice").sub
    assert claims["cognito:username"] == f"{provider.lower()}_{alice_sub}"
    assert claims["email"] == "alice@corp.example" and claims["email_verified"] is True
    assert claims["name"] == "Alice Corp" and claims["custom:dept"] == "R&D" and claims["nonce"] == "app-nonce"
    assert claims["identities"] == [{"userId": alice_sub, "providerName": provider, "providerType": "OIDC",
                                     "issuer": None, "primary": "true",
                                     "dateCreated": claims["identities"][0]["dateCreated"]}]


def test_idp_identifier_routes_to_the_oidc_provider(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        to_idp = start(http, idp_identifier="corpoidc.example")
        assert to_idp.headers["location"].startswith(f"{BASE}/oauth2/authorize?client_id={IDP_CLIENT}")


def test_an_unreachable_idp_fails_closed_with_a_reason(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        refused = start(http, identity_provider="Unreachable")
    assert refused.status_code == 502 and "unreachable" in refused.headers["x-emulator-reason"]


def test_a_code_the_idp_will_not_exchange_goes_back_to_the_app_as_an_error(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        callback = through_idp(http, start(http, identity_provider="WrongClient"))
    assert callback.status_code == 302
    query = parse_qs(urlsplit(callback.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["app-state"]
    assert "token endpoint" in callback.headers["x-emulator-reason"]


def test_an_idp_error_and_a_state_answer_once(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        to_idp = start(http, identity_provider="CorpOIDC")
        state = parse_qs(urlsplit(to_idp.headers["location"]).query)["state"][0]
        denied = http.get(f"{IDP_RESPONSE}?error=access_denied&state={state}")
        assert parse_qs(urlsplit(denied.headers["location"]).query)["error"] == ["invalid_request"]
        assert "access_denied" in denied.headers["x-emulator-reason"]
        again = http.get(f"{IDP_RESPONSE}?code=whatever&state={state}")
        assert again.status_code == 400


def _token(key: jwt.PyJWK | object, claims: dict, kid: str = "k1") -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def signing() -> tuple[object, dict]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return private, {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}


GOOD = {"iss": "https://idp.example", "aud": "cid", "sub": "u1", "nonce": "n1", "iat": 1000, "exp": 5000}


@pytest.mark.parametrize(("changes", "kid", "why"), [
    ({}, "k1", None),
    ({"iss": "https://evil.example"}, "k1", "Invalid issuer"),
    ({"aud": "other"}, "k1", "Audience"),
    ({"nonce": "n2"}, "k1", "another nonce"),
    ({"exp": 1500}, "k1", "expired"),
    ({}, "k2", "does not hold"),
])
def test_id_token_checks(signing: tuple[object, dict], changes: dict, kid: str, why: str | None) -> None:
    private, jwks = signing
    token = _token(private, {**GOOD, **changes}, kid)
    if why is None:
        assert verify_id_token(token, jwks, "https://idp.example", "cid", "n1", 2000)["sub"] == "u1"
        return
    with pytest.raises(IdpFailure, match=why):
        verify_id_token(token, jwks, "https://idp.example", "cid", "n1", 2000)


def test_an_unsigned_or_hmac_id_token_is_refused(signing: tuple[object, dict]) -> None:
    _, jwks = signing
    for token in (jwt.encode(GOOD, None, algorithm="none"), jwt.encode(GOOD, "secret" * 8, algorithm="HS256")):
        with pytest.raises(IdpFailure, match="only asymmetric"):
            verify_id_token(token, jwks, "https://idp.example", "cid", "n1", 2000)


def test_an_oidc_identity_linked_by_a_mapped_attribute_signs_in_as_the_native_user(emu: EmulatorServer) -> None:
    import boto3
    cognito = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=BASE)
    cognito.admin_link_provider_for_user(
        UserPoolId=APP_POOL, DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "bob"},
        SourceUser={"ProviderName": "CorpOIDC", "ProviderAttributeName": "email",
                    "ProviderAttributeValue": "alice@corp.example"})
    with httpx.Client() as http:
        claims = app_claims(app_tokens(http, through_idp(http, start(http, identity_provider="CorpOIDC")))["id_token"])
    assert claims["cognito:username"] == "bob" and claims["custom:dept"] == "R&D"
    assert [(i["providerName"], i["primary"]) for i in claims["identities"]] == [("CorpOIDC", "false")]
