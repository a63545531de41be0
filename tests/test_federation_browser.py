"""Federated sign-in in a real browser (headless Chromium via playwright): the login page's provider buttons,
the simulated Google page, and an OIDC provider that is another pool of this emulator; the app's ID tokens,
verified with PyJWT against the JWKS, carry the mapped attributes and `identities`. Screenshots of the new
pages go to $FEDERATION_SHOTS (or the test's tmp dir)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import jwt
import pytest

from emulator.oauth2.testing import callback_params
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.app_callback import serving_app

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
PORT, APP_PORT = free_port(), free_port()
BASE, APP_CALLBACK = f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{APP_PORT}/callback"
APP_POOL, IDP_POOL = "us-east-1_BrowserApp", "us-east-1_BrowserIdp"
APP, IDP_CLIENT = "browserapp", "browseridp"
LANDED = re.compile(rf"^{re.escape(APP_CALLBACK)}\?")

CONFIG = {"Region": "us-east-1", "UserPools": [
    {"Id": IDP_POOL, "Name": "corporate directory", "Issuer": f"{BASE}/{IDP_POOL}",
     "Users": [{"Username": "carol", "Password": "Passw0rd!",
                "UserAttributes": {"email": "carol@corp.example", "email_verified": "true", "name": "Carol Corp"}}],
     "Clients": [{"ClientName": "app pool", "ClientId": IDP_CLIENT, "ClientSecret": "browser_idp_secret",
                  "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                  "AllowedOAuthScopes": ["openid", "email", "profile"],
                  "CallbackURLs": [f"{BASE}/oauth2/idpresponse"]}]},
    {"Id": APP_POOL, "Name": "shop",
     "IdentityProviders": [
         {"ProviderName": "Google", "ProviderType": "Google",
          "ProviderDetails": {"client_id": "shop.apps.googleusercontent.com", "client_secret": "g",
                              "authorize_scopes": "openid email profile"},
          "AttributeMapping": {"email": "email", "email_verified": "email_verified", "name": "name",
                               "picture": "picture"}},
         {"ProviderName": "CorpOIDC", "ProviderType": "OIDC",
          "ProviderDetails": {"client_id": IDP_CLIENT, "client_secret": "browser_idp_secret",
                              "oidc_issuer": f"{BASE}/{IDP_POOL}", "attributes_request_method": "GET",
                              "authorize_scopes": "openid email profile"},
          "AttributeMapping": {"email": "email", "name": "name"}}],
     "Clients": [{"ClientName": "shop web", "ClientId": APP, "AllowedOAuthFlowsUserPoolClient": True,
                  "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email", "profile"],
                  "CallbackURLs": [APP_CALLBACK], "SupportedIdentityProviders": ["COGNITO", "Google", "CorpOIDC"]}]},
]}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG, port=PORT) as server, serving_app(APP_PORT):
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, emu: EmulatorServer) -> Iterator[object]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("FEDERATION_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _authorize_url() -> str:
    return f"{BASE}/oauth2/authorize?" + urlencode({"response_type": "code", "client_id": APP, "state": "st",
                                                    "redirect_uri": APP_CALLBACK, "scope": "openid email profile",
                                                    "nonce": "browser-nonce"})


def _id_claims(url: str) -> dict:
    code = callback_params(url)["code"]
    tokens = httpx.post(f"{BASE}/oauth2/token", data={"grant_type": "authorization_code", "client_id": APP,
                                                        "code": code, "redirect_uri": APP_CALLBACK}).json()
    keys = jwt.PyJWKClient(f"{BASE}/{APP_POOL}/.well-known/jwks.json")
    token = tokens["id_token"]
    return jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"], audience=APP)


def test_google_through_the_simulated_page(page, shots: Path) -> None:
    page.goto(_authorize_url())
    assert page.inner_text("#identityProviders").count("Continue with") == 2
    page.screenshot(path=str(shots / "login-with-providers.png"), full_page=True)
    page.click("text=Continue with Google")
    page.wait_for_selector("#simulationBanner")
    assert "Local simulation of Google" in page.inner_text("#simulationBanner")
    page.fill("#simulatedEmail", "dana@gmail.com")
    page.fill("#simulatedName", "Dana Example")
    page.screenshot(path=str(shots / "simulated-google.png"), full_page=True)
    page.click("#simulatedSignIn")
    page.wait_for_url(LANDED)
    claims = _id_claims(page.url)
    assert re.fullmatch(r"google_1\d{20}", claims["cognito:username"])
    assert claims["email"] == "dana@gmail.com" and claims["name"] == "Dana Example"
    assert claims["picture"].startswith("https://lh3.googleusercontent.com/a/")
    assert claims["identities"][0]["providerName"] == "Google" and claims["nonce"] == "browser-nonce"


def test_google_again_offers_the_identity_used_before(browser, emu: EmulatorServer, shots: Path) -> None:
    context = browser.new_context()  # a new browser: no session cookie
    page = context.new_page()
    page.goto(_authorize_url())
    page.click("text=Continue with Google")
    page.wait_for_selector(".previous-identity")
    page.screenshot(path=str(shots / "simulated-google-previous.png"), full_page=True)
    page.click(".previous-identity button:has-text('dana@gmail.com')")
    page.wait_for_url(LANDED)
    assert _id_claims(page.url)["email"] == "dana@gmail.com"
    context.close()


def test_oidc_through_another_pool(page, shots: Path) -> None:
    page.goto(_authorize_url())
    page.click("text=Continue with CorpOIDC")
    page.wait_for_selector("#signInFormUsername")  # the IdP pool's own hosted login
    assert "app pool" in page.inner_text(".brand")
    page.fill("#signInFormUsername", "carol")
    page.fill("#signInFormPassword", "Passw0rd!")
    page.screenshot(path=str(shots / "oidc-idp-login.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_url(LANDED)
    claims = _id_claims(page.url)
    assert claims["cognito:username"].startswith("corpoidc_") and claims["email"] == "carol@corp.example"
    assert claims["identities"][0]["providerType"] == "OIDC" and claims["name"] == "Carol Corp"


def test_a_provider_the_client_lacks_shows_the_unavailable_page(page, shots: Path) -> None:
    page.goto(_authorize_url() + "&identity_provider=Facebook")
    assert "Login option is not available. Please try another one" in page.content()
    page.screenshot(path=str(shots / "login-option-unavailable.png"), full_page=True)
