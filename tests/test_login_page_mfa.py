"""The hosted login's second factor: the authenticator-app form (SOFTWARE_TOKEN_MFA), the SMS form (SMS_MFA),
the choice between them (SELECT_MFA_TYPE) and TOTP set-up inside the sign-in (MFA_SETUP), over plain HTTP as a
browser posts them (hosted_sign_in), the code exchanged at /oauth2/token; and the TOTP page in headless Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pyotp
import pytest

from emulator.oauth2.login import otpauth_uri
from emulator.oauth2.testing import MfaPrompt, callback_params, hosted_sign_in, mfa_prompt, page_error, pkce_pair
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.app_callback import serving_app
from tests.conftest import cognito_client

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

POOL = "us-east-1_LoginMfa01"
ON_POOL = "us-east-1_LoginMfaOn1"
CLIENT = "mfaloginapp01"
ON_CLIENT = "mfaloginon01"
CALLBACK = "http://localhost:3000/callback"  # nothing listens there: HTTP-level tests stop at the redirect
PASSWORD = "Correct-Horse1"
SEED_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PHONE = "+15555550008"
MASKED = "+*******0008"
CHROMIUM = "/usr/bin/chromium"
APP_PORT = free_port()
APP_CALLBACK = f"http://127.0.0.1:{APP_PORT}/callback"


# -- a running emulator whose clock the tests move -----------------------------------------------------

SHIFT = {"seconds": 0.0}  # only ever moves forward: a TOTP step once used stays used


def clock() -> float:
    return time.time() + SHIFT["seconds"]


def tick(steps: int = 1) -> None:
    """Move the emulator's clock (and the codes the tests compute) on by whole TOTP steps."""
    SHIFT["seconds"] += 30 * steps


def totp_now(secret: str = SEED_TOTP) -> str:
    return pyotp.TOTP(secret).at(clock())


def wrong_code(secret: str = SEED_TOTP) -> str:
    # Not the code of this step nor of the ones either side (the accepted window).
    taken = {pyotp.TOTP(secret).at(clock() + 30 * d) for d in (-1, 0, 1)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 111)) if c not in taken)


def _config() -> dict[str, Any]:
    def users(*names: str, **extra: Any) -> list[dict[str, Any]]:
        return [{"Username": n, "Password": PASSWORD, **extra} for n in names]

    totp = {"MFA": {"SoftwareTokenSecret": SEED_TOTP, "PreferredMfa": "SOFTWARE_TOKEN_MFA"}}
    sms = {"MFA": {"SmsMfa": True}, "UserAttributes": {"phone_number": PHONE}}
    both = {"MFA": {"SoftwareTokenSecret": SEED_TOTP, "SmsMfa": True}, "UserAttributes": {"phone_number": PHONE}}

    def client(client_id: str) -> dict[str, Any]:
        return {"ClientName": f"{client_id}-app", "ClientId": client_id, "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthFlows": ["code", "implicit"], "AllowedOAuthScopes": ["openid", "email", "phone"],
                "CallbackURLs": [CALLBACK, APP_CALLBACK],
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}

    return {"UserPools": [{
        "Id": POOL, "Name": "login-mfa", "MfaConfiguration": "OPTIONAL",
        "Users": [
            *users("tina", "tina-retry", "tina-value", "tina-limit", "tina-session", "tina-used", "tina-empty",
                   "tina-late", "tina-implicit", "tina-csrf", "tina-browser", **totp),
            *users("sam", "sam-retry", **sms),
            *users("both", "both-totp", **both),
            *users("plain"),
            {"Username": "newbie-totp", "TemporaryPassword": "Temp-Passw0rd!", **totp},
        ],
        "Clients": [client(CLIENT)],
    }, {
        "Id": ON_POOL, "Name": "login-mfa-required", "MfaConfiguration": "ON",
        "Users": [*users("fresh", "fresh-wrong"),
                  {"Username": "fresh-mail", "Password": PASSWORD, "UserAttributes": {"email": "fm@hoge.com"}}],
        "Clients": [client(ON_CLIENT)],
    }]}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(_config(), clock=clock) as server:
        yield server


