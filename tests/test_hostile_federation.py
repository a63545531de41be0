"""The standing hostile suite for federated sign-in through the hosted UI: /oauth2/idpresponse and the simulated
provider pages with missing, forged, replayed, expired or oversized `state` and `code`, a code of another provider
or pool, open-redirect attempts, hostile text typed as a name or email (escaped wherever it is shown: Chromium
runs no script), and a slow IdP that must not stall other requests. Every one is refused with a reason: never a
5xx, never a code for the app."""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.test_hostile_oidc_idp import _dribble, _slow_idp

pytestmark = pytest.mark.e2e

POOL, OTHER_POOL = "us-east-1_HostileFed", "us-east-1_HostileFe2"
CLIENT, OTHER_CLIENT, CALLBACK = "hostilefedapp", "hostilefedapp2", "http://localhost:3000/callback"
SOCIAL = {"client_secret": "s", "authorize_scopes": "openid email profile"}
HOSTILE = '"><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def _pool(pool_id: str, client_id: str, google_client: str, slow_issuer: str) -> dict:
    slow = {"client_id": "slow", "client_secret": "s", "oidc_issuer": slow_issuer, "authorize_scopes": "openid",
            "attributes_request_method": "GET", "authorize_url": f"{slow_issuer}/authorize",
            "token_url": f"{slow_issuer}/token", "attributes_url": f"{slow_issuer}/userinfo",
            "jwks_uri": f"{slow_issuer}/jwks"}
    return {"Id": pool_id, "Name": pool_id[-6:], "IdentityProviders": [
        {"ProviderName": "Google", "ProviderType": "Google", "ProviderDetails": {"client_id": google_client, **SOCIAL},
         "AttributeMapping": {"email": "email", "name": "name"}},
        {"ProviderName": "Facebook", "ProviderType": "Facebook", "ProviderDetails": {"client_id": "fb", **SOCIAL},
         "AttributeMapping": {"email": "email", "name": "name"}},
        {"ProviderName": "Slow", "ProviderType": "OIDC", "ProviderDetails": slow,
         "AttributeMapping": {"email": "email"}},
        {"ProviderName": "SlowDiscovery", "ProviderType": "OIDC", "AttributeMapping": {"email": "email"},
         "ProviderDetails": {k: slow[k] for k in ("client_id", "client_secret", "oidc_issuer", "authorize_scopes",
                                                  "attributes_request_method")}}],
        "Clients": [{"ClientName": "app", "ClientId": client_id, "AllowedOAuthFlowsUserPoolClient": True,
                     "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
                     "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO", "Google", "Facebook",
                                                                                "Slow", "SlowDiscovery"]}]}


@pytest.fixture(scope="module")
def slow_issuer() -> Iterator[str]:
    with _slow_idp(_dribble) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def emu(slow_issuer: str) -> Iterator[EmulatorServer]:
    config = {"Region": "us-east-1", "UserPools": [_pool(POOL, CLIENT, "google-app", slow_issuer),
                                                   _pool(OTHER_POOL, OTHER_CLIENT, "google-app-2", slow_issuer)]}
    with running_emulator(config) as server:
        yield server


@pytest.fixture
def http(emu: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.url, timeout=30) as client:
        yield client


def _to_idp(http: httpx.Client, provider: str, client: str = CLIENT, **extra: str) -> str:
    query = {"response_type": "code", "client_id": client, "redirect_uri": CALLBACK, "scope": "openid email",
             "state": "app-state", "identity_provider": provider, **extra}
    answer = http.get(f"/oauth2/authorize?{urlencode(query)}")
    assert answer.status_code == 302, answer.headers.get("x-emulator-reason")
    return answer.headers["location"]


def _action(page: str) -> str:
    return re.search(r'<form method="post" action="([^"]*)" novalidate', page).group(1).replace("&amp;", "&")


def _code_for(http: httpx.Client, provider: str, client: str = CLIENT, **form: str) -> tuple[str, str]:
    """(code, state) the simulated provider sends back to /oauth2/idpresponse."""
    page = http.get(_to_idp(http, provider, client))
    back = http.post(_action(page.text), data=form or {"email": "x@example.com"})
    assert back.status_code == 302, back.text[:500]
    query = parse_qs(urlsplit(back.headers["location"]).query)
    return query["code"][0], query["state"][0]


def _refused(answer: httpx.Response, words: str = "") -> None:
    """Refused with a reason: an error page, or the app's callback with error= and no code."""
    assert answer.status_code < 500, answer.text[:300]
    assert answer.headers.get("x-emulator-reason"), answer.headers
    assert words in answer.headers["x-emulator-reason"], answer.headers["x-emulator-reason"]
    if answer.status_code == 302:
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert "code" not in query and query.get("error") == ["invalid_request"], answer.headers["location"]
        assert answer.headers["location"].startswith(CALLBACK)
    else:
        assert answer.status_code == 400


