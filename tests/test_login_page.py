"""The hosted login page in a real browser (headless Chromium via playwright), and the same user checks
as the API (disabled, unconfirmed, reset-required, unknown user) plus CSRF, over plain HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest

from emulator.oauth2.testing import callback_params, hosted_sign_in, page_error, pkce_pair
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.app_callback import serving_app
from tests.conftest import bundled_config

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")

CLIENT = "managedlogin01"  # the seed's managed-login client (PreventUserExistenceErrors ENABLED)
LEGACY = "legacylogin01"
CALLBACK = "http://localhost:3000/callback"  # the seed's callback (HTTP-level tests only: nothing listens there)
CHROMIUM = "/usr/bin/chromium"
# The browser lands on a real app: a tiny server on a free port, registered as one more callback and
# sign-out URL of the seed's client. (Playwright's routing does not see a redirect answered by a
# navigation's 302, so intercepting the seed's localhost:3000 is not reliable.)
APP_PORT = free_port()
APP = f"http://127.0.0.1:{APP_PORT}"
APP_CALLBACK = f"{APP}/callback"


def _config() -> dict:
    data = bundled_config()
    pool = data["UserPools"][0]
    pool["Users"] += [
        {"Username": "disabled@hoge.com", "Password": "Passw0rd!", "Enabled": False},
        {"Username": "unconfirmed@hoge.com", "Password": "Passw0rd!", "UserStatus": "UNCONFIRMED"},
        {"Username": "reset@hoge.com", "UserStatus": "RESET_REQUIRED"},
        {"Username": "newbie2@hoge.com", "TemporaryPassword": "Temp-Passw0rd!"},
    ]
    managed = next(c for c in pool["Clients"] if c["ClientId"] == CLIENT)
    managed["CallbackURLs"] = [*managed["CallbackURLs"], APP_CALLBACK]
    managed["LogoutURLs"] = [*managed["LogoutURLs"], f"{APP}/"]
    pool["Clients"].append({"ClientName": "legacy", "ClientId": LEGACY, "AllowedOAuthFlowsUserPoolClient": True,
                            "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"],
                            "CallbackURLs": [CALLBACK]})
    return data


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(_config()) as server:
        yield server


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with serving_app(APP_PORT) as callback:
        yield callback


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, app: str) -> Iterator[object]:
    """A fresh browser (its own cookies)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _authorize_url(emu: EmulatorServer, **extra: str) -> str:
    params = {"response_type": "code", "client_id": CLIENT, "redirect_uri": APP_CALLBACK, "state": "st-1",
              "scope": "openid email profile", **extra}
    return f"{emu.url}/oauth2/authorize?{urlencode(params)}"


LANDED = re.compile(rf"^{re.escape(APP_CALLBACK)}\?")


def _submit(page, username: str, password: str) -> None:
    page.fill("#signInFormUsername", username)
    page.fill("#signInFormPassword", password)
    page.click("button[type=submit]")


def test_the_seed_user_signs_in_and_the_code_exchanges_for_tokens(emu: EmulatorServer, page) -> None:
    verifier, challenge = pkce_pair()
    page.goto(_authorize_url(emu, code_challenge=challenge, code_challenge_method="S256"))
    assert page.title() == "Signin"
    assert "managed-login" in page.inner_text(".brand")
    _submit(page, "peroper@hoge.com", "munyamunya")
    page.wait_for_url(LANDED)
    params = callback_params(page.url)
    assert params["state"] == "st-1"
    tokens = httpx.post(f"{emu.url}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": CLIENT, "code": params["code"], "redirect_uri": APP_CALLBACK,
        "code_verifier": verifier}).json()
    assert {"id_token", "access_token", "refresh_token"} <= set(tokens)