def authorize(client_id: str = CLIENT, **extra: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK, "state": "st-mfa",
            "scope": "openid email phone", **extra}


def sms_code(emu: EmulatorServer, username: str, pool: str = POOL) -> str:
    """The SMS code the emulator 'sent', read through its emulator-only endpoint."""
    got = httpx.get(f"{emu.url}/_emulator/codes/latest", params={"pool_id": pool, "username": username,
                                                                 "purpose": "sms_mfa"})
    assert got.status_code == 200, got.text
    return got.json()["code"]


def exchange(emu: EmulatorServer, location: str, verifier: str | None = None, client_id: str = CLIENT) -> dict:
    params = callback_params(location)
    assert params["state"] == "st-mfa"
    form = {"grant_type": "authorization_code", "client_id": client_id, "code": params["code"],
            "redirect_uri": CALLBACK, **({"code_verifier": verifier} if verifier else {})}
    response = httpx.post(f"{emu.url}/oauth2/token", data=form)
    assert response.status_code == 200, response.text
    return response.json()


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


class Browser:
    """An httpx client that walks the login pages like a browser: cookies kept, forms posted with their CSRF."""

    def __init__(self, emu: EmulatorServer, **params: str) -> None:
        self.http = httpx.Client(base_url=emu.url)
        self.params = authorize(**params)
        self.page = self.http.get("/login", params=self.params)
        assert self.page.status_code == 200

    def post(self, **fields: str) -> httpx.Response:
        csrf = re.search(r'name="_csrf" value="([^"]*)"', self.page.text).group(1)
        response = self.http.post("/login", params=self.params, data={"_csrf": csrf, **fields})
        if response.status_code == 200:
            self.page = response
        return response

    def password(self, username: str, password: str = PASSWORD) -> httpx.Response:
        return self.post(username=username, password=password)

    def step(self) -> str:
        return re.search(r'name="mfaStep" value="([^"]*)"', self.page.text).group(1)

    def code(self, code: str) -> httpx.Response:
        return self.post(mfaStep=self.step(), mfaCode=code)

    def close(self) -> None:
        self.http.close()


@pytest.fixture()
def browser(emu: EmulatorServer) -> Iterator[Any]:
    opened: list[Browser] = []

    def open_browser(**params: str) -> Browser:
        opened.append(Browser(emu, **params))
        return opened[-1]

    yield open_browser
    for b in opened:
        b.close()


# -- the otpauth:// URI, pure ---------------------------------------------------------------------------


@pytest.mark.parametrize(("account", "issuer", "expected"), [
    ("tina", "login-mfa", "otpauth://totp/login-mfa:tina?secret=S&issuer=login-mfa"),
    ("fm@hoge.com", "my pool", "otpauth://totp/my%20pool:fm@hoge.com?secret=S&issuer=my%20pool"),
    ("a/b?c", "x&y", "otpauth://totp/x%26y:a%2Fb%3Fc?secret=S&issuer=x%26y"),
])
def test_otpauth_uri_is_googles_key_uri_format(account: str, issuer: str, expected: str) -> None:
    uri = otpauth_uri(SEED_TOTP, account, issuer)
    assert uri == expected.replace("secret=S", f"secret={SEED_TOTP}")
    parsed = pyotp.parse_uri(uri)  # what authenticator apps read from it
    assert parsed.secret == SEED_TOTP and parsed.issuer == issuer and parsed.name == account


# -- SOFTWARE_TOKEN_MFA ----------------------------------------------------------------------------------