@pytest.mark.parametrize("query", [
    "", "state=", "code=x", "state=forged&code=x", "state=" + "A" * 8000 + "&code=x", "state=x&state=y&code=z",
    "state=%00%ff&code=%00", "error=access_denied", "state=<script>alert(1)</script>",
])
def test_idpresponse_without_a_live_state(query: str, http: httpx.Client) -> None:
    answer = http.get(f"/oauth2/idpresponse?{query}")
    _refused(answer, "no pending sign-in")
    assert "<script>alert" not in answer.text


def test_a_code_is_refused_when_forged_missing_replayed_or_of_another_provider(http: httpx.Client) -> None:
    location = _to_idp(http, "Google")
    state = parse_qs(urlsplit(location).query)["state"][0]
    _refused(http.get(f"/oauth2/idpresponse?state={state}&code=forged"), "unknown, used or expired")
    _refused(http.get(f"/oauth2/idpresponse?state={state}&code=x"), "no pending sign-in")  # the state answered once
    # A Facebook code brought back to a sign-in sent to Google.
    facebook_code, _ = _code_for(http, "Facebook")
    state = parse_qs(urlsplit(_to_idp(http, "Google")).query)["state"][0]
    _refused(http.get(f"/oauth2/idpresponse?state={state}&code={facebook_code}"), "issued by the simulated Facebook")
    # A code redeemed once, brought again with a fresh state.
    code, state = _code_for(http, "Google")
    assert http.get(f"/oauth2/idpresponse?state={state}&code={code}").status_code == 302
    state = parse_qs(urlsplit(_to_idp(http, "Google")).query)["state"][0]
    _refused(http.get(f"/oauth2/idpresponse?state={state}&code={code}"), "unknown, used or expired")


def test_a_code_of_another_pool_or_sign_in_is_refused(http: httpx.Client) -> None:
    other_code, _ = _code_for(http, "Google", OTHER_CLIENT)  # issued to the other pool's Google client_id
    state = parse_qs(urlsplit(_to_idp(http, "Google")).query)["state"][0]
    _refused(http.get(f"/oauth2/idpresponse?state={state}&code={other_code}"), "issued to client_id")
    # The same provider and client, but the code of another sign-in (its nonce).
    code, _ = _code_for(http, "Google")
    state = parse_qs(urlsplit(_to_idp(http, "Google")).query)["state"][0]
    _refused(http.get(f"/oauth2/idpresponse?state={state}&code={code}"), "nonce differs")


def test_an_expired_state_and_code_are_refused(http: httpx.Client) -> None:
    try:
        code, state = _code_for(http, "Google")
        assert http.post("/_emulator/clock", json={"advance": 301}).status_code == 200
        _refused(http.get(f"/oauth2/idpresponse?state={state}&code={code}"), "unknown, used or expired")
        state = parse_qs(urlsplit(_to_idp(http, "Google")).query)["state"][0]
        assert http.post("/_emulator/clock", json={"advance": 3601}).status_code == 200
        _refused(http.get(f"/oauth2/idpresponse?state={state}&code=x"), "no pending sign-in")
    finally:
        http.post("/_emulator/clock", json={"reset": True})


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/callback", CALLBACK + "/../evil", CALLBACK + "?x=1",
                                          "javascript:alert(1)", "//evil.example", CALLBACK.upper()])
def test_authorize_through_an_idp_never_redirects_to_an_unregistered_uri(redirect_uri: str,
                                                                         http: httpx.Client) -> None:
    query = {"response_type": "code", "client_id": CLIENT, "redirect_uri": redirect_uri, "scope": "openid",
             "state": "s", "identity_provider": "Google"}
    answer = http.get(f"/oauth2/authorize?{urlencode(query)}")
    assert "is not one of the CallbackURLs" in answer.headers.get("x-emulator-reason", "")
    # AWS's answer: its own error page, /error?error=redirect_mismatch (never the IdP, never the app)
    assert answer.status_code == 302 and answer.headers["location"].startswith("/error?error=redirect_mismatch")


@pytest.mark.parametrize("provider", ["Okta", "<script>alert(1)</script>", "Google%00", "G" * 5000, "%E2%80%AE"])
def test_the_simulated_page_of_no_provider(provider: str, http: httpx.Client) -> None:
    query = urlencode({"client_id": "c", "redirect_uri": f"{http.base_url}/oauth2/idpresponse", "state": "s"})
    for method in ("GET", "POST"):
        answer = http.request(method, f"/simulated-idp/{provider}/authorize?{query}")
        assert answer.status_code in (400, 404, 414, 431), answer.text[:300]
        assert "<script>alert" not in answer.text