def test_the_seed_callback_exactly_as_configured(emu: EmulatorServer, browser) -> None:
    """The seed's own callback (nothing listens on localhost:3000, so the test answers for the app)."""
    context = browser.new_context()
    context.route("http://localhost:3000/**", lambda route: route.fulfill(status=200, content_type="text/html",
                                                                          body="<p>the app</p>"))
    try:
        page = context.new_page()
        page.goto(_authorize_url(emu, redirect_uri=CALLBACK))
        _submit(page, "peroper@hoge.com", "munyamunya")
        page.wait_for_url(re.compile(r"^http://localhost:3000/callback\?"))
        params = callback_params(page.url)
        tokens = httpx.post(f"{emu.url}/oauth2/token", data={
            "grant_type": "authorization_code", "client_id": CLIENT, "code": params["code"], "redirect_uri": CALLBACK})
        assert tokens.status_code == 200 and "id_token" in tokens.json()
    finally:
        context.close()


def test_a_wrong_password_shows_the_error_on_the_page(emu: EmulatorServer, page, tmp_path) -> None:
    page.goto(_authorize_url(emu))
    _submit(page, "peroper@hoge.com", "not-munyamunya")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert alert.inner_text().strip() == "Incorrect username or password."
    assert page.input_value("#signInFormUsername") == "peroper@hoge.com"  # kept for the retry
    assert page.input_value("#signInFormPassword") == ""
    shot = tmp_path / "wrong-password.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    _submit(page, "peroper@hoge.com", "munyamunya")  # the same form, retried, still passes CSRF
    page.wait_for_url(LANDED)


def test_the_force_change_password_user_sees_the_new_password_form(emu: EmulatorServer, page) -> None:
    page.goto(_authorize_url(emu))
    _submit(page, "newbie2@hoge.com", "Temp-Passw0rd!")
    page.locator("#newPassword").wait_for()
    assert page.locator("h1").inner_text() == "Change password"
    page.fill("#newPassword", "weak")
    page.fill("#confirmNewPassword", "weak")
    page.click("button[type=submit]")
    assert "Password not long enough" in page.locator("[role=alert]").inner_text()
    page.fill("#newPassword", "N3w-Passw0rd!")
    page.fill("#confirmNewPassword", "N3w-Passw0rd!")
    page.click("button[type=submit]")
    page.wait_for_url(LANDED)
    assert "code" in callback_params(page.url)
    pool = emu.runtime.store.pool("us-east-1_Example01")
    assert emu.runtime.store.user(pool, "newbie2@hoge.com").status == "CONFIRMED"
    # The new password is the password now, for the API as well.
    assert callback_params(hosted_sign_in(emu.url, "newbie2@hoge.com", "N3w-Passw0rd!", client_id=LEGACY,
                                          response_type="code", redirect_uri=CALLBACK))["code"]


def test_a_signed_in_browser_skips_the_form(emu: EmulatorServer, page) -> None:
    page.goto(_authorize_url(emu))
    _submit(page, "peroper@hoge.com", "munyamunya")
    page.wait_for_url(LANDED)
    first = callback_params(page.url)["code"]
    page.goto(_authorize_url(emu, state="again"))
    page.wait_for_url(LANDED)
    again = callback_params(page.url)
    assert again["state"] == "again" and again["code"] != first
    page.goto(f"{emu.url}/logout?" + urlencode({"client_id": CLIENT, "logout_uri": f"{APP}/"}))
    page.wait_for_url(f"{APP}/")
    page.goto(_authorize_url(emu))
    assert page.locator("#signInFormPassword").is_visible()  # signed out: the form again


