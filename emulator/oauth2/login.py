"""GET /oauth2/authorize and GET/POST /login: the hosted sign-in, from the authorize request through the
login form (and the new-password form) to the redirect back to the app with a code or tokens.

The checks on the user are the API's own (`check_user_can_sign_in`, `password_matches`,
`user_gone`), so the page refuses exactly whom InitiateAuth refuses, with the same texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse, Response

from emulator.cognito.auth import AFTER_FIRST_FACTOR
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import find_user, user_gone
from emulator.cognito.passwords import password_matches, policy_violation, set_password
from emulator.cognito.signin import check_user_can_sign_in, issue_tokens
from emulator.model import AppClient, UserPool
from emulator.oauth2 import pages, records
from emulator.oauth2.authorize import (
    AuthorizeRequest,
    ErrorPage,
    RedirectError,
    carried_params,
    decide_authorize,
    redirect_location,
)
from emulator.oauth2.grants import CODE_LIFETIME_SECONDS, CodeGrant
from emulator.oauth2.httpio import reason_headers, redirect, rejected_redirect
from emulator.runtime import Runtime
from emulator.state import UserRecord

AUTHORIZE = "hosted-ui GET /oauth2/authorize"
LOGIN = "hosted-ui /login"


@dataclass(frozen=True)
class Resolved:
    """An authorize/login request checked against its client: the decision and, when known, pool and client."""

    decision: AuthorizeRequest | ErrorPage | RedirectError
    pool: UserPool | None
    client: AppClient | None
    params: dict[str, str]  # the authorize parameters to carry on

    @property
    def login_action(self) -> str:
        return "/login?" + urlencode(self.params)


def resolve(rt: Runtime, params: Mapping[str, str]) -> Resolved:
    client_id = params.get("client_id")
    client = rt.store.client(client_id) if client_id else None
    pool = rt.store.pool(client.pool_id) if client else None
    if pool is None:
        client = None  # a client of a deleted pool is as good as unknown
    custom = rt.store.custom_scopes(pool.id) if pool else set()
    return Resolved(decide_authorize(params, client, custom), pool, client, carried_params(params))


def refused(rt: Runtime, component: str, decision: ErrorPage | RedirectError) -> Response:
    return rejected_redirect(rt, component, decision.location(), decision.error, decision.reason)


# -- GET /oauth2/authorize and GET /login --------------------------------------------------------


def authorize(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    """Validate, then sign in silently with the browser's session, or send the browser to /login."""
    found = resolve(rt, params)
    if not isinstance(found.decision, AuthorizeRequest):
        return refused(rt, AUTHORIZE, found.decision)
    silent = _silent_sign_in(rt, found, cookies, AUTHORIZE)
    if silent is not None:
        return silent
    return redirect(found.login_action)


