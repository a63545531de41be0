"""SAML sign-in in headless Chromium: the hosted login page's CorpSAML button, the test IdP's own page
(tests/saml_idp.py, a real SAML IdP on its own port), the auto-posted response at /saml2/idpresponse, and the
app's callback; the code's ID token carries the mapped attributes and `identities`. Screenshots are kept under
the test's tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest

from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.app_callback import serving_app
from tests.saml_idp import SamlIdp, serving

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

POOL = "us-east-1_SamlBrows1"
CLIENT = "samlbrowser"
CHROMIUM = "/usr/bin/chromium"
APP_PORT = free_port()
CALLBACK = f"http://127.0.0.1:{APP_PORT}/callback"
AUDIENCE = f"urn:amazon:cognito:sp:{POOL}"


@pytest.fixture(scope="module")
def idp() -> Iterator[SamlIdp]:
    provider = SamlIdp(entity_id="https://corp-idp.test/saml")
    provider.users = {"carol@corp.test": {"mail": "carol@corp.test", "displayName": "Carol Corp",
                                          "department": "Finance"}}
    with serving(provider, AUDIENCE) as running:
        yield running


@pytest.fixture(scope="module")
def emu(idp: SamlIdp) -> Iterator[EmulatorServer]:
    config = {"Region": "us-east-1", "UserPools": [{
        "Id": POOL, "Name": "saml-browser", "Schema": [{"Name": "department", "AttributeDataType": "String"}],
        "IdentityProviders": [{
            "ProviderName": "CorpSAML", "ProviderType": "SAML",
            "ProviderDetails": {"MetadataURL": f"{idp.base_url}/metadata"},
            "AttributeMapping": {"email": "mail", "name": "displayName", "custom:department": "department"}}],
        "Clients": [{"ClientName": "web", "ClientId": CLIENT, "AllowedOAuthFlowsUserPoolClient": True,
                     "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "profile"],
                     "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO", "CorpSAML"]}]}]}
    with running_emulator(config) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with serving_app(APP_PORT), playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def test_saml_sign_in_in_chromium(emu: EmulatorServer, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    query = {"client_id": CLIENT, "response_type": "code", "redirect_uri": CALLBACK, "scope": "openid email profile",
             "state": "br-1"}
    page.goto(f"{emu.url}/oauth2/authorize?{urlencode(query)}")
    page.screenshot(path=str(tmp_path / "1-login.png"), full_page=True)
    page.click("text=CorpSAML")
    page.wait_for_selector("#sign-in")
    assert page.url.startswith(idp_url := page.url.split("/sso", 1)[0])
    page.screenshot(path=str(tmp_path / "2-idp.png"), full_page=True)
    page.select_option("#user", "carol@corp.test")
    page.click("#sign-in")
    page.wait_for_url(f"{CALLBACK}*")
    page.screenshot(path=str(tmp_path / "3-app.png"), full_page=True)
    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == ["br-1"] and idp_url.startswith("http://127.0.0.1:")
    answer = httpx.post(f"{emu.url}/oauth2/token", data={"grant_type": "authorization_code", "client_id": CLIENT,
                                                          "code": params["code"][0], "redirect_uri": CALLBACK})
    assert answer.status_code == 200, answer.text
    token = answer.json()["id_token"]
    keys = jwt.PyJWKClient(f"{emu.url}/{POOL}/.well-known/jwks.json")
    claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=CLIENT)
    assert claims["email"] == "carol@corp.test" and claims["name"] == "Carol Corp"
    assert claims["custom:department"] == "Finance"
    assert claims["cognito:username"] == "corpsaml_carol@corp.test"
    [identity] = claims["identities"]
    assert identity["providerName"] == "CorpSAML" and identity["providerType"] == "SAML"
    assert identity["userId"] == "carol@corp.test"
    print(f"screenshots: {tmp_path}")