@pytest.mark.parametrize("params", [
    {}, {"client_id": "c"}, {"client_id": "c", "redirect_uri": "x", "state": "s"},
    {"client_id": HOSTILE, "redirect_uri": "/oauth2/idpresponse", "state": HOSTILE},
    {"client_id": "c" * 6000, "redirect_uri": "B/oauth2/idpresponse", "state": "s" * 6000},
])
def test_the_simulated_page_with_bad_parameters(params: dict, http: httpx.Client) -> None:
    params = {k: v.replace("B/", f"{http.base_url}/") if k == "redirect_uri" else v for k, v in params.items()}
    for method in ("GET", "POST"):
        answer = http.request(method, f"/simulated-idp/Google/authorize?{urlencode(params)}", data={"email": "a@b.c"}
                              if method == "POST" else None)
        assert answer.status_code < 500 and "<script>window" not in answer.text
        assert answer.status_code != 302 or answer.headers["location"].startswith(f"{http.base_url}/oauth2/")


@pytest.mark.parametrize(("form", "words"), [
    ({"email": "a" * 3000 + "@example.com"}, "email"),
    ({"email": "a@example.com", "name": "n" * 3000}, "name"),
    ({"email": "a@example.com", "sub": "1" * 21 + "x" * 5000}, "not a Google user id"),
    ({"email": "a@example.com", "name": "\x00\ud800"}, ""),
])
def test_oversized_or_odd_typed_identities_are_refused(form: dict, words: str, http: httpx.Client) -> None:
    page = http.get(_to_idp(http, "Google"))
    back = http.post(_action(page.text), data={k: v.encode("utf-8", "surrogatepass") for k, v in form.items()})
    if back.status_code == 302:
        answer = http.get(back.headers["location"])
        if words in ("email", "name"):
            _refused(answer, words)
        else:
            assert answer.status_code < 500
    else:
        assert back.status_code == 400 and words in back.headers.get("x-emulator-reason", "")


def test_a_slow_idp_stalls_neither_other_requests_nor_the_sign_in_for_ever(http: httpx.Client,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.oauth2 import oidc_relying_party
    monkeypatch.setattr(oidc_relying_party, "FETCH_TIMEOUT_SECONDS", 2.0)
    state = parse_qs(urlsplit(_to_idp(http, "Slow")).query)["state"][0]
    answers: list[httpx.Response] = []
    signing_in = [threading.Thread(target=lambda: answers.append(httpx.get(
        f"{http.base_url}/oauth2/idpresponse?state={state}&code=c", timeout=30))) for _ in range(3)]
    started = time.monotonic()
    for thread in signing_in:
        thread.start()
    time.sleep(0.3)
    for _ in range(5):  # the hosted UI and the API answer meanwhile
        quick = time.monotonic()
        assert http.get(f"/{POOL}/.well-known/jwks.json").status_code == 200
        assert time.monotonic() - quick < 1
    for thread in signing_in:
        thread.join(30)
    assert time.monotonic() - started < 10
    assert answers and all(a.status_code < 500 for a in answers)
    assert any("did not answer within" in a.headers.get("x-emulator-reason", "") for a in answers)


def test_a_slow_discovery_document_ends_the_authorize_request_within_the_deadline(
        http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from emulator.oauth2 import oidc_relying_party
    monkeypatch.setattr(oidc_relying_party, "FETCH_TIMEOUT_SECONDS", 1.0)
    started = time.monotonic()
    query = {"response_type": "code", "client_id": CLIENT, "redirect_uri": CALLBACK, "scope": "openid",
             "state": "s", "identity_provider": "SlowDiscovery"}
    answer = http.get(f"/oauth2/authorize?{urlencode(query)}")
    assert time.monotonic() - started < 5
    # 502: the IdP failed, not the request (the federation module's choice, tests/test_federation_oidc.py)
    assert answer.status_code == 502 and "did not answer within" in answer.headers["x-emulator-reason"]


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None and not __import__("os").path.exists("/usr/bin/chromium"),
                    reason="Chromium is not installed")
def test_hostile_names_run_no_script_in_chromium(emu: EmulatorServer, http: httpx.Client) -> None:
    from playwright.sync_api import sync_playwright
    code, state = _code_for(http, "Facebook", email=f"evil{HOSTILE}@example.com", name=HOSTILE)
    http.get(f"/oauth2/idpresponse?state={state}&code={code}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            query = {"response_type": "code", "client_id": CLIENT, "redirect_uri": CALLBACK, "scope": "openid",
                     "state": HOSTILE, "identity_provider": "Facebook"}
            page.goto(f"{emu.url}/oauth2/authorize?{urlencode(query)}")
            assert "Local simulation of Facebook" in page.content()
            shown = page.locator(".previous-identity button", has_text="window.__pwned=1")
            assert HOSTILE in shown.first.inner_text()  # shown as text, not markup
            assert page.evaluate("window.__pwned") is None and not dialogs
            page.goto(f"{emu.url}/simulated-idp/{HOSTILE.replace('/', '%2F')}/authorize?state={HOSTILE}")
            assert page.evaluate("window.__pwned") is None and not dialogs
        finally:
            browser.close()
