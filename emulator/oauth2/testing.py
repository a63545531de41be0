"""Driving the hosted login without a browser, for tests (this project's and its users'):

    location = hosted_sign_in(emu.url, "peroper@hoge.com", "munyamunya", client_id="managedlogin01",
                              redirect_uri="http://localhost:3000/callback", scope="openid email")
    code = callback_params(location)["code"]

It does what a browser does: GET /oauth2/authorize, follow to /login, post the form with its
CSRF token and cookie, and stop at the redirect back to the app.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

_CSRF = re.compile(r'name="_csrf" value="([^"]*)"')
_ACTION = re.compile(r'<form method="post" action="([^"]*)"')
_CHALLENGE = re.compile(r'name="challenge" value="([^"]*)"')
_ALERT = re.compile(r'role="alert"[^>]*>.*?<span>(.*?)</span>', re.S)


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
                   client: httpx.Client | None = None, **authorize_params: str) -> str:
    """Sign in through the hosted UI; returns the Location of the redirect back to the app (or, for a
    refused authorize request, the redirect to AWS's `/error` page).

    `new_password` answers the new-password form of a FORCE_CHANGE_PASSWORD user. Pass your own
    `client` (with base_url) to keep the browser session cookie between sign-ins. Raises
    AssertionError with the page's message when the sign-in stops on a page."""
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
        if response.status_code != 302:
            raise AssertionError(f"sign-in stopped on a page ({response.status_code}): "
                                 f"{page_error(response.text) or response.text[:200]}")
        return response.headers["location"]
    finally:
        if own:
            http.close()


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
