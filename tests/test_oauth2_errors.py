"""Every OAuth2 rejection: AWS's status and body (or redirect), and the plain-words x-emulator-reason.
Pure decisions are tested with tables; hostile HTTP input through the real server."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.model import AppClient
from emulator.oauth2 import grants
from emulator.oauth2.authorize import AuthorizeRequest, ErrorPage, RedirectError, decide_authorize
from emulator.oauth2.clientauth import ClientCredentials, check_client_secret, parse_basic, presented_credentials
from emulator.oauth2.errors import OAuthError
from emulator.oauth2.grants import CodeGrant
from emulator.oauth2.httpio import MAX_FORM_BYTES
from emulator.oauth2.pkce import challenge_problem, s256, verifier_problem
from emulator.oauth2.testing import callback_params, hosted_sign_in, pkce_pair
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config

pytestmark = pytest.mark.e2e

CALLBACK = "http://localhost:3000/callback"
SPA = "spapublic01"
CC, CC_SECRET = "testserver01", "testserversecret0123456789"
WEB, WEB_SECRET = "webconfidential01", "webconfidentialsecret0123456789"


def _config() -> dict:
    data = bundled_config()
    data["UserPools"][0]["Clients"] += [
        {"ClientName": "spa", "ClientId": SPA, "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
         "AllowedOAuthScopes": ["openid", "email"], "CallbackURLs": [CALLBACK]},
        {"ClientName": "web", "ClientId": WEB, "ClientSecret": WEB_SECRET, "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK]},
        {"ClientName": "api-only", "ClientId": "apionly01", "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH",
                                                                                   "ALLOW_REFRESH_TOKEN_AUTH"],
         "CallbackURLs": [CALLBACK]},
    ]
    return data


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorServer]:
    with running_emulator(_config()) as server:
        yield server


@pytest.fixture(scope="module")
def http(emu: EmulatorServer) -> Iterator[httpx.Client]:
    """One connection for the many requests of the property tests (a new httpx client costs ~20 ms)."""
    with httpx.Client(base_url=emu.url) as client:
        yield client


def _token(emu: EmulatorServer, **kwargs) -> httpx.Response:
    return httpx.post(f"{emu.url}/oauth2/token", **kwargs)


def _assert_error(response: httpx.Response, error: str, why: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": error}
    assert why in response.headers["x-emulator-reason"], response.headers["x-emulator-reason"]


def _code(emu: EmulatorServer, client_id: str = SPA, **params: str) -> str:
    location = hosted_sign_in(emu.url, "peroper@hoge.com", "munyamunya", client_id=client_id, response_type="code",
                              redirect_uri=CALLBACK, **params)
    return callback_params(location)["code"]


# -- the token endpoint, through HTTP -----------------------------------------------------------


def test_wrong_secret(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, "wrong"), data={"grant_type": "client_credentials"}),
                  "invalid_client", "is not the secret of client 'test-server'")


def test_missing_secret_for_a_client_that_has_one(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "client_credentials", "client_id": CC}),
                  "invalid_client", "has a secret")


def test_secret_sent_for_a_client_without_one(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "client_secret": "x",
                                    "code": "c", "redirect_uri": CALLBACK}),
                  "invalid_client", "has no secret")


def test_unknown_client(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=("nosuchclient", "x"), data={"grant_type": "client_credentials"}),
                  "invalid_client", "no app client with id 'nosuchclient'")


def test_control_characters_from_the_client_are_escaped_in_the_reason(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "client_credentials", "client_id": "a\x00b\x7f"}),
                  "invalid_client", "no app client with id 'a\\x00b\\x7f'")


def test_no_client_at_all(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "client_credentials"}), "invalid_client", "names no client")


@pytest.mark.parametrize(("header", "why"), [
    ("Basic !!!notbase64", "not valid base64"),
    ("Basic " + base64.b64encode(b"no-colon").decode(), "without ':'"),
    ("Bearer abc", "uses scheme 'Bearer'"),
])
def test_malformed_authorization_header(emu: EmulatorServer, header: str, why: str) -> None:
    _assert_error(_token(emu, headers={"Authorization": header}, data={"grant_type": "client_credentials"}),
                  "invalid_client", why)


def test_basic_and_body_name_different_clients(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), data={"grant_type": "client_credentials", "client_id": WEB}),
                  "invalid_client", "but the body's client_id")


def test_missing_grant_type(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), data={"scope": "test_resource/test"}),
                  "invalid_request", "has no grant_type")


def test_unsupported_grant_type(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), data={"grant_type": "password", "username": "u"}),
                  "unsupported_grant_type", "grant_type 'password' is not one Cognito supports")


def test_wrong_content_type(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), json={"grant_type": "client_credentials"}),
                  "invalid_request", "sent as application/json")


def test_oversized_body(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), data={"grant_type": "client_credentials",
                                                         "scope": "x" * (MAX_FORM_BYTES + 1)}),
                  "invalid_request", "larger than")


def test_oversized_chunked_body(emu: EmulatorServer) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"grant_type=client_credentials&scope="
        for _ in range(40):
            yield b"a" * 1024

    _assert_error(_token(emu, auth=(CC, CC_SECRET), content=chunks(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"}),
                  "invalid_request", "larger than")


def test_body_that_is_not_utf8(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), content=b"grant_type=client_credentials&scope=\xff\xfe",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}),
                  "invalid_request", "not UTF-8")


def test_repeated_parameter(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), content=b"grant_type=client_credentials&grant_type=x",
                         headers={"Content-Type": "application/x-www-form-urlencoded"}),
                  "invalid_request", "'grant_type' is given more than once")


def test_parameters_in_the_query_string_are_read_too(emu: EmulatorServer) -> None:
    response = _token(emu, params={"grant_type": "client_credentials"},
                      data={"client_id": CC, "client_secret": CC_SECRET})
    assert response.status_code == 200


def test_a_get_is_not_a_token_request(emu: EmulatorServer) -> None:
    assert httpx.get(f"{emu.url}/oauth2/token").status_code == 405


def test_scope_not_allowed(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, auth=(CC, CC_SECRET), data={"grant_type": "client_credentials", "scope": "other/x"}),
                  "invalid_scope", "not in the client's AllowedOAuthScopes")


def test_client_without_oauth_is_unauthorized(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "refresh_token", "client_id": "apionly01", "refresh_token": "x"}),
                  "unauthorized_client", "AllowedOAuthFlowsUserPoolClient false")


def test_reused_code(emu: EmulatorServer) -> None:
    code = _code(emu)
    data = {"grant_type": "authorization_code", "client_id": SPA, "code": code, "redirect_uri": CALLBACK}
    assert _token(emu, data=data).status_code == 200
    _assert_error(_token(emu, data=data), "invalid_grant", "already exchanged")


def test_unknown_code(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "code": "nope",
                                    "redirect_uri": CALLBACK}), "invalid_grant", "unknown")


def test_code_of_another_client(emu: EmulatorServer) -> None:
    code = _code(emu)
    _assert_error(_token(emu, auth=(WEB, WEB_SECRET), data={"grant_type": "authorization_code", "code": code,
                                                          "redirect_uri": CALLBACK}),
                  "invalid_grant", f"issued to client {SPA}")


def test_missing_code_or_redirect_uri(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "redirect_uri": CALLBACK}),
                  "invalid_request", "needs code")
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "code": "c"}),
                  "invalid_request", "needs redirect_uri")


def test_redirect_uri_not_registered_at_the_token_endpoint(emu: EmulatorServer) -> None:
    code = _code(emu)
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "code": code,
                                    "redirect_uri": CALLBACK + "/"}),
                  "unauthorized_client", "is not one of the client's CallbackURLs")


def test_wrong_verifier(emu: EmulatorServer) -> None:
    _, challenge = pkce_pair()
    code = _code(emu, code_challenge=challenge, code_challenge_method="S256")
    other, _ = pkce_pair()
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "code": code,
                                    "redirect_uri": CALLBACK, "code_verifier": other}),
                  "invalid_grant", "does not equal the code_challenge")


def test_missing_verifier(emu: EmulatorServer) -> None:
    _, challenge = pkce_pair()
    code = _code(emu, code_challenge=challenge, code_challenge_method="S256")
    _assert_error(_token(emu, data={"grant_type": "authorization_code", "client_id": SPA, "code": code,
                                    "redirect_uri": CALLBACK}),
                  "invalid_request", "needs code_verifier")


def test_unknown_refresh_token(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "refresh_token", "client_id": SPA, "refresh_token": "abc"}),
                  "invalid_grant", "unknown to this pool")


def test_missing_refresh_token(emu: EmulatorServer) -> None:
    _assert_error(_token(emu, data={"grant_type": "refresh_token", "client_id": SPA}),
                  "invalid_request", "needs refresh_token")


def test_every_rejection_is_in_the_decisions_log(emu: EmulatorServer) -> None:
    response = _token(emu, auth=(CC, "wrong-again"), data={"grant_type": "client_credentials"})
    decisions = httpx.get(f"{emu.url}/_emulator/decisions").json()["decisions"]
    assert any(d["component"] == "hosted-ui POST /oauth2/token" and d["error"] == "400 invalid_client"
               and d["reason"] == response.headers["x-emulator-reason"] for d in decisions)


form_values = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(st.sampled_from(["grant_type", "client_id", "client_secret", "code", "redirect_uri",
                                             "scope", "refresh_token", "code_verifier", "x"]), form_values),
       basic=st.one_of(st.none(), st.text(min_size=1, max_size=30)))
def test_no_token_request_gets_a_500(http: httpx.Client, form: dict, basic: str | None) -> None:
    headers = {"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()} if basic is not None else {}
    response = http.post("/oauth2/token", data=form, headers=headers)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert set(response.json()) == {"error"} and response.headers["x-emulator-reason"]


# -- the authorize endpoint, through HTTP -----------------------------------------------------


def _authorize(emu: EmulatorServer, **params: str) -> httpx.Response:
    return httpx.get(f"{emu.url}/oauth2/authorize", params=params)


def test_redirect_uri_not_registered_goes_to_the_error_page(emu: EmulatorServer) -> None:
    response = _authorize(emu, client_id=SPA, response_type="code", redirect_uri="https://evil.example/cb")
    assert response.status_code == 302
    assert response.headers["location"] == f"/error?error=redirect_mismatch&client_id={SPA}"
    assert "is not one of the CallbackURLs of client 'spa'" in response.headers["x-emulator-reason"]
    page = httpx.get(emu.url + response.headers["location"])
    assert page.status_code == 200 and "An error was encountered with the requested page." in page.text
    assert "evil.example" in page.text  # the emulator's own why, under AWS's text


def test_missing_redirect_uri_is_a_redirect_mismatch(emu: EmulatorServer) -> None:
    response = _authorize(emu, client_id=SPA, response_type="code")
    assert response.headers["location"] == f"/error?error=redirect_mismatch&client_id={SPA}"


@pytest.mark.parametrize(("params", "location"), [
    ({}, "/error?error=invalid_request"),
    ({"client_id": "nosuch"}, "/error?error=invalid_request&client_id=nosuch"),
])
def test_unknown_or_missing_client_goes_to_the_error_page(emu: EmulatorServer, params: dict, location: str) -> None:
    response = _authorize(emu, response_type="code", redirect_uri=CALLBACK, **params)
    assert response.status_code == 302 and response.headers["location"] == location
    assert response.headers["x-emulator-reason"]


@pytest.mark.parametrize(("params", "error", "why"), [
    ({"response_type": "id_token"}, "invalid_request", "must be code or token"),
    ({}, "invalid_request", "has no response_type"),
    ({"response_type": "token"}, "unauthorized_client", "needs 'implicit'"),
    ({"response_type": "code", "code_challenge_method": "plain", "code_challenge": "a" * 43},
     "invalid_request", "supports only S256"),
    ({"response_type": "code", "code_challenge": "a" * 43}, "invalid_request", "without code_challenge_method"),
    ({"response_type": "code", "scope": "openid phone"}, "invalid_scope", "phone is not in the client's"),
    ({"response_type": "code", "scope": "email"}, "invalid_scope", "only be requested together with openid"),
])
def test_refusals_with_a_good_redirect_uri_go_back_to_the_app(emu: EmulatorServer, params: dict, error: str,
                                                              why: str) -> None:
    response = _authorize(emu, client_id=SPA, redirect_uri=CALLBACK, state="st", **params)
    assert response.status_code == 302
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    assert dict(parse_qsl(location.query)) == {"error": error, "state": "st"}
    assert why in response.headers["x-emulator-reason"]


def test_a_client_without_oauth_gets_unauthorized_client(emu: EmulatorServer) -> None:
    response = _authorize(emu, client_id="apionly01", redirect_uri=CALLBACK, response_type="code")
    assert callback_params(response.headers["location"]) == {"error": "unauthorized_client"}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["client_id", "redirect_uri", "response_type", "scope", "state",
                                               "code_challenge", "code_challenge_method", "prompt", "nonce"]),
                              form_values))
def test_no_authorize_request_gets_a_500(http: httpx.Client, params: dict) -> None:
    for path in ("/oauth2/authorize", "/login", "/logout"):
        response = http.get(path, params=params)
        assert response.status_code in (200, 302), (path, response.status_code, response.text[:200])


# -- pure decisions, by table --------------------------------------------------------------------


def _client(**changes) -> AppClient:
    base = AppClient(pool_id="us-east-1_X", client_id="c1", client_name="app", allowed_oauth_flows=("code",),
                     allowed_oauth_scopes=("openid", "email", "orders/read"), allowed_oauth_flows_user_pool_client=True,
                     callback_urls=(CALLBACK,))
    return base.with_changes(**changes)


GOOD = {"client_id": "c1", "redirect_uri": CALLBACK, "response_type": "code"}


@pytest.mark.parametrize(("params", "client", "expected"), [
    ({**GOOD, "client_id": ""}, _client(), ErrorPage),
    (GOOD, None, ErrorPage),
    ({**GOOD, "redirect_uri": CALLBACK + "/"}, _client(), ErrorPage),
    ({**GOOD, "redirect_uri": "HTTP://localhost:3000/callback"}, _client(), ErrorPage),
    (GOOD, _client(allowed_oauth_flows_user_pool_client=False), RedirectError),
    ({**GOOD, "response_type": "token"}, _client(), RedirectError),
    ({**GOOD, "response_type": "token"}, _client(allowed_oauth_flows=("implicit",)), AuthorizeRequest),
    ({**GOOD, "scope": "orders/write"}, _client(), RedirectError),
    ({**GOOD, "scope": "openid orders/read"}, _client(), AuthorizeRequest),
    ({**GOOD, "code_challenge": s256("v" * 43), "code_challenge_method": "S256"}, _client(), AuthorizeRequest),
    ({**GOOD, "code_challenge": "short", "code_challenge_method": "S256"}, _client(), RedirectError),
    ({**GOOD, "code_challenge_method": "S256"}, _client(), RedirectError),
    ({**GOOD, "identity_provider": "COGNITO"}, _client(), AuthorizeRequest),
])
def test_authorize_decision_table(params: dict, client: AppClient | None, expected: type) -> None:
    decision = decide_authorize(params, client, {"orders/read"})
    assert isinstance(decision, expected)
    if not isinstance(decision, AuthorizeRequest):
        assert decision.reason


def test_authorize_without_scope_grants_the_clients_existing_scopes() -> None:
    decision = decide_authorize(GOOD, _client(allowed_oauth_scopes=("openid", "gone/x", "orders/read")),
                                {"orders/read"})
    assert isinstance(decision, AuthorizeRequest) and decision.scopes == ("openid", "orders/read")


NOW = time.time()
VERIFIER = "v" * 50


def refusal_of(check: Any, *args: Any, value: bool = False) -> Any:
    """The OAuth2 error a check raises; without one, None (or, with `value`, what it returned)."""
    try:
        result = check(*args)
    except OAuthError as error:
        return error.error
    return result if value else None


def _grant(**changes) -> CodeGrant:
    base = CodeGrant(pool_id="p", client_id="c1", username="u", redirect_uri=CALLBACK, scope="openid", nonce=None,
                     code_challenge=None, auth_time=int(NOW), expires=NOW + 300)
    return replace(base, **changes)


@pytest.mark.parametrize(("grant", "redirect_uri", "verifier", "error"), [
    (_grant(), CALLBACK, None, None),
    (None, CALLBACK, None, "invalid_grant"),
    (_grant(used=True), CALLBACK, None, "invalid_grant"),
    (_grant(expires=NOW - 1), CALLBACK, None, "invalid_grant"),
    (_grant(client_id="c2"), CALLBACK, None, "invalid_grant"),
    (_grant(), "http://localhost:3000/other", None, "unauthorized_client"),
    (_grant(redirect_uri="http://localhost:3000/b"), CALLBACK, None, "invalid_grant"),
    (_grant(code_challenge=s256(VERIFIER)), CALLBACK, VERIFIER, None),
    (_grant(code_challenge=s256(VERIFIER)), CALLBACK, None, "invalid_request"),
    (_grant(code_challenge=s256(VERIFIER)), CALLBACK, "w" * 50, "invalid_grant"),
    (_grant(code_challenge=s256(VERIFIER)), CALLBACK, "short", "invalid_grant"),
    (_grant(), CALLBACK, "w" * 50, None),  # a verifier without a challenge is ignored
])
def test_code_exchange_table(grant: CodeGrant | None, redirect_uri: str, verifier: str | None,
                             error: str | None) -> None:
    client = _client(callback_urls=(CALLBACK, "http://localhost:3000/b"))
    assert refusal_of(grants.check_code, grant, client, redirect_uri, verifier, NOW) == error


@pytest.mark.parametrize(("client", "grant_type", "error"), [
    (_client(), "authorization_code", None),
    (_client(), "client_credentials", "unauthorized_client"),
    (_client(allowed_oauth_flows=("client_credentials",), client_secret="s" * 30), "client_credentials", None),
    (_client(allowed_oauth_flows=("client_credentials",)), "client_credentials", "unauthorized_client"),
    (_client(allowed_oauth_flows_user_pool_client=False), "authorization_code", "unauthorized_client"),
    (_client(), "refresh_token", None),
    (_client(explicit_auth_flows=("ALLOW_USER_SRP_AUTH",)), "refresh_token", "unauthorized_client"),
])
def test_client_may_use_grant_table(client: AppClient, grant_type: str, error: str | None) -> None:
    assert refusal_of(grants.check_client_may_use, client, grant_type) == error


@pytest.mark.parametrize(("grant_type", "error"), [
    ("authorization_code", None), ("refresh_token", None), ("client_credentials", None),
    (None, "invalid_request"), ("", "invalid_request"), ("password", "unsupported_grant_type"),
    ("implicit", "unsupported_grant_type"),
])
def test_grant_type_table(grant_type: str | None, error: str | None) -> None:
    assert refusal_of(grants.check_grant_type, grant_type) == error


def _b64(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(("header", "expected"), [
    (None, None),
    (_b64("id:secret"), ("id", "secret")),
    (_b64("id:sec:ret"), ("id", "sec:ret")),
    (_b64("id%3Ax:s%2Bt"), ("id:x", "s+t")),  # RFC 6749 §2.3.1 form-encoding, as Authlib sends it
    ("basic " + base64.b64encode(b"id:s").decode(), ("id", "s")),
    ("Basic", "invalid_client"),
    (_b64("nocolon"), "invalid_client"),
    ("Basic ***", "invalid_client"),
    ("Digest x", "invalid_client"),
])
def test_basic_header_table(header: str | None, expected) -> None:
    assert refusal_of(parse_basic, header, value=True) == expected


@pytest.mark.parametrize(("basic", "form", "expected"), [
    (("a", "s"), {}, ClientCredentials("a", "s", "client_secret_basic")),
    (("a", "s"), {"client_id": "a", "client_secret": "s"}, ClientCredentials("a", "s", "client_secret_basic")),
    (("a", "s"), {"client_id": "b"}, "invalid_client"),
    (("a", "s"), {"client_secret": "t"}, "invalid_client"),
    (None, {"client_id": "a", "client_secret": "s"}, ClientCredentials("a", "s", "client_secret_post")),
    (None, {"client_id": "a"}, ClientCredentials("a", None, "none")),
    (None, {}, "invalid_client"),
])
def test_presented_credentials_table(basic, form: dict, expected) -> None:
    assert refusal_of(presented_credentials, basic, form, value=True) == expected


@pytest.mark.parametrize(("secret", "creds", "error"), [
    ("sss", ClientCredentials("c1", "sss", "client_secret_basic"), None),
    ("sss", ClientCredentials("c1", "ssx", "client_secret_basic"), "invalid_client"),
    ("sss", ClientCredentials("c1", None, "none"), "invalid_client"),
    (None, ClientCredentials("c1", None, "none"), None),
    (None, ClientCredentials("c1", "x", "client_secret_post"), "invalid_client"),
])
def test_client_secret_table(secret: str | None, creds: ClientCredentials, error: str | None) -> None:
    assert refusal_of(check_client_secret, _client(client_secret=secret), creds) == error
    assert refusal_of(check_client_secret, None, creds) == "invalid_client"
    with pytest.raises(OAuthError) as refused:
        check_client_secret(None, creds, "revoke_invalid_client")
    assert refused.value.status == 401


@pytest.mark.parametrize(("challenge", "method", "ok"), [
    (None, None, True), (s256("x" * 43), "S256", True), ("a" * 43, "plain", False), ("a" * 43, None, False),
    (None, "S256", False), ("a" * 42, "S256", False), ("a" * 129, "S256", False), ("a" * 42 + "!", "S256", False),
])
def test_pkce_challenge_table(challenge: str | None, method: str | None, ok: bool) -> None:
    assert (challenge_problem(challenge, method) is None) == ok


def test_pkce_s256_matches_rfc7636_appendix_b() -> None:
    assert s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert verifier_problem("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") is None
