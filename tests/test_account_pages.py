"""The hosted UI's account pages: sign-up with the pool's required attributes, confirm sign-up, forgot password
and reset, on the same operations the API runs. Driven over HTTP (httpx, a browser's cookies and forms) and in
headless Chromium at a phone's size, with screenshots kept under the test's tmp_path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from emulator.oauth2.testing import MfaPrompt, callback_params, hosted_sign_in
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.app_callback import serving_app
from tests.conftest import cognito_client

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Accounts01"
CLIENT = "accountpages01"
SECRET_CLIENT = "accountsecret01"
PASSWORD = "Correct-Horse1"
CHROMIUM = "/usr/bin/chromium"
APP_PORT = free_port()
APP_CALLBACK = f"http://127.0.0.1:{APP_PORT}/callback"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def _client(client_id: str, **extra: Any) -> dict[str, Any]:
    return {"ClientName": client_id, "ClientId": client_id, "AllowedOAuthFlowsUserPoolClient": True,
            "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [APP_CALLBACK],
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], **extra}


CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "accounts", "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"],
    "Schema": [{"Name": "name", "Required": True}],
    "MfaConfiguration": "OPTIONAL", "EmailMfaConfiguration": {"Message": "Your code: {####}"},
    "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    "Users": [{"Username": "forgetful@example.com", "Password": PASSWORD,
               "UserAttributes": {"email_verified": "true", "name": "Forgetful"}},
              {"Username": "otp@example.com", "Password": PASSWORD,
               "UserAttributes": {"email_verified": "true", "name": "One Time"}},
              {"Username": "mailcode@example.com", "Password": PASSWORD,
               "UserAttributes": {"email_verified": "true", "name": "Mail Code"}}],
    "Clients": [_client(CLIENT), _client(SECRET_CLIENT, ClientSecret="accountsecret0123456789abcd")],
}]}

QUERY = {"client_id": CLIENT, "response_type": "code", "redirect_uri": APP_CALLBACK, "scope": "openid email",
         "state": "st-7"}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG) as server:
        yield server


def _csrf(page: httpx.Response) -> str:
    return re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)


def _code(emu: EmulatorServer, username: str, purpose: str) -> str:
    got = httpx.get(f"{emu.url}/_emulator/codes/latest", params={"pool_id": POOL, "username": username,
                                                                "purpose": purpose})
    assert got.status_code == 200, got.text
    return got.json()["code"]


def _alert(page: httpx.Response) -> str:
    found = re.search(r'id="loginErrorMessage">.*?<span>(.*?)</span>', page.text, re.S)
    return found.group(1) if found else ""


def test_the_login_page_links_to_sign_up_and_forgot_password(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        page = http.get("/login", params=QUERY)
    links = dict(re.findall(r'href="(/signup|/forgotPassword)\?([^"]+)"', page.text))
    for path in ("/signup", "/forgotPassword"):  # each carries the authorize request on
        assert f"client_id={CLIENT}" in links[path] and "state=st-7" in links[path]


@pytest.mark.parametrize("client_id", [CLIENT, SECRET_CLIENT])
def test_sign_up_confirm_and_sign_in_over_http(emu: EmulatorServer, client_id: str) -> None:
    query = {**QUERY, "client_id": client_id}
    email = f"new-{client_id}@example.com"
    with httpx.Client(base_url=emu.url) as http:
        form = http.get("/signup", params=query)
        assert form.status_code == 200
        assert 'name="username" type="text"' not in form.text  # the sign-in name is the e-mail here
        for field in ('id="signUp_username"', 'id="signUp_name"', 'id="signUpPassword"'):
            assert field in form.text
        weak = http.post("/signup", params=query, data={"_csrf": _csrf(form), "username": email, "name": "New",
                                                        "password": "short"})
        assert _alert(weak).startswith("Password did not conform with policy")
        assert weak.headers["x-emulator-reason"]
        missing = http.post("/signup", params=query, data={"_csrf": _csrf(form), "username": email,
                                                           "password": PASSWORD})
        assert "name" in _alert(missing)
        signed_up = http.post("/signup", params=query, data={"_csrf": _csrf(form), "username": email, "name": "New",
                                                             "password": PASSWORD})
        assert "n***@e***" in signed_up.text and 'id="verificationCode"' in signed_up.text
        wrong = http.post("/confirmUser", params=query, data={"_csrf": _csrf(signed_up), "username": email,
                                                              "code": "000000"})
        assert _alert(wrong) in ("Invalid verification code provided, please try again.",)
        confirmed = http.post("/confirmUser", params=query, data={
            "_csrf": _csrf(signed_up), "username": email, "code": _code(emu, _sub_of(emu, email), "confirm_sign_up")})
        assert "Your account is confirmed" in confirmed.text
        landed = http.post("/login", params=query, data={"_csrf": _csrf(confirmed), "username": email,
                                                         "password": PASSWORD})
        assert landed.status_code == 302 and landed.headers["location"].startswith(APP_CALLBACK + "?code=")


def _sub_of(emu: EmulatorServer, email: str) -> str:
    """The username (a UUID in an e-mail pool) the emulator gave the user signed up with `email`."""
    users = emu.runtime.store.users(POOL)
    return next(u.username for u in users if u.attributes.get("email") == email)


def test_forgot_password_and_reset_over_http(emu: EmulatorServer) -> None:
    email = "forgetful@example.com"
    with httpx.Client(base_url=emu.url) as http:
        form = http.get("/forgotPassword", params=QUERY)
        sent = http.post("/forgotPassword", params=QUERY, data={"_csrf": _csrf(form), "username": email})
        assert "f***@e***" in sent.text
        code = _code(emu, _sub_of(emu, email), "forgot_password")
        mismatch = http.post("/confirmForgotPassword", params=QUERY, data={
            "_csrf": _csrf(sent), "username": email, "code": code, "password": "New-Passw0rd!",
            "confirmPassword": "Other-Passw0rd!"})
        assert _alert(mismatch) == "Passwords do not match."
        changed = http.post("/confirmForgotPassword", params=QUERY, data={
            "_csrf": _csrf(sent), "username": email, "code": code, "password": "New-Passw0rd!",
            "confirmPassword": "New-Passw0rd!"})
        assert "Your password has been changed" in changed.text
        landed = http.post("/login", params=QUERY, data={"_csrf": _csrf(changed), "username": email,
                                                         "password": "New-Passw0rd!"})
        assert landed.status_code == 302


def test_account_forms_are_csrf_bound(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        csrf = _csrf(http.get("/signup", params=QUERY))
    for path in ("/signup", "/confirmUser", "/forgotPassword", "/confirmForgotPassword"):
        with httpx.Client(base_url=emu.url) as elsewhere:
            response = elsewhere.post(path, params=QUERY, data={"_csrf": csrf, "username": "x@example.com"})
        assert response.status_code == 403, path
        assert "XSRF-TOKEN" in response.headers["x-emulator-reason"]


def test_a_bad_authorize_request_is_refused_on_the_account_pages(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        response = http.get("/signup", params={**QUERY, "redirect_uri": "https://evil.example/cb"})
    assert response.status_code in (302, 400)
    assert response.headers["x-emulator-reason"]


def test_email_mfa_on_the_login_page(emu: EmulatorServer) -> None:
    cognito_client(emu.url).admin_set_user_mfa_preference(
        UserPoolId=POOL, Username="mailcode@example.com", EmailMfaSettings={"Enabled": True, "PreferredMfa": True})
    prompts: list[MfaPrompt] = []

    def mailbox(prompt: MfaPrompt) -> str:
        prompts.append(prompt)
        return _code(emu, _sub_of(emu, "mailcode@example.com"), "email_otp")
    location = hosted_sign_in(emu.url, "mailcode@example.com", PASSWORD, mfa_code=mailbox, **QUERY)
    assert callback_params(location)["code"]
    assert prompts[0].challenge == "EMAIL_OTP" and "by email to m***@e***" in prompts[0].text


def test_sign_in_with_an_email_code_on_the_login_page(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        form = http.get("/login", params=QUERY)
        assert 'id="emailCodeSignIn"' in form.text and 'id="passkeySignIn"' not in form.text
        sent = http.post("/login", params=QUERY, data={"_csrf": _csrf(form), "username": "otp@example.com",
                                                       "factor": "EMAIL_OTP"})
        assert "by email to o***@e***" in sent.text
        step = re.search(r'name="mfaStep" value="([^"]+)"', sent.text).group(1)
        landed = http.post("/login", params=QUERY, data={
            "_csrf": _csrf(sent), "mfaStep": step, "mfaCode": _code(emu, _sub_of(emu, "otp@example.com"), "email_otp")})
    assert landed.status_code == 302 and landed.headers["location"].startswith(APP_CALLBACK + "?code=")


# -- in Chromium, at a phone's size ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with serving_app(APP_PORT), playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


def _shot(page: Any, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000
    # Nothing spills sideways on a phone: the page is no wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
def test_sign_up_confirm_and_sign_in_in_chromium(emu: EmulatorServer, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{emu.url}/oauth2/authorize?{urlencode(QUERY)}")
    page.click("text=Sign up")
    assert page.title() == "Signup"
    page.fill("#signUp_username", "phone-user@example.com")
    page.fill("#signUp_name", "Phone User")
    page.fill("#signUpPassword", PASSWORD)
    _shot(page, tmp_path, "1-signup")
    page.click("button[type=submit]")
    assert page.title() == "Confirm account"
    _shot(page, tmp_path, "2-confirm")
    page.fill("#verificationCode", _code(emu, _sub_of(emu, "phone-user@example.com"), "confirm_sign_up"))
    page.click("button[type=submit]")
    assert "Your account is confirmed" in page.inner_text("#loginNote")
    _shot(page, tmp_path, "3-confirmed")
    page.fill("#signInFormPassword", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(APP_CALLBACK)}\?code="))
    context.close()


@pytest.mark.browser
def test_forgot_password_in_chromium(emu: EmulatorServer, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{emu.url}/login?{urlencode(QUERY)}")
    page.click("text=Forgot your password?")
    page.fill("#forgotUsername", "forgetful@example.com")
    _shot(page, tmp_path, "4-forgot")
    page.click("button[type=submit]")
    assert page.title() == "Reset password"
    page.fill("#resetCode", _code(emu, _sub_of(emu, "forgetful@example.com"), "forgot_password"))
    page.fill("#resetPassword", "Phone-Passw0rd!")
    page.fill("#resetConfirmPassword", "Phone-Passw0rd!")
    _shot(page, tmp_path, "5-reset")
    page.click("button[type=submit]")
    assert "Your password has been changed" in page.inner_text("#loginNote")
    page.fill("#signInFormPassword", "Phone-Passw0rd!")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(APP_CALLBACK)}\?code="))
    context.close()