@pytest.mark.parametrize(("username", "password", "client", "message"), [
    ("disabled@hoge.com", "Passw0rd!", CLIENT, "User is disabled."),
    ("unconfirmed@hoge.com", "wrong-too", CLIENT, "User is not confirmed."),
    ("reset@hoge.com", "whatever", CLIENT, "Password reset required for the user"),
    ("nobody@hoge.com", "whatever", CLIENT, "Incorrect username or password."),  # ENABLED: no user enumeration
    ("nobody@hoge.com", "whatever", LEGACY, "User does not exist."),
    ("peroper@hoge.com", "", CLIENT, "Missing required parameter PASSWORD"),
])
def test_the_page_refuses_whom_the_api_refuses(emu: EmulatorServer, username: str, password: str, client: str,
                                               message: str) -> None:
    with httpx.Client(base_url=emu.url) as http:
        form_page = http.get("/login", params={"client_id": client, "response_type": "code",
                                               "redirect_uri": CALLBACK})
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form_page.text).group(1)
        response = http.post("/login", params={"client_id": client, "response_type": "code",
                                               "redirect_uri": CALLBACK},
                             data={"_csrf": csrf, "username": username, "password": password})
    assert response.status_code == 200
    assert page_error(response.text) == message
    assert response.headers["x-emulator-reason"]


def _login_form(http: httpx.Client, **params: str) -> tuple[str, dict[str, str]]:
    query = {"client_id": CLIENT, "response_type": "code", "redirect_uri": CALLBACK, **params}
    page = http.get("/login", params=query)
    return re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1), query


def test_a_form_posted_without_the_csrf_cookie_is_refused(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        csrf, query = _login_form(http)
    with httpx.Client(base_url=emu.url) as other_browser:
        response = other_browser.post("/login", params=query, data={
            "_csrf": csrf, "username": "peroper@hoge.com", "password": "munyamunya"})
    assert response.status_code == 403
    assert "sent no XSRF-TOKEN cookie" in response.headers["x-emulator-reason"]


def test_a_form_posted_with_a_forged_token_is_refused(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        _, query = _login_form(http)
        response = http.post("/login", params=query, data={
            "_csrf": "forged", "username": "peroper@hoge.com", "password": "munyamunya"})
    assert response.status_code == 403
    assert "does not match the XSRF-TOKEN cookie" in response.headers["x-emulator-reason"]


def test_a_form_posted_for_other_authorize_parameters_is_refused(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        csrf, query = _login_form(http, state="one")
        response = http.post("/login", params={**query, "state": "two"}, data={
            "_csrf": csrf, "username": "peroper@hoge.com", "password": "munyamunya"})
    assert response.status_code == 403
    assert "different authorize parameters" in response.headers["x-emulator-reason"]


def test_a_login_page_for_a_bad_redirect_uri_is_the_error_page(emu: EmulatorServer) -> None:
    response = httpx.get(f"{emu.url}/login", params={"client_id": CLIENT, "response_type": "code",
                                                     "redirect_uri": "http://localhost:3000/elsewhere"})
    assert response.status_code == 302
    assert response.headers["location"] == f"/error?error=redirect_mismatch&client_id={CLIENT}"


def test_every_value_on_the_page_is_escaped(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        csrf, query = _login_form(http, state='"><script>alert(1)</script>')
        response = http.post("/login", params=query, data={"_csrf": csrf, "username": "<b>x</b>", "password": "p"})
    assert "<script>alert(1)" not in response.text and "<b>x</b>" not in response.text
    assert "&lt;b&gt;x&lt;/b&gt;" in response.text


def test_two_sign_in_tabs_do_not_spoil_each_others_forms(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        first_csrf, first = _login_form(http, state="tab-1")
        second_csrf, second = _login_form(http, state="tab-2")
        assert first_csrf == second_csrf  # one token per browser, bound to both requests
        response = http.post("/login", params=first, data={
            "_csrf": first_csrf, "username": "peroper@hoge.com", "password": "munyamunya"})
    assert response.status_code == 302 and callback_params(response.headers["location"])["state"] == "tab-1"


def test_an_oversized_login_post_is_a_400_page(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        csrf, query = _login_form(http)
        response = http.post("/login", params=query, data={"_csrf": csrf, "username": "u", "password": "p" * 20000})
    assert response.status_code == 400
    assert "larger than" in response.headers["x-emulator-reason"]
