"""SAML 2.0 federation through the hosted UI over plain HTTP (httpx) with a real SAML IdP run in the test
(tests/saml_idp.py: signed responses, metadata over HTTP): SP-initiated sign-in from /oauth2/authorize to
/saml2/idpresponse and the app's code, the ID token's mapped attributes and `identities`, IdP-initiated sign-in
(IDPInit), the SP metadata, and the refusals (tampered, replayed, hostile, not-emulated options)."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import httpx
import jwt
import pytest
from cryptography import x509

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.saml_idp import SamlIdp, serving

pytestmark = pytest.mark.e2e

POOL = "us-east-1_SamlPool1"
CLIENT, IDP_INIT_CLIENT = "samlclient", "idpinitclient"
CALLBACK = "http://localhost:3000/callback"
SIGNED_OUT = "http://localhost:3000/signed-out"
AUDIENCE = f"urn:amazon:cognito:sp:{POOL}"
MAPPING = {"email": "email", "name": "displayName", "custom:department": "department", "custom:groups": "groups"}


@pytest.fixture(scope="module")
def idp() -> Iterator[SamlIdp]:
    provider = SamlIdp(entity_id="https://corp-idp.test/saml")
    provider.users = {"alice": {"email": "alice@corp.test", "displayName": "Alice Corp", "department": "R&D",
                                "groups": ["admins", "devs"]}}
    with serving(provider, AUDIENCE) as running:
        yield running


def _config(idp: SamlIdp) -> dict:
    schema = [{"Name": "department", "AttributeDataType": "String"}, {"Name": "groups", "AttributeDataType": "String"}]
    return {"Region": "us-east-1", "UserPools": [{
        "Id": POOL, "Name": "saml", "Schema": schema,
        "IdentityProviders": [
            {"ProviderName": "CorpSAML", "ProviderType": "SAML", "IdpIdentifiers": ["corp.test"],
             "ProviderDetails": {"MetadataURL": f"{idp.base_url}/metadata"}, "AttributeMapping": MAPPING},
            {"ProviderName": "PortalSAML", "ProviderType": "SAML",
             "ProviderDetails": {"MetadataFile": idp.metadata(), "IDPInit": "true"}, "AttributeMapping": MAPPING},
            {"ProviderName": "SignedSAML", "ProviderType": "SAML",
             "ProviderDetails": {"MetadataURL": f"{idp.base_url}/metadata", "RequestSigningAlgorithm": "rsa-sha256"},
             "AttributeMapping": MAPPING},
            {"ProviderName": "LogoutSAML", "ProviderType": "SAML",
             "ProviderDetails": {"MetadataURL": f"{idp.base_url}/metadata", "IDPSignout": "true"},
             "AttributeMapping": MAPPING},
            {"ProviderName": "SealedSAML", "ProviderType": "SAML",
             "ProviderDetails": {"MetadataFile": idp.metadata(), "EncryptedResponses": "true"}},
        ],
        "Clients": [
            {"ClientName": "web", "ClientId": CLIENT, "AllowedOAuthFlowsUserPoolClient": True,
             "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "profile"],
             "CallbackURLs": [CALLBACK],
             "SupportedIdentityProviders": ["COGNITO", "CorpSAML", "SignedSAML", "LogoutSAML", "SealedSAML"],
             "LogoutURLs": [SIGNED_OUT]},
            {"ClientName": "portal", "ClientId": IDP_INIT_CLIENT, "AllowedOAuthFlowsUserPoolClient": True,
             "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
             "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["PortalSAML"]},
        ]}]}


@pytest.fixture(scope="module")
def emu(idp: SamlIdp) -> Iterator[EmulatorServer]:
    with running_emulator(_config(idp)) as server:
        yield server


def authorize(emu: EmulatorServer, http: httpx.Client, **extra: str) -> httpx.Response:
    query = {"response_type": "code", "client_id": CLIENT, "redirect_uri": CALLBACK, "scope": "openid email profile",
             "state": "app-state", **extra}
    return http.get(f"{emu.url}/oauth2/authorize?{urlencode(query)}")


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of an auto-posting page (the IdP's answer)."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', page).group(1))
    fields = {m.group(1): html.unescape(m.group(2))
              for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}
    return action, fields


def through_idp(emu: EmulatorServer, http: httpx.Client, provider: str = "CorpSAML",
                **extra: str) -> tuple[str, dict[str, str]]:
    """authorize -> the IdP's page -> sign in as alice -> the SAMLResponse the browser would post back."""
    to_idp = authorize(emu, http, identity_provider=provider, **extra)
    assert to_idp.status_code == 302, to_idp.text
    page = http.get(to_idp.headers["location"])
    action, fields = posted_form(page.text)
    answer = http.post(urlsplit(to_idp.headers["location"])._replace(path=action, query="").geturl(),
                       data={**fields, "name_id": "alice"})
    return posted_form(answer.text)


