"""Passkeys: registration (Start/CompleteWebAuthnRegistration), ListWebAuthnCredentials,
DeleteWebAuthnCredential and USER_AUTH sign-in with WEB_AUTHN, all through boto3, with a software
authenticator producing real attestation and assertion structures that fido2 verifies in the emulator. A
tampered assertion, a wrong origin, a replayed counter, another relying party and a stale challenge are
refused with AWS's errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from emulator.testing import free_port
from tests.app_callback import serving_app
from tests.conftest import refused
from tests.passkey_authenticator import SoftwareAuthenticator

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Passkeys01"
NO_PASSKEY_POOL = "us-east-1_Passkeys02"
CLIENT = "passkeyclient"
ORIGIN = "http://localhost:3000"
PASSWORD = "Correct-Horse1"
WEB_CLIENT = "passkeyweb01"
CHROMIUM = "/usr/bin/chromium"
APP_PORT = free_port()
APP_CALLBACK = f"http://127.0.0.1:{APP_PORT}/callback"
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _users(*names: str) -> list[dict[str, Any]]:
    return [{"Username": n, "Password": PASSWORD, "UserAttributes": {"email": f"{n}@example.com",
                                                                      "email_verified": "true"}} for n in names]


CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "passkeys", "WebAuthnConfiguration": {"RelyingPartyId": "localhost"},
    "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
    "Users": _users("pia", "rex", "tam", "ori", "dee", "sel", "web", "nokey", "pagekey"),
    "Clients": [{"ClientName": "app", "ClientId": CLIENT, "ExplicitAuthFlows": FLOWS},
                {"ClientName": "web", "ClientId": WEB_CLIENT, "ExplicitAuthFlows": FLOWS,
                 "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
                 "AllowedOAuthScopes": ["openid"], "CallbackURLs": [APP_CALLBACK]},
                {"ClientName": "other", "ClientId": "otherpasskeyclient", "ExplicitAuthFlows": FLOWS}],
}, {
    "Id": NO_PASSKEY_POOL, "Name": "no-passkeys",
    "Users": _users("nina"),
    "Clients": [{"ClientName": "app", "ClientId": "nopasskeyclient", "ExplicitAuthFlows": FLOWS}],
}]}


def _token(idp: Any, username: str, client_id: str = CLIENT) -> str:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]


def _register(idp: Any, username: str) -> tuple[SoftwareAuthenticator, str]:
    token = _token(idp, username)
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    device = SoftwareAuthenticator(ORIGIN)
    idp.complete_web_authn_registration(AccessToken=token, Credential=device.register(options))
    return device, token


def _passkey_challenge(idp: Any, username: str) -> tuple[dict[str, Any], dict[str, Any]]:
    first = idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"})
    assert first["ChallengeName"] == "WEB_AUTHN"
    return first, json.loads(first["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])


def _answer(idp: Any, first: dict[str, Any], username: str, credential: dict[str, Any]) -> dict[str, Any]:
    return idp.respond_to_auth_challenge(ClientId=CLIENT, ChallengeName="WEB_AUTHN", Session=first["Session"],
                                         ChallengeResponses={"USERNAME": username,
                                                             "CREDENTIAL": json.dumps(credential)})


def test_register_list_and_sign_in_with_a_passkey(idp: Any) -> None:
    token = _token(idp, "pia")
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    assert options["rp"]["id"] == "localhost" and options["user"]["name"] == "pia"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert {"type": "public-key", "alg": -7} in options["pubKeyCredParams"]
    device = SoftwareAuthenticator(ORIGIN)
    idp.complete_web_authn_registration(AccessToken=token, Credential=device.register(options))
    listed = idp.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [(c["RelyingPartyId"], c["AuthenticatorAttachment"], c["AuthenticatorTransports"]) for c in listed] == [
        ("localhost", "platform", ["internal"])]
    assert idp.get_user_auth_factors(AccessToken=token)["ConfiguredUserAuthFactors"] == ["PASSWORD", "WEB_AUTHN"]
    first, request = _passkey_challenge(idp, "pia")
    assert request["rpId"] == "localhost"
    assert [c["id"] for c in request["allowCredentials"]] == [listed[0]["CredentialId"]]
    done = _answer(idp, first, "pia", device.assertion(request))
    assert done["AuthenticationResult"]["AccessToken"]
    # And a second time, the counter having moved on.
    first, request = _passkey_challenge(idp, "pia")
    assert _answer(idp, first, "pia", device.assertion(request))["AuthenticationResult"]["IdToken"]


def test_select_challenge_offers_the_passkey(idp: Any) -> None:
    device, _ = _register(idp, "sel")
    first = idp.initiate_auth(ClientId=CLIENT, AuthFlow="USER_AUTH", AuthParameters={"USERNAME": "sel"})
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    second = idp.respond_to_auth_challenge(ClientId=CLIENT, ChallengeName="SELECT_CHALLENGE", Session=first["Session"],
                                           ChallengeResponses={"USERNAME": "sel", "ANSWER": "WEB_AUTHN"})
    assert second["ChallengeName"] == "WEB_AUTHN"
    request = json.loads(second["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert _answer(idp, second, "sel", device.assertion(request))["AuthenticationResult"]["AccessToken"]


def test_a_tampered_assertion_is_refused(idp: Any) -> None:
    device, _ = _register(idp, "tam")
    first, request = _passkey_challenge(idp, "tam")
    name, message, reason = refused(lambda: _answer(idp, first, "tam", device.assertion(request, tamper=True)))
    assert (name, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "signature" in reason.lower()


def test_a_wrong_origin_is_refused(idp: Any) -> None:
    device, token = _register(idp, "ori")
    first, request = _passkey_challenge(idp, "ori")
    name, _, reason = refused(lambda: _answer(idp, first, "ori",
                                              device.assertion(request, origin="https://evil.example")))
    assert name == "NotAuthorizedException" and "origin" in reason.lower()
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    other = SoftwareAuthenticator("https://evil.example")
    name, _, reason = refused(lambda: idp.complete_web_authn_registration(
        AccessToken=token, Credential=other.register(options)))
    assert name == "WebAuthnOriginNotAllowedException" and "origin" in reason


def test_a_replayed_counter_is_refused(idp: Any) -> None:
    device, _ = _register(idp, "rex")
    first, request = _passkey_challenge(idp, "rex")
    assert _answer(idp, first, "rex", device.assertion(request, counter=5))["AuthenticationResult"]
    first, request = _passkey_challenge(idp, "rex")
    name, message, reason = refused(lambda: _answer(idp, first, "rex", device.assertion(request, counter=5)))
    assert (name, message) == ("NotAuthorizedException", "Incorrect username or password.")
    assert "counter is 5" in reason


def test_registration_refusals(idp: Any) -> None:
    token = _token(idp, "dee")
    device = SoftwareAuthenticator(ORIGIN)
    name, _, _ = refused(lambda: idp.complete_web_authn_registration(
        AccessToken=token, Credential=device.register({"challenge": "AAAA", "rp": {"id": "localhost"}})))
    assert name == "WebAuthnChallengeNotFoundException"  # never started
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    name, _, reason = refused(lambda: idp.complete_web_authn_registration(
        AccessToken=token, Credential=device.register(options, rp_id="example.com")))
    assert name == "WebAuthnRelyingPartyMismatchException" and "relying party" in reason
    name, message, _ = refused(lambda: idp.complete_web_authn_registration(
        AccessToken=token, Credential={"id": "x", "response": {}}))
    assert (name, message) == ("InvalidParameterException", "Credential data is not valid")
    other_token = _token(idp, "dee", client_id="otherpasskeyclient")
    options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    name, _, _ = refused(lambda: idp.complete_web_authn_registration(
        AccessToken=other_token, Credential=device.register(options)))
    assert name == "WebAuthnClientMismatchException"
    name, _, _ = refused(lambda: idp.start_web_authn_registration(AccessToken=_token(idp, "nina", "nopasskeyclient")))
    assert name == "WebAuthnNotEnabledException"


def test_delete_a_passkey(idp: Any) -> None:
    _, token = _register(idp, "dee")
    credential = idp.list_web_authn_credentials(AccessToken=token)["Credentials"][0]["CredentialId"]
    idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential)
    assert idp.list_web_authn_credentials(AccessToken=token)["Credentials"] == []
    name, _, _ = refused(lambda: idp.delete_web_authn_credential(AccessToken=token, CredentialId=credential))
    assert name == "ResourceNotFoundException"


@pytest.mark.browser
def test_chromium_registers_a_passkey_and_signs_in_on_the_hosted_page(server: Any, idp: Any, tmp_path: Path) -> None:
    """A CDP virtual authenticator in headless Chromium: the browser makes the credential for the API's
    CredentialCreationOptions, and signs in with it on the hosted login page."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    origin = server.url.replace("127.0.0.1", "localhost")  # a WebAuthn RP id cannot be an IP address
    query = urlencode({"client_id": WEB_CLIENT, "response_type": "code", "redirect_uri": APP_CALLBACK,
                       "scope": "openid", "state": "pk-1"})
    with serving_app(APP_PORT), playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True}})
        page.goto(f"{origin}/login?{query}")
        token = _token(idp, "web")
        options = idp.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
        created = page.evaluate("""async (options) => {
            const publicKey = PublicKeyCredential.parseCreationOptionsFromJSON(options);
            return (await navigator.credentials.create({ publicKey })).toJSON();
        }""", options)
        idp.complete_web_authn_registration(AccessToken=token, Credential=created)
        assert len(idp.list_web_authn_credentials(AccessToken=token)["Credentials"]) == 1
        page.fill("#signInFormUsername", "web")
        page.click("#passkeySignIn")
        playwright_api.expect(page).to_have_title("Passkey")  # waits for the navigation the click started
        page.screenshot(path=str(tmp_path / "passkey.png"), full_page=True)
        page.click("#passkeyButton")
        page.wait_for_url(re.compile(rf"^{re.escape(APP_CALLBACK)}\?code="))
        browser.close()