def login_form(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    """The login page (or, with a live browser session, straight back to the app as the managed login does)."""
    found = resolve(rt, params)
    if not isinstance(found.decision, AuthorizeRequest):
        return refused(rt, LOGIN, found.decision)
    silent = _silent_sign_in(rt, found, cookies, LOGIN)
    if silent is not None:
        return silent
    return _form(rt, found, cookies=cookies)


def _silent_sign_in(rt: Runtime, found: Resolved, cookies: Mapping[str, str], component: str) -> Response | None:
    request = found.decision
    assert isinstance(request, AuthorizeRequest) and found.pool and found.client
    if request.prompt == "login":
        return None
    now = rt.clock()
    session = records.signed_in_user(rt.store, cookies.get(records.SESSION_COOKIE), found.pool.id, now)
    user = rt.store.user(found.pool, session["username"]) if session else None
    if session and _session_user_usable(found.pool, user):
        assert user is not None
        return complete_sign_in(rt, found, user, int(session["auth_time"]), cookies, fresh=False)
    if request.prompt == "none":
        return refused(rt, component, RedirectError(request.redirect_uri, "login_required", request.state,
                                                    "prompt=none, and the browser has no signed-in session for "
                                                    f"pool {found.pool.id}"))
    return None


def _session_user_usable(pool: UserPool, user: UserRecord | None) -> bool:
    """A remembered sign-in counts only while the user could still sign in."""
    if user is None or user.status == "FORCE_CHANGE_PASSWORD":
        return False
    try:
        check_user_can_sign_in(pool, user)
    except CognitoError:
        return False
    return True


def _form(rt: Runtime, found: Resolved, username: str = "", error: CognitoError | None = None,
          csrf: str | None = None, cookies: Mapping[str, str] | None = None) -> HTMLResponse:
    assert found.pool and found.client
    token = csrf or records.open_login_request(rt.store, found.params, rt.clock(),
                                               (cookies or {}).get(records.CSRF_COOKIE))
    html = pages.login_page(found.pool, found.client, found.login_action, token, username,
                            error.message if error else None)
    response = HTMLResponse(html, headers=reason_headers(error.reason) if error else None)
    _set_csrf_cookie(response, token)
    return response


def _set_csrf_cookie(response: Response, token: str) -> None:
    response.set_cookie(records.CSRF_COOKIE, token, max_age=records.LOGIN_REQUEST_SECONDS, path="/",
                        httponly=True, samesite="lax")


# -- POST /login -------------------------------------------------------------------------------


def login_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
                 cookies: Mapping[str, str]) -> Response:
    """The posted login form (username/password, or the new password of a FORCE_CHANGE_PASSWORD user)."""
    found = resolve(rt, params)
    if not isinstance(found.decision, AuthorizeRequest):
        return refused(rt, LOGIN, found.decision)
    csrf = form.get("_csrf")
    problem = records.login_request_problem(rt.store, csrf, cookies.get(records.CSRF_COOKIE), found.params,
                                            rt.clock())
    if problem:
        rt.decisions.reject(LOGIN, "403 CSRF check failed", problem)
        html = pages.message_page("Session expired", "Reload the sign-in page and try again.",
                                  "Your sign-in page has expired or was not opened in this browser.",
                                  found.pool, found.client)
        return HTMLResponse(html, status_code=403, headers=reason_headers(problem))
    assert csrf is not None
    if form.get("challenge") is not None:
        return _new_password(rt, found, form, csrf, cookies)
    return _password(rt, found, form, csrf, cookies)


def _password(rt: Runtime, found: Resolved, form: Mapping[str, str], csrf: str,
              cookies: Mapping[str, str]) -> Response:
    assert found.pool and found.client
    pool, client = found.pool, found.client
    username = (form.get("username") or "").strip()
    password = form.get("password") or ""
    try:
        if not username:
            raise reject("missing_auth_parameter", "the login form was posted without a username", name="USERNAME")
        if not password:
            raise reject("missing_auth_parameter", "the login form was posted without a password", name="PASSWORD")
        user = find_user(rt.store, pool, username)
        if user is None:
            raise user_gone(pool, client, username)
        check_user_can_sign_in(pool, user)
        if not password_matches(user.password_hash, password):
            raise reject("wrong_password", f"the password is not user '{user.username}''s password")
    except CognitoError as error:
        rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
        return _form(rt, found, username, error, csrf)
    if user.status == "FORCE_CHANGE_PASSWORD":
        step = records.open_step(rt.store, {"pool_id": pool.id, "client_id": client.client_id,
                                            "username": user.username,
                                            "fingerprint": records.fingerprint(found.params)},
                                 rt.clock(), client.auth_session_validity)
        return _new_password_form(rt, found, csrf, step, user.username)
    return _after_first_factor(rt, found, user, csrf, cookies)


def _new_password_form(rt: Runtime, found: Resolved, csrf: str, step: str, username: str,
                       error: CognitoError | None = None) -> HTMLResponse:
    assert found.pool and found.client
    html = pages.new_password_page(found.pool, found.client, found.login_action, csrf, step, username,
                                   error.message if error else None)
    return HTMLResponse(html, headers=reason_headers(error.reason) if error else None)