def id_token(emu: EmulatorServer, http: httpx.Client, location: str, client: str = CLIENT) -> dict:
    query = parse_qs(urlsplit(location).query)
    answer = http.post(f"{emu.url}/oauth2/token", data={"grant_type": "authorization_code", "client_id": client,
                                                          "code": query["code"][0], "redirect_uri": CALLBACK})
    assert answer.status_code == 200, answer.text
    token = answer.json()["id_token"]
    keys = jwt.PyJWKClient(f"{emu.url}/{POOL}/.well-known/jwks.json")
    return jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=client)


def test_sp_initiated_sign_in(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        acs, fields = through_idp(emu, http)
        assert acs == f"{emu.url}/saml2/idpresponse"
        back = http.post(acs, data=fields)
        assert back.status_code == 302, back.text
        assert back.headers["location"].startswith(CALLBACK) and "state=app-state" in back.headers["location"]
        claims = id_token(emu, http, back.headers["location"])
        again = http.post(acs, data=fields)  # the same response, posted twice
    assert claims["cognito:username"] == "corpsaml_alice"
    assert claims["email"] == "alice@corp.test" and claims["name"] == "Alice Corp"
    assert claims["custom:department"] == "R&D" and claims["custom:groups"] == "[admins, devs]"
    [identity] = claims["identities"]
    assert identity["userId"] == "alice" and identity["providerName"] == "CorpSAML"
    assert identity["providerType"] == "SAML"
    assert again.status_code == 400 and "Invalid samlResponse or relayState" in again.text


def test_idp_identifier_reaches_the_saml_provider(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        to_idp = http.get(f"{emu.url}/oauth2/authorize?" + urlencode({
            "response_type": "code", "client_id": CLIENT, "redirect_uri": CALLBACK, "idp_identifier": "corp.test"}))
    assert to_idp.status_code == 302 and "SAMLRequest=" in to_idp.headers["location"]


def test_tampered_response_goes_back_to_the_app_with_aws_error(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        acs, fields = through_idp(emu, http)
        xml = base64.b64decode(fields["SAMLResponse"]).replace(b"alice@corp.test", b"mallory@corp.test")
        back = http.post(acs, data={**fields, "SAMLResponse": base64.b64encode(xml).decode()})
    assert back.status_code == 302
    query = parse_qs(urlsplit(back.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["app-state"]
    assert query["error_description"] == ["Invalid samlResponse or relayState from identity provider"]
    assert "does not verify" in back.headers["x-emulator-reason"]


def test_idp_initiated_sign_in(emu: EmulatorServer, idp: SamlIdp) -> None:
    acs = f"{emu.url}/saml2/idpresponse"
    relay = urlencode({"identity_provider": "PortalSAML", "client_id": IDP_INIT_CLIENT, "redirect_uri": CALLBACK,
                       "response_type": "code", "scope": "openid email"})
    response = idp.response(acs, AUDIENCE, "bob", {"email": "bob@corp.test"})
    with httpx.Client() as http:
        back = http.post(acs, data={"SAMLResponse": response, "RelayState": relay})
        assert back.status_code == 302, back.text
        claims = id_token(emu, http, back.headers["location"], IDP_INIT_CLIENT)
        replayed = http.post(acs, data={"SAMLResponse": response, "RelayState": relay})
        solicited = http.post(acs, data={"SAMLResponse": idp.response(acs, AUDIENCE, "bob", in_response_to="_x"),
                                         "RelayState": relay})
        not_enabled = http.post(acs, data={"SAMLResponse": idp.response(acs, AUDIENCE, "bob"), "RelayState":
                                           relay.replace("PortalSAML", "CorpSAML")})
    assert claims["cognito:username"] == "portalsaml_bob" and claims["email"] == "bob@corp.test"
    assert replayed.status_code == 400 and "already used" in replayed.headers["x-emulator-reason"]
    assert solicited.status_code == 400 and "InResponseTo" in solicited.headers["x-emulator-reason"]
    assert not_enabled.status_code == 400 and "IDPInit" in not_enabled.headers["x-emulator-reason"]


@pytest.mark.parametrize("body", [
    {"SAMLResponse": base64.b64encode(b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>').decode(), "RelayState": "x"},
    {"SAMLResponse": "not base64!", "RelayState": ""},
    {"RelayState": "only"},
    {"SAMLResponse": "A" * 100_004, "RelayState": ""},
])
def test_hostile_posts_are_refused_never_500(emu: EmulatorServer, body: dict[str, str]) -> None:
    answer = httpx.post(f"{emu.url}/saml2/idpresponse", data=body)
    assert answer.status_code == 400 and answer.headers["x-emulator-reason"]


def test_not_emulated_options_are_refused_before_the_idp(emu: EmulatorServer) -> None:
    with httpx.Client() as http:
        answer = authorize(emu, http, identity_provider="SealedSAML")
    assert answer.status_code == 502 and "EncryptedResponses" in answer.headers["x-emulator-reason"]


def test_sp_metadata(emu: EmulatorServer) -> None:
    document = httpx.get(f"{emu.url}/saml2/metadata?client_id={CLIENT}")
    assert document.status_code == 200 and f'entityID="{AUDIENCE}"' in document.text
    assert f'Location="{emu.url}/saml2/idpresponse"' in document.text
    idp_client = boto3.client("cognito-idp", endpoint_url=emu.url, region_name="us-east-1")
    assert idp_client.get_signing_certificate(UserPoolId=POOL)["Certificate"] in document.text
    assert httpx.get(f"{emu.url}/saml2/metadata").status_code == 404


def test_signed_authn_requests_verify_with_the_pool_signing_certificate(emu: EmulatorServer, idp: SamlIdp) -> None:
    idp_client = boto3.client("cognito-idp", endpoint_url=emu.url, region_name="us-east-1")
    certificate = idp_client.get_signing_certificate(UserPoolId=POOL)["Certificate"]
    idp.sp_certificate = x509.load_der_x509_certificate(base64.b64decode(certificate))
    try:
        with httpx.Client() as http:
            unsigned = http.get(authorize(emu, http, identity_provider="CorpSAML").headers["location"])
            acs, fields = through_idp(emu, http, "SignedSAML")
            back = http.post(acs, data=fields)
    finally:
        idp.sp_certificate = None
    assert unsigned.status_code == 403  # the IdP wants signed requests; CorpSAML sends them unsigned
    assert back.status_code == 302 and "code=" in back.headers["location"]
    assert idp.requests[-1].findtext("{urn:oasis:names:tc:SAML:2.0:assertion}Issuer") == AUDIENCE


def test_single_logout_through_the_idp(emu: EmulatorServer, idp: SamlIdp) -> None:
    idp_client = boto3.client("cognito-idp", endpoint_url=emu.url, region_name="us-east-1")
    certificate = idp_client.get_signing_certificate(UserPoolId=POOL)["Certificate"]
    idp.sp_logout_url = f"{emu.url}/saml2/logout"
    try:
        with httpx.Client() as http:
            acs, fields = through_idp(emu, http, "LogoutSAML")
            assert http.post(acs, data=fields).status_code == 302  # signed in; the session cookie is set
            assert authorize(emu, http).headers["location"].startswith(CALLBACK)  # silently, from the session
            idp.sp_certificate = x509.load_der_x509_certificate(base64.b64decode(certificate))  # LogoutRequests
            to_idp = http.get(f"{emu.url}/logout?" + urlencode({"client_id": CLIENT, "logout_uri": SIGNED_OUT}))
            assert to_idp.status_code == 302 and urlsplit(to_idp.headers["location"]).path == "/slo"
            idp_page = http.get(to_idp.headers["location"])
            assert idp_page.status_code == 200, idp_page.text
            action, answer = posted_form(idp_page.text)
            replay = dict(answer)
            done = http.post(action, data=answer)
            again = http.post(action, data=replay)
            silent = authorize(emu, http)  # the local session is gone: the login page, not a code
    finally:
        idp.sp_certificate = None
    request = idp.requests[-1]
    assert request.tag == "{urn:oasis:names:tc:SAML:2.0:protocol}LogoutRequest"
    assert request.findtext("{urn:oasis:names:tc:SAML:2.0:assertion}NameID") == "alice"
    assert request.findtext("{urn:oasis:names:tc:SAML:2.0:protocol}SessionIndex")
    assert done.status_code == 302 and done.headers["location"] == SIGNED_OUT
    assert again.status_code == 400 and "no sign-out" in again.headers["x-emulator-reason"]
    assert not silent.headers.get("location", "").startswith(CALLBACK)  # to the login page, not back with a code