def test_the_passkey_button_for_a_user_without_one_shows_the_error(server: Any) -> None:
    query = {"client_id": WEB_CLIENT, "response_type": "code", "redirect_uri": APP_CALLBACK, "scope": "openid"}
    with httpx.Client(base_url=server.url) as http:
        form = http.get("/login", params=query)
        assert 'id="passkeySignIn"' in form.text
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form.text).group(1)
        page = http.post("/login", params=query, data={"_csrf": csrf, "username": "nokey", "factor": "WEB_AUTHN"})
    assert page.status_code == 200 and "The challenge WEB_AUTHN is not available for this user." in page.text
    assert "cannot use WEB_AUTHN" in page.headers["x-emulator-reason"]


@pytest.mark.browser
def test_chromium_adds_a_passkey_on_the_managed_login_page_and_signs_in_with_it(server: Any, idp: Any,
                                                                                tmp_path: Path) -> None:
    """/passkeys/add after a password sign-in, then a fresh sign-in (prompt=login) with that passkey."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    origin = server.url.replace("127.0.0.1", "localhost")
    params = {"client_id": WEB_CLIENT, "redirect_uri": APP_CALLBACK}
    authorize = urlencode({**params, "response_type": "code", "scope": "openid", "prompt": "login"})
    landed = re.compile(rf"^{re.escape(APP_CALLBACK)}")
    with serving_app(APP_PORT), playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
            "isUserVerified": True}})
        page.goto(f"{origin}/passkeys/add?{urlencode(params)}")  # not signed in yet: to the login form
        assert page.title() == "Signin"
        page.fill("#signInFormUsername", "pagekey")
        page.fill("#signInFormPassword", PASSWORD)
        page.click("button[name=signInSubmitButton]")
        page.wait_for_url(landed)
        page.goto(f"{origin}/passkeys/add?{urlencode(params)}")
        assert page.title() == "Add passkey"
        page.screenshot(path=str(tmp_path / "passkey-add.png"), full_page=True)
        page.click("#passkeyAddButton")
        page.wait_for_url(landed)
        listed = idp.admin_get_user_auth_factors(UserPoolId=POOL, Username="pagekey")["ConfiguredUserAuthFactors"]
        assert listed == ["PASSWORD", "WEB_AUTHN"]
        page.goto(f"{origin}/oauth2/authorize?{authorize}")
        page.fill("#signInFormUsername", "pagekey")
        page.click("#passkeySignIn")
        page.click("#passkeyButton")
        page.wait_for_url(re.compile(rf"^{re.escape(APP_CALLBACK)}\?code="))
        browser.close()