def test_a_totp_user_answers_the_authenticator_form_and_the_code_exchanges(emu: EmulatorServer) -> None:
    prompts: list[MfaPrompt] = []

    def authenticator(prompt: MfaPrompt) -> str:
        prompts.append(prompt)
        return totp_now()

    verifier, challenge = pkce_pair()
    location = hosted_sign_in(emu.url, "tina", PASSWORD, mfa_code=authenticator,
                              **authorize(code_challenge=challenge, code_challenge_method="S256"))
    assert [p.challenge for p in prompts] == ["SOFTWARE_TOKEN_MFA"]
    assert "authenticator app" in prompts[0].text and prompts[0].error is None
    tokens = exchange(emu, location, verifier)
    assert claims(tokens["id_token"])["cognito:username"] == "tina"
    assert claims(tokens["access_token"])["username"] == "tina"
    assert tokens["refresh_token"]


def test_the_mfa_sign_in_is_remembered_in_the_browser_session(emu: EmulatorServer) -> None:
    with httpx.Client(base_url=emu.url) as http:
        first = hosted_sign_in(emu.url, "tina-session", PASSWORD, client=http, mfa_code=lambda _: totp_now(),
                               **authorize())
        assert http.cookies.get("cognito")
        # The next authorize of this browser goes straight back to the app: no password, no code.
        again = http.get("/oauth2/authorize", params=authorize(state="again"))
    assert again.status_code == 302
    assert callback_params(again.headers["location"])["code"] != callback_params(first)["code"]


