"""GET /oauth2/authorize and GET/POST /login: the hosted sign-in, from the authorize request through the
login form (and the new-password and MFA forms) to the redirect back to the app with a code or tokens.

The checks on the user are the API's own (`check_user_can_sign_in`, `check_password`,
`user_gone`), so the page refuses exactly whom InitiateAuth refuses, with the same texts. The second
factor is the API's too: the challenge `AFTER_FIRST_FACTOR` opens, answered through mfa.py's checks
(and, to set up TOTP, AssociateSoftwareToken / VerifySoftwareToken with the challenge's Session).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi.responses import HTMLResponse, Response

from emulator.cognito import mfa
from emulator.cognito.auth import AFTER_FIRST_FACTOR
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lockout import check_password
from emulator.cognito.lookup import find_user, user_gone
from emulator.cognito.passwords import policy_violation, set_password
from emulator.cognito.protocol import Call
from emulator.cognito.sessions import peek_session, take_session
from emulator.cognito.signin import check_user_can_sign_in, issue_tokens
from emulator.cognito.temporary_passwords import refuse_if_expired
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

# The steps a login form can continue (records.open_step), each with the form field that carries its token.
NEW_PASSWORD_STEP = "new_password"
MFA_STEP = "mfa"
MFA_FIELD = "mfaStep"
# The challenges the MFA pages answer, and the ChallengeResponses name of each one's code.
MFA_PAGES = {mfa.SOFTWARE: "SOFTWARE_TOKEN_MFA_CODE", mfa.SMS: "SMS_MFA_CODE", mfa.SELECT: "ANSWER",
             mfa.SETUP: "UserCode"}


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
    if form.get(MFA_FIELD) is not None:
        return _second_factor(rt, found, form, csrf, cookies)
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
        check_password(rt, pool, user, password)
        refuse_if_expired(rt, pool, user)  # where the API's after_first_factor checks it
    except CognitoError as error:
        rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
        return _form(rt, found, username, error, csrf)
    if user.status == "FORCE_CHANGE_PASSWORD":
        step = records.open_step(rt.store, {"kind": NEW_PASSWORD_STEP, "pool_id": pool.id,
                                            "client_id": client.client_id, "username": user.username,
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
    pool = found.pool
    token = form.get("challenge")
    step = _live_step(rt, found, token, NEW_PASSWORD_STEP)
    if step is None:
        error = reject("session_expired", "the new-password step is unknown, expired (AuthSessionValidity) or "
                                          "belongs to another login request; sign in again")
        rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
        return _form(rt, found, "", error, csrf)
    new, again = form.get("newPassword") or "", form.get("confirmNewPassword") or ""
    user = rt.store.user(pool, step["username"])
    problem: CognitoError | None = None
    if user is None:
        problem = reject("user_not_found", f"user '{step['username']}' was deleted during the sign-in")
    elif not user.enabled:
        problem = reject("user_disabled", f"user '{user.username}' was disabled during the sign-in")
    elif user.status != "FORCE_CHANGE_PASSWORD":
        problem = reject("session_invalid", f"user '{user.username}' is {user.status} now; the new-password "
                                            "step no longer applies")
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


def _live_step(rt: Runtime, found: Resolved, token: str | None, kind: str) -> dict[str, Any] | None:
    """A form's step while it is live, of the expected kind, and for this very login request."""
    assert found.client
    step = records.get_step(rt.store, token, rt.clock())
    if (step is None or step.get("kind") != kind or step["client_id"] != found.client.client_id
            or step["fingerprint"] != records.fingerprint(found.params)):
        return None
    return step


def _after_first_factor(rt: Runtime, found: Resolved, user: UserRecord, csrf: str,
                        cookies: Mapping[str, str]) -> Response:
    """What follows a correct password, as InitiateAuth decides it: a second factor's page, or the app."""
    assert found.pool and found.client
    try:
        for step in AFTER_FIRST_FACTOR:
            response = step(rt, found.pool, found.client, user)
            if response is not None:
                return _challenge_page(rt, found, user.username, csrf, response)
    except CognitoError as error:
        return _restart(rt, found, None, csrf, error)
    records.close_login_request(rt.store, csrf)
    return complete_sign_in(rt, found, user, rt.now(), cookies)


