"""Driving the hosted login without a browser, for tests (this project's and its users'):

    location = hosted_sign_in(emu.url, "peroper@hoge.com", "munyamunya", client_id="managedlogin01",
                              response_type="code", redirect_uri="http://localhost:3000/callback",
                              scope="openid email")
    code = callback_params(location)["code"]

It does what a browser does: GET /oauth2/authorize, follow to /login, post the form with its
CSRF token and cookie, and stop at the redirect back to the app. `simulated_social_sign_in` does the same
through a simulated Google / Facebook / Amazon / Apple page. For a user with MFA, pass the code
(or a function that gets an `MfaPrompt` and returns it), e.g. with pyotp:

    hosted_sign_in(emu.url, "tina", "Passw0rd!", mfa_code=lambda p: pyotp.TOTP(SECRET).now(), ...)
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

_CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
_ACTION = re.compile(r'<form method="post" action="([^"]*)"')
_CHALLENGE = re.compile(r'name="challenge" value="([^"]*)"')
_ALERT = re.compile(r'role="alert"[^>]*>.*?<span>(.*?)</span>', re.S)
_MFA_CHALLENGE = re.compile(r'<form method="post"[^>]*data-challenge="([^"]*)"')
_MFA_STEP = re.compile(r'name="mfaStep" value="([^"]*)"')
_SECRET = re.compile(r'data-secret="([^"]*)"')
_URI = re.compile(r'id="totpUri" href="([^"]*)"')
_LEAD = re.compile(r'<p class="lead">(.*?)</p>', re.S)
_CHOICES = re.compile(r'name="mfaType" value="([^"]*)"')
_SIMULATED_ACTION = re.compile(r'<form method="post" action="([^"]*)" novalidate id="simulatedIdentityForm"')
# More MFA pages than this in one sign-in means a callback that keeps answering wrong codes.
MAX_MFA_PAGES = 8


@dataclass(frozen=True)
class MfaPrompt:
    """An MFA page of the hosted login, as `mfa_code` callbacks see it."""

    challenge: str  # SOFTWARE_TOKEN_MFA, SMS_MFA or MFA_SETUP
    text: str  # the page's lead sentence (for SMS_MFA it names the masked phone number)
    secret: str | None = None  # MFA_SETUP: the new TOTP secret (base32)
    otpauth_uri: str | None = None  # MFA_SETUP: the same as an otpauth:// URI
    error: str | None = None  # the error the page shows (after a wrong code)
    attempt: int = 1  # 1 for the first code asked on this page, 2 after one wrong code, ...


MfaCode = str | Callable[[MfaPrompt], str]


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def callback_params(location: str) -> dict[str, str]:
    """The query (or, for implicit grants, the fragment) parameters of a redirect back to the app."""
    parts = urlsplit(location)
    return dict(parse_qsl(parts.fragment or parts.query))


def page_error(page: str) -> str | None:
    """The error message a hosted-UI page shows, if any."""
    found = _ALERT.search(page)
    return html.unescape(found.group(1)) if found else None


def hosted_sign_in(base_url: str, username: str, password: str, new_password: str | None = None,
                   client: httpx.Client | None = None, mfa_code: MfaCode | None = None,
                   mfa_type: str | None = None, **authorize_params: str) -> str:
    """Sign in through the hosted UI; returns the Location of the redirect back to the app (or, for a
    refused authorize request, the redirect to AWS's `/error` page).

    `new_password` answers the new-password form of a FORCE_CHANGE_PASSWORD user. `mfa_code` answers
    the MFA pages: a code, or a function of the `MfaPrompt` (called again after a wrong code, with the
    page's error, so it can retry); `mfa_type` (SMS_MFA or SOFTWARE_TOKEN_MFA) answers the choice a user
    with both factors gets. Pass your own `client` (with base_url) to keep the browser session cookie
    between sign-ins. Raises AssertionError with the page's message when the sign-in stops on a page."""
    own = client is None
    http = client or httpx.Client(base_url=base_url)
    try:
        response = http.get("/oauth2/authorize", params=authorize_params)
        if response.status_code == 302 and urlsplit(response.headers["location"]).path == "/login":
            response = http.get(response.headers["location"])
        if response.status_code == 302:
            return response.headers["location"]
        page = _expect_page(response)
        response = _post(http, page, {"username": username, "password": password})
        if response.status_code != 302 and new_password is not None and _CHALLENGE.search(response.text):
            challenge = html.unescape(_CHALLENGE.search(response.text).group(1))  # type: ignore[union-attr]
            response = _post(http, response.text, {"challenge": challenge, "newPassword": new_password,
                                                   "confirmNewPassword": new_password})
        response = _answer_mfa(http, response, mfa_code, mfa_type)
        if response.status_code != 302:
            raise AssertionError(f"sign-in stopped on a page ({response.status_code}): "
                                 f"{page_error(response.text) or response.text[:200]}")
        return response.headers["location"]
    finally:
        if own:
            http.close()


def simulated_social_sign_in(base_url: str, provider: str, email: str = "", name: str = "", sub: str = "",
                             client: httpx.Client | None = None, **authorize_params: str) -> str:
    """Sign in through a simulated social provider (Google, Facebook, LoginWithAmazon or SignInWithApple) as the
    account `email` / `name` / `sub` (an empty `sub`: the account used before with that email, or a new one);
    returns the Location of the redirect back to the app. Raises AssertionError with the reason otherwise."""
    own = client is None
    http = client or httpx.Client(base_url=base_url)
    try:
        response = http.get("/oauth2/authorize", params={**authorize_params, "identity_provider": provider})
        location = response.headers.get("location", "")
        if response.status_code != 302 or not urlsplit(location).path.startswith("/simulated-idp/"):
            raise AssertionError(f"/oauth2/authorize did not send the browser to the simulated {provider}: "
                                 f"{response.status_code} {location} ({response.headers.get('x-emulator-reason')})")
        page = http.get(location)
        action = _SIMULATED_ACTION.search(page.text)
        if page.status_code != 200 or action is None:
            raise AssertionError(f"the simulated {provider} page failed: {page.headers.get('x-emulator-reason')}")
        back = http.post(urljoin(str(http.base_url), html.unescape(action.group(1))),
                         data={"email": email, "name": name, "sub": sub})
        if back.status_code != 302:
            raise AssertionError(f"the simulated {provider} refused the account: {page_error(back.text)}")
        response = http.get(back.headers["location"])
        if response.status_code != 302:
            raise AssertionError(f"/oauth2/idpresponse answered {response.status_code}: "
                                 f"{response.headers.get('x-emulator-reason')}")
        return response.headers["location"]
    finally:
        if own:
            http.close()


def mfa_prompt(page: str, attempt: int = 1) -> MfaPrompt | None:
    """The MFA page's challenge and details, or None when `page` is not an MFA page."""
    found = _MFA_CHALLENGE.search(page)
    if found is None or not _MFA_STEP.search(page):
        return None

    def first(pattern: re.Pattern[str]) -> str | None:
        match = pattern.search(page)
        return html.unescape(match.group(1)) if match else None

    lead = first(_LEAD) or ""
    return MfaPrompt(challenge=html.unescape(found.group(1)), text=lead, secret=first(_SECRET),
                     otpauth_uri=first(_URI), error=page_error(page), attempt=attempt)


def _answer_mfa(http: httpx.Client, response: httpx.Response, mfa_code: MfaCode | None,
                mfa_type: str | None) -> httpx.Response:
    """Answer MFA pages until the sign-in leaves them (the redirect, or any other page)."""
    attempt = 1
    for _ in range(MAX_MFA_PAGES):
        prompt = mfa_prompt(response.text, attempt) if response.status_code == 200 else None
        if prompt is None:
            return response
        if prompt.challenge == "SELECT_MFA_TYPE":
            choices = [html.unescape(c) for c in _CHOICES.findall(response.text)]
            if mfa_type is None:
                raise AssertionError(f"the sign-in asks to choose an MFA type {choices}; pass mfa_type")
            response, attempt = _post(http, response.text, {"mfaStep": _step(response.text), "mfaType": mfa_type}), 1
            continue
        if mfa_code is None:
            raise AssertionError(f"the sign-in asks for a {prompt.challenge} code; pass mfa_code")
        if prompt.error and isinstance(mfa_code, str):
            raise AssertionError(f"the {prompt.challenge} code was refused: {prompt.error}")
        code = mfa_code(prompt) if callable(mfa_code) else mfa_code
        response = _post(http, response.text, {"mfaStep": _step(response.text), "mfaCode": code})
        attempt += 1
    raise AssertionError(f"the sign-in stayed on MFA pages for {MAX_MFA_PAGES} answers: "
                         f"{page_error(response.text)}")


def _step(page: str) -> str:
    return html.unescape(_MFA_STEP.search(page).group(1))  # type: ignore[union-attr]


def _expect_page(response: httpx.Response) -> str:
    if response.status_code != 200 or not _CSRF.search(response.text):
        raise AssertionError(f"expected the login page, got {response.status_code} "
                             f"{response.headers.get('location') or response.text[:200]} "
                             f"({response.headers.get('x-emulator-reason')})")
    return response.text


def _post(http: httpx.Client, page: str, fields: dict[str, str]) -> httpx.Response:
    csrf = html.unescape(_CSRF.search(page).group(1))  # type: ignore[union-attr]
    action = html.unescape(_ACTION.search(page).group(1))  # type: ignore[union-attr]
    return http.post(urljoin(str(http.base_url), action), data={"_csrf": csrf, **fields})