def test_a_wrong_totp_code_shows_aws_error_and_the_retry_signs_in(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    page = b.password("tina-retry")
    assert page.status_code == 200 and mfa_prompt(page.text).challenge == "SOFTWARE_TOKEN_MFA"
    assert 'autocomplete="one-time-code"' in page.text
    refused = b.code(wrong_code())
    assert refused.status_code == 200
    assert page_error(refused.text) == "Invalid code received for user"
    assert "is not the TOTP code of user 'tina-retry'" in refused.headers["x-emulator-reason"]
    assert mfa_prompt(refused.text).challenge == "SOFTWARE_TOKEN_MFA"  # the same form, for another try
    done = b.code(totp_now())
    assert done.status_code == 302
    assert callback_params(done.headers["location"])["code"]


def test_hosted_sign_in_passes_the_error_to_a_retrying_callback(emu: EmulatorServer) -> None:
    prompts: list[MfaPrompt] = []

    def clumsy(prompt: MfaPrompt) -> str:
        prompts.append(prompt)
        return wrong_code() if prompt.attempt == 1 else totp_now()

    tick()  # tina-retry used this step's code above
    location = hosted_sign_in(emu.url, "tina-retry", PASSWORD, mfa_code=clumsy, **authorize())
    assert [(p.attempt, p.error) for p in prompts] == [(1, None), (2, "Invalid code received for user")]
    assert exchange(emu, location)["access_token"]


def test_a_wrong_code_given_as_a_value_stops_with_the_page_message(emu: EmulatorServer) -> None:
    with pytest.raises(AssertionError, match="code was refused: Invalid code received for user"):
        hosted_sign_in(emu.url, "tina-value", PASSWORD, mfa_code=wrong_code(), **authorize())
    with pytest.raises(AssertionError, match="asks for a SOFTWARE_TOKEN_MFA code; pass mfa_code"):
        hosted_sign_in(emu.url, "tina-value", PASSWORD, **authorize())


def test_five_wrong_codes_spend_the_challenge_and_the_sign_in_starts_again(emu: EmulatorServer,
                                                                           browser: Any) -> None:
    b = browser()
    b.password("tina-limit")
    for _ in range(4):
        assert page_error(b.code(wrong_code()).text) == "Invalid code received for user"
        assert mfa_prompt(b.page.text) is not None
    fifth = b.code(wrong_code())
    assert fifth.status_code == 200
    assert page_error(fifth.text) == "Invalid code received for user"
    assert mfa_prompt(fifth.text) is None and 'id="signInFormPassword"' in fifth.text  # the login form again
    assert "starts again at the login form" in fifth.headers["x-emulator-reason"]
    # The password again, then a right code: signed in.
    b.password("tina-limit")
    assert b.code(totp_now()).status_code == 302


def test_a_totp_code_used_once_is_refused_on_the_next_sign_in(emu: EmulatorServer, browser: Any) -> None:
    used = totp_now()
    assert hosted_sign_in(emu.url, "tina-used", PASSWORD, mfa_code=used, **authorize())
    b = browser()
    b.password("tina-used")
    refused = b.code(used)
    assert page_error(refused.text) == "Your software token has already been used once."
    assert "already used" in refused.headers["x-emulator-reason"]
    tick()
    assert b.code(totp_now()).status_code == 302


def test_an_empty_code_is_named_and_costs_no_try(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    b.password("tina-empty")
    for _ in range(6):  # more than the five tries a challenge takes
        empty = b.code("  ")
        assert page_error(empty.text) == "Missing required parameter SOFTWARE_TOKEN_MFA_CODE"
        assert empty.headers["x-emulator-reason"] == "the form was posted without a code"
    assert b.code(totp_now()).status_code == 302


def test_a_challenge_past_auth_session_validity_sends_the_user_back(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    b.password("tina-late")
    tick(7)  # AuthSessionValidity defaults to 3 minutes
    late = b.code(totp_now())
    assert late.status_code == 200
    assert page_error(late.text) == "Invalid session for the user, session is expired."
    assert 'id="signInFormPassword"' in late.text


def test_the_new_password_user_then_answers_the_totp_form(emu: EmulatorServer) -> None:
    location = hosted_sign_in(emu.url, "newbie-totp", "Temp-Passw0rd!", new_password="N3w-Passw0rd!",
                              mfa_code=lambda _: totp_now(), **authorize())
    assert claims(exchange(emu, location)["id_token"])["cognito:username"] == "newbie-totp"


def test_the_implicit_grant_after_a_code_returns_tokens_in_the_fragment(emu: EmulatorServer) -> None:
    location = hosted_sign_in(emu.url, "tina-implicit", PASSWORD, mfa_code=lambda _: totp_now(),
                              **authorize(response_type="token"))
    fragment = parse_qs(urlsplit(location).fragment)
    assert claims(fragment["access_token"][0])["username"] == "tina-implicit"


# -- SMS_MFA -----------------------------------------------------------------------------------------


def test_an_sms_user_gets_the_code_sent_to_the_masked_phone(emu: EmulatorServer) -> None:
    prompts: list[MfaPrompt] = []

    def phone(prompt: MfaPrompt) -> str:
        prompts.append(prompt)
        return sms_code(emu, "sam")

    location = hosted_sign_in(emu.url, "sam", PASSWORD, mfa_code=phone, **authorize())
    assert [p.challenge for p in prompts] == ["SMS_MFA"]
    assert prompts[0].text == (f"We have delivered the authentication code by SMS to {MASKED}. Please enter the "
                               "code to complete authentication.")
    id_claims = claims(exchange(emu, location)["id_token"])
    assert id_claims["cognito:username"] == "sam"
    assert id_claims["phone_number_verified"] is True  # a phone that got the code is a verified phone


def test_a_wrong_sms_code_shows_aws_error_and_the_retry_signs_in(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    b.password("sam-retry")
    code = sms_code(emu, "sam-retry")
    refused = b.code("000000" if code != "000000" else "111111")
    assert page_error(refused.text) == "Invalid code or auth state for the user."
    assert "is not the SMS code last sent to user 'sam-retry'" in refused.headers["x-emulator-reason"]
    assert MASKED in refused.text
    done = b.code(code)
    assert done.status_code == 302 and callback_params(done.headers["location"])["code"]


# -- SELECT_MFA_TYPE ---------------------------------------------------------------------------------


def test_a_user_with_both_factors_chooses_sms(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    page = b.password("both")
    assert mfa_prompt(page.text).challenge == "SELECT_MFA_TYPE"
    assert re.findall(r'name="mfaType" value="([^"]*)"', page.text) == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    chosen = b.post(mfaStep=b.step(), mfaType="SMS_MFA")
    assert mfa_prompt(chosen.text).challenge == "SMS_MFA" and MASKED in chosen.text
    done = b.code(sms_code(emu, "both"))
    assert done.status_code == 302


def test_a_user_with_both_factors_chooses_the_authenticator_through_hosted_sign_in(emu: EmulatorServer) -> None:
    seen: list[str] = []

    def answer(prompt: MfaPrompt) -> str:
        seen.append(prompt.challenge)
        return totp_now()

    location = hosted_sign_in(emu.url, "both-totp", PASSWORD, mfa_code=answer, mfa_type="SOFTWARE_TOKEN_MFA",
                              **authorize())
    assert seen == ["SOFTWARE_TOKEN_MFA"]
    assert exchange(emu, location)["access_token"]
    with pytest.raises(AssertionError, match=r"choose an MFA type \['SMS_MFA', 'SOFTWARE_TOKEN_MFA'\]"):
        hosted_sign_in(emu.url, "both-totp", PASSWORD, mfa_code=answer, **authorize())


def test_a_choice_not_offered_is_refused_and_the_choice_stays_open(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    b.password("both")
    refused = b.post(mfaStep=b.step(), mfaType="EMAIL_OTP")
    assert page_error(refused.text) == "Invalid MFA type selected."
    assert "MFAS_CAN_CHOOSE" in refused.headers["x-emulator-reason"]
    chosen = b.post(mfaStep=b.step(), mfaType="SMS_MFA")
    assert mfa_prompt(chosen.text).challenge == "SMS_MFA"


# -- MFA_SETUP (MfaConfiguration ON, a user without a factor) -------------------------------------------


def test_a_user_without_a_factor_sets_up_totp_inside_the_sign_in(emu: EmulatorServer) -> None:
    prompts: list[MfaPrompt] = []

    def new_authenticator(prompt: MfaPrompt) -> str:
        prompts.append(prompt)
        return pyotp.TOTP(prompt.secret).at(clock())

    location = hosted_sign_in(emu.url, "fresh", PASSWORD, mfa_code=new_authenticator, **authorize(ON_CLIENT))
    [prompt] = prompts
    assert prompt.challenge == "MFA_SETUP"
    assert re.fullmatch(r"[A-Z2-7]{52}", prompt.secret)
    assert prompt.otpauth_uri == f"otpauth://totp/login-mfa-required:fresh?secret={prompt.secret}" \
                                 "&issuer=login-mfa-required"
    assert exchange(emu, location, client_id=ON_CLIENT)["id_token"]
    # TOTP is the user's factor now, for the API as well.
    tick()
    first = cognito_client(emu.url).initiate_auth(ClientId=ON_CLIENT, AuthFlow="USER_PASSWORD_AUTH",
                                                  AuthParameters={"USERNAME": "fresh", "PASSWORD": PASSWORD})
    assert first["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_the_setup_account_name_is_the_email_when_there_is_one(emu: EmulatorServer, browser: Any) -> None:
    b = browser(client_id=ON_CLIENT)
    prompt = mfa_prompt(b.password("fresh-mail").text)
    assert prompt.otpauth_uri.startswith("otpauth://totp/login-mfa-required:fm@hoge.com?")


def test_a_wrong_setup_code_shows_aws_error_and_keeps_the_secret(emu: EmulatorServer, browser: Any) -> None:
    b = browser(client_id=ON_CLIENT)
    prompt = mfa_prompt(b.password("fresh-wrong").text)
    refused = b.code(wrong_code(prompt.secret))
    assert page_error(refused.text) == "Code mismatch and fail enable Software Token MFA"
    assert "is not the TOTP code of user 'fresh-wrong'" in refused.headers["x-emulator-reason"]
    assert mfa_prompt(refused.text).secret == prompt.secret  # the same secret, for another try
    done = b.code(pyotp.TOTP(prompt.secret).at(clock()))
    assert done.status_code == 302


# -- the forms stay bound to their browser and login request ----------------------------------------------


def test_an_mfa_form_posted_without_the_csrf_cookie_is_refused(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    b.password("tina-csrf")
    csrf = re.search(r'name="_csrf" value="([^"]*)"', b.page.text).group(1)
    with httpx.Client(base_url=emu.url) as other:
        response = other.post("/login", params=b.params, data={"_csrf": csrf, "mfaStep": b.step(),
                                                               "mfaCode": totp_now()})
    assert response.status_code == 403
    assert "sent no XSRF-TOKEN cookie" in response.headers["x-emulator-reason"]


def test_an_mfa_step_of_another_login_request_is_refused(emu: EmulatorServer, browser: Any) -> None:
    b = browser(state="one")
    b.password("tina-csrf")
    step = b.step()
    other = browser(state="two")
    response = other.post(mfaStep=step, mfaCode=totp_now())
    assert page_error(response.text) == "Invalid session for the user, session is expired."
    assert "belongs to another login request" in response.headers["x-emulator-reason"]
    assert b.code(totp_now()).status_code == 302  # the right request still works


def test_an_mfa_step_cannot_answer_the_new_password_form(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    b.password("tina-csrf")
    response = b.post(challenge=b.step(), newPassword="N3w-Passw0rd!", confirmNewPassword="N3w-Passw0rd!")
    assert page_error(response.text) == "Invalid session for the user, session is expired."
    assert response.headers["x-emulator-reason"].startswith("the new-password step is unknown")


def test_a_forged_step_is_refused(emu: EmulatorServer, browser: Any) -> None:
    b = browser()
    response = b.post(mfaStep="forged", mfaCode="123456")
    assert page_error(response.text) == "Invalid session for the user, session is expired."
    assert 'id="signInFormPassword"' in response.text


def test_a_user_without_mfa_still_goes_straight_to_the_app(emu: EmulatorServer) -> None:
    assert callback_params(hosted_sign_in(emu.url, "plain", PASSWORD, **authorize()))["code"]


def test_every_value_on_the_mfa_pages_is_escaped(emu: EmulatorServer, browser: Any) -> None:
    b = browser(state='"><script>alert(1)</script>')
    page = b.password("tina-csrf")
    assert mfa_prompt(page.text) is not None
    assert "<script>alert(1)" not in page.text


# -- a real browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app() -> Iterator[str]:
    with serving_app(APP_PORT) as callback:
        yield callback


def test_the_totp_form_in_a_real_browser(emu: EmulatorServer, app: str, tmp_path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    verifier, challenge = pkce_pair()
    url = f"{emu.url}/oauth2/authorize?" + urlencode(authorize(redirect_uri=app, code_challenge=challenge,
                                                               code_challenge_method="S256"))
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = chromium.new_page()
            page.goto(url)
            page.fill("#signInFormUsername", "tina-browser")
            page.fill("#signInFormPassword", PASSWORD)
            page.click("button[type=submit]")
            page.locator("#mfaCode").wait_for()
            assert page.title() == "Multi-factor authentication"
            assert "authenticator app" in page.inner_text(".lead")
            page.fill("#mfaCode", wrong_code())
            page.click("button[type=submit]")
            alert = page.locator("[role=alert]")
            alert.wait_for()
            assert alert.inner_text().strip() == "Invalid code received for user"
            assert page.input_value("#mfaCode") == ""
            shot = tmp_path / "totp-wrong-code.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            page.fill("#mfaCode", totp_now())
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(rf"^{re.escape(app)}\?"))
            params = callback_params(page.url)
        finally:
            chromium.close()
    response = httpx.post(f"{emu.url}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": CLIENT, "code": params["code"], "redirect_uri": app,
        "code_verifier": verifier})
    assert response.status_code == 200
    assert claims(response.json()["id_token"])["cognito:username"] == "tina-browser"