def _new_password(rt: Runtime, found: Resolved, form: Mapping[str, str], csrf: str,
                  cookies: Mapping[str, str]) -> Response:
    assert found.pool and found.client
    pool, client = found.pool, found.client
    token = form.get("challenge")
    step = records.get_step(rt.store, token, rt.clock())
    if (step is None or step["client_id"] != client.client_id
            or step["fingerprint"] != records.fingerprint(found.params)):
        error = reject("session_expired", "the new-password step is unknown, expired (AuthSessionValidity) or "
                                          "belongs to another login request; sign in again")
        rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
        return _form(rt, found, "", error, csrf)
    new, again = form.get("newPassword") or "", form.get("confirmNewPassword") or ""
    user = rt.store.user(pool, step["username"])
    problem: CognitoError | None = None
    if user is None:
        problem = reject("user_not_found", f"user '{step['username']}' was deleted during the sign-in")
    elif not new:
        problem = reject("missing_challenge_response", "the form was posted without a new password",
                         name="NEW_PASSWORD")
    elif new != again:
        # The managed login checks this in the browser; the text is the page's own, not an API error.
        problem = CognitoError("InvalidPasswordException", "Passwords do not match.",
                               "the two new-password fields differ")
    else:
        violation = policy_violation(pool.password_policy, new)
        if violation:
            problem = reject("invalid_password", f"the new password breaks the pool's password policy: {violation}",
                             detail=violation)
    if problem is not None or user is None:
        assert problem is not None
        rt.decisions.reject(LOGIN, f"{problem.type}: {problem.message}", problem.reason)
        return _new_password_form(rt, found, csrf, token or "", step["username"], problem)
    set_password(user, pool.id, new)
    user.status = "CONFIRMED"
    user.modified = rt.clock()
    rt.store.put_user(pool, user)
    records.close_step(rt.store, token)
    return _after_first_factor(rt, found, user, csrf, cookies)


def _after_first_factor(rt: Runtime, found: Resolved, user: UserRecord, csrf: str,
                        cookies: Mapping[str, str]) -> Response:
    """Second factors are not on this page yet: refuse plainly rather than skip them."""
    assert found.pool and found.client
    for step in AFTER_FIRST_FACTOR:
        response = step(rt, found.pool, found.client, user)
        if response is not None:
            name = response.get("ChallengeName", "a challenge")
            reason = (f"user '{user.username}' must answer {name} after the password; the emulator's hosted login "
                      "page does not ask for it yet (sign in through InitiateAuth/RespondToAuthChallenge instead)")
            rt.decisions.reject(LOGIN, f"unsupported challenge {name}", reason)
            html = pages.message_page("Sign-in needs another step", reason, f"{name} is not supported here.",
                                      found.pool, found.client)
            return HTMLResponse(html, status_code=501, headers=reason_headers(reason))
    records.close_login_request(rt.store, csrf)
    return complete_sign_in(rt, found, user, rt.now(), cookies)


# -- the end of a sign-in ----------------------------------------------------------------------------


def complete_sign_in(rt: Runtime, found: Resolved, user: UserRecord, auth_time: int,
                     cookies: Mapping[str, str], fresh: bool = True) -> Response:
    """302 back to the app (code in the query, or implicit tokens in the fragment); a fresh sign-in
    (not one answered from the browser session) is remembered in the session cookie."""
    request, pool, client = found.decision, found.pool, found.client
    assert isinstance(request, AuthorizeRequest) and pool and client
    now = rt.clock()
    if request.response_type == "code":
        code = records.issue_code(rt.store, CodeGrant(
            pool_id=pool.id, client_id=client.client_id, username=user.username, redirect_uri=request.redirect_uri,
            scope=request.scope, nonce=request.nonce, code_challenge=request.code_challenge, auth_time=auth_time,
            expires=now + CODE_LIFETIME_SECONDS))
        location = redirect_location(request.redirect_uri, {"code": code, "state": request.state})
    else:
        tokens = issue_tokens(rt, pool, client, user, scope=request.scope, nonce=request.nonce, oauth=True,
                              with_id_token=request.openid, auth_time=auth_time)
        location = redirect_location(request.redirect_uri, {
            "id_token": tokens.get("IdToken"), "access_token": tokens["AccessToken"], "token_type": "Bearer",
            "expires_in": str(tokens["ExpiresIn"]), "state": request.state}, fragment=True)
    response = redirect(location)
    if fresh:
        session = records.remember_sign_in(rt.store, cookies.get(records.SESSION_COOKIE), pool.id, user.username,
                                           auth_time, now)
        response.set_cookie(records.SESSION_COOKIE, session, max_age=records.SESSION_SECONDS, path="/",
                            httponly=True, samesite="lax")
    return response