# -- the second factor -------------------------------------------------------------------------------


def _api_call(operation: str) -> Call:
    """The page calls the MFA operations as a client would; nothing in them reads the HTTP details."""
    return Call(operation=operation, request_id=str(uuid.uuid4()), source_ip="127.0.0.1")


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps import (Google's Key Uri Format): label `issuer:account`."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer}, quote_via=quote)


def _challenge_page(rt: Runtime, found: Resolved, username: str, csrf: str, response: dict[str, Any]) -> Response:
    """Open a page step for the challenge the API answered with (its Session stays on the server) and show it."""
    assert found.pool and found.client
    name = response.get("ChallengeName", "a challenge")
    if name not in MFA_PAGES:
        reason = (f"user '{username}' must answer {name} after the password; the emulator's hosted login "
                  "page does not ask for it (sign in through InitiateAuth/RespondToAuthChallenge instead)")
        rt.decisions.reject(LOGIN, f"unsupported challenge {name}", reason)
        html = pages.message_page("Sign-in needs another step", reason, f"{name} is not supported here.",
                                  found.pool, found.client)
        return HTMLResponse(html, status_code=501, headers=reason_headers(reason))
    parameters = response.get("ChallengeParameters") or {}
    step: dict[str, Any] = {"kind": MFA_STEP, "pool_id": found.pool.id, "client_id": found.client.client_id,
                            "username": username, "fingerprint": records.fingerprint(found.params),
                            "challenge": name, "session": response["Session"]}
    if name == mfa.SMS:
        step["destination"] = parameters.get("CODE_DELIVERY_DESTINATION", "")
    elif name == mfa.SELECT:
        step["choices"] = json.loads(parameters.get("MFAS_CAN_CHOOSE") or "[]")
    elif name == mfa.SETUP:
        # The managed login sets TOTP up inside the sign-in: a new secret for this challenge's Session.
        associated = mfa.associate_software_token(rt, {"Session": response["Session"]},
                                                  _api_call("AssociateSoftwareToken"))
        user = rt.store.user(found.pool, username)
        account = (user.attributes.get("email") if user else None) or username
        step.update(session=associated["Session"], secret=associated["SecretCode"],
                    uri=otpauth_uri(associated["SecretCode"], account, found.pool.name))
    token = records.open_step(rt.store, step, rt.clock(), found.client.auth_session_validity)
    return _mfa_page(found, csrf, token, step)


def _mfa_page(found: Resolved, csrf: str, token: str, step: dict[str, Any],
              error: CognitoError | None = None) -> HTMLResponse:
    assert found.pool and found.client
    pool, client, action, message = found.pool, found.client, found.login_action, error.message if error else None
    name = step["challenge"]
    if name == mfa.SELECT:
        html = pages.mfa_select_page(pool, client, action, csrf, token, step["choices"], message)
    elif name == mfa.SETUP:
        html = pages.mfa_setup_page(pool, client, action, csrf, token, step["secret"], step["uri"], message)
    else:
        html = pages.mfa_code_page(pool, client, action, csrf, token, name, step.get("destination", ""), message)
    return HTMLResponse(html, headers=reason_headers(error.reason) if error else None)


def _second_factor(rt: Runtime, found: Resolved, form: Mapping[str, str], csrf: str,
                   cookies: Mapping[str, str]) -> Response:
    """A posted MFA form: the factor chosen, a code, or the first code of a new authenticator app."""
    assert found.pool and found.client
    token = form.get(MFA_FIELD) or ""
    step = _live_step(rt, found, token, MFA_STEP)
    if step is None:
        return _restart(rt, found, None, csrf, reject(
            "session_expired", "the MFA step is unknown, expired (AuthSessionValidity) or belongs to another "
                               "login request; sign in again"))
    name = step["challenge"]
    answer = (form.get("mfaType") if name == mfa.SELECT else form.get("mfaCode")) or ""
    answer = answer.strip()
    # Checked here so a slip in the form costs neither the challenge nor one of its tries.
    problem = None
    if name == mfa.SELECT and answer not in step["choices"]:
        problem = reject("mfa_type_invalid", f"the form chose {answer[:40]!r}; MFAS_CAN_CHOOSE is {step['choices']}")
    elif not answer:
        problem = reject("missing_challenge_response", "the form was posted without a code", name=MFA_PAGES[name])
    if problem is not None:
        rt.decisions.reject(LOGIN, f"{problem.type}: {problem.message}", problem.reason)
        return _mfa_page(found, csrf, token, step, problem)
    if name == mfa.SELECT:
        return _chosen_factor(rt, found, csrf, token, step, answer)
    if name == mfa.SETUP:
        return _set_up_totp(rt, found, csrf, cookies, token, step, answer)
    return _factor_code(rt, found, csrf, cookies, token, step, answer)


def _chosen_factor(rt: Runtime, found: Resolved, csrf: str, token: str, step: dict[str, Any],
                   choice: str) -> Response:
    """SELECT_MFA_TYPE answered: the chosen factor's challenge (for SMS the code is sent now)."""
    assert found.pool and found.client
    try:
        session = take_session(rt.store, step["session"], found.client.client_id, rt.clock())
        response = mfa.respond_select(rt, found.pool, found.client, session,
                                      {"USERNAME": step["username"], "ANSWER": choice})
    except CognitoError as error:
        return _restart(rt, found, token, csrf, error)
    records.close_step(rt.store, token)
    return _challenge_page(rt, found, step["username"], csrf, response)


def _factor_code(rt: Runtime, found: Resolved, csrf: str, cookies: Mapping[str, str], token: str,
                 step: dict[str, Any], code: str) -> Response:
    """SOFTWARE_TOKEN_MFA / SMS_MFA answered: a right code signs in; a wrong one may be retried (mfa.py's limit)."""
    assert found.pool and found.client
    try:
        session = take_session(rt.store, step["session"], found.client.client_id, rt.clock())
    except CognitoError as error:
        return _restart(rt, found, token, csrf, error)
    try:
        user = mfa.verify_challenge_code(rt, found.pool, session, code)
    except CognitoError as error:
        retry = bool(session.get("_keep"))
        mfa.keep_session_if_asked(rt, step["session"], session)
        return _wrong_code(rt, found, csrf, token, step, error, retry)
    return _signed_in(rt, found, csrf, cookies, token, user)


def _set_up_totp(rt: Runtime, found: Resolved, csrf: str, cookies: Mapping[str, str], token: str,
                 step: dict[str, Any], code: str) -> Response:
    """MFA_SETUP answered: VerifySoftwareToken with the challenge's Session, then the challenge itself."""
    assert found.pool and found.client
    try:
        verified = mfa.verify_software_token(rt, {"Session": step["session"], "UserCode": code},
                                             _api_call("VerifySoftwareToken"))
    except CognitoError as error:
        # VerifySoftwareToken puts the session back itself while wrong codes may still be retried.
        retry = peek_session(rt.store, step["session"], rt.clock()) is not None
        return _wrong_code(rt, found, csrf, token, step, error, retry)
    try:
        session = take_session(rt.store, verified["Session"], found.client.client_id, rt.clock())
        user = mfa.complete_setup(rt, found.pool, session)
    except CognitoError as error:
        return _restart(rt, found, token, csrf, error)
    return _signed_in(rt, found, csrf, cookies, token, user)


def _wrong_code(rt: Runtime, found: Resolved, csrf: str, token: str, step: dict[str, Any], error: CognitoError,
                retry: bool) -> Response:
    """The same MFA form with AWS's error while the challenge takes more tries; else the sign-in starts again."""
    if not retry:
        return _restart(rt, found, token, csrf, error)
    rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
    return _mfa_page(found, csrf, token, step, error)


def _restart(rt: Runtime, found: Resolved, token: str | None, csrf: str, error: CognitoError) -> Response:
    """Back to the login form with the error: the challenge is spent, expired or gone."""
    records.close_step(rt.store, token)
    if token is not None:
        error = CognitoError(error.type, error.message, f"{error.reason}; the challenge is over, so the sign-in "
                                                          "starts again at the login form", error.status)
    rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
    return _form(rt, found, "", error, csrf)


def _signed_in(rt: Runtime, found: Resolved, csrf: str, cookies: Mapping[str, str], token: str,
               user: UserRecord) -> Response:
    records.close_step(rt.store, token)
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
