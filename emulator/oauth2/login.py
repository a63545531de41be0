"""GET /oauth2/authorize and GET/POST /login: the hosted sign-in, from the authorize request through the
login form (and the new-password and MFA forms) to the redirect back to the app with a code or tokens.

A view over the sign-in core (cognito/signin.py): the password is checked by `verify_password`, what follows
by `after_first_factor`, and every form after it answers the challenge the core opened, through `respond`,
with the challenge's Session kept server-side in a page step. The page refuses exactly whom InitiateAuth
refuses, with the same texts; it adds only what the managed login checks in the browser (two new-password
fields that differ, a password the policy refuses).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from fastapi.responses import HTMLResponse, Response

from emulator.cognito import mfa, webauthn
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, check_user_can_sign_in
from emulator.cognito.email_otp import SMS_OTP
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import find_user
from emulator.cognito.passwords import policy_violation
from emulator.cognito.sessions import session_is_live
from emulator.cognito.signin import NEW_PASSWORD, after_first_factor, begin_user_auth, respond, verify_password
from emulator.issuance import Grant, TokenRefused, TokenRequest, mint
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
from emulator.oauth2.idp_choice import NOT_AVAILABLE, cognito_allowed, provider_buttons
from emulator.runtime import Runtime
from emulator.state import Kind, UserRecord

AUTHORIZE = "hosted-ui GET /oauth2/authorize"
LOGIN = "hosted-ui /login"

# A page step (records.open_step) holds one open challenge of the core; its form carries the step's token
# in a field of its own: the new-password form's, or the MFA forms'.
STEP_FIELDS = {"challenge": ("new-password", (NEW_PASSWORD,)),
               "mfaStep": ("MFA", (mfa.SOFTWARE, mfa.SMS, mfa.EMAIL, SMS_OTP, mfa.SELECT, mfa.SETUP)),
               "passkeyStep": ("passkey", (webauthn.NAME,))}
# The challenges the pages answer, and the ChallengeResponses name of each one's answer.
PAGES = {NEW_PASSWORD: "NEW_PASSWORD", mfa.SOFTWARE: "SOFTWARE_TOKEN_MFA_CODE", mfa.SMS: "SMS_MFA_CODE",
         mfa.EMAIL: "EMAIL_OTP_CODE", SMS_OTP: "SMS_OTP_CODE", mfa.SELECT: "ANSWER", mfa.SETUP: "UserCode",
         webauthn.NAME: "CREDENTIAL"}
FIRST_FACTORS = (mfa.EMAIL, SMS_OTP, webauthn.NAME)  # the login page's buttons besides the password
# The hosted pages may not be framed by another site (clickjacking of the sign-in form).
PAGE_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


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
          csrf: str | None = None, cookies: Mapping[str, str] | None = None, notice: str | None = None) -> HTMLResponse:
    assert found.pool and found.client
    token = csrf or records.open_login_request(rt.store, found.params, rt.clock(),
                                               (cookies or {}).get(records.CSRF_COOKIE))
    admin_only = (rt.store.pool_settings(found.pool.id).get("AdminCreateUserConfig") or {}).get(
        "AllowAdminCreateUserOnly")
    providers = [data for _, _, data in rt.store.items(Kind.IDENTITY_PROVIDER, found.pool.id)]
    html = pages.login_page(found.pool, found.client, found.login_action, token, username,
                            error.message if error else None, urlencode(found.params), not admin_only, notice,
                            provider_buttons(found.client, providers, found.params), cognito_allowed(found.client))
    response = _html(html, error)
    set_csrf_cookie(response, token)
    return response


def login_page_response(rt: Runtime, found: Resolved, username: str, notice: str, csrf: str) -> HTMLResponse:
    """The login form after an account page finished (a confirmed account, a new password), with a notice."""
    return _form(rt, found, username, None, csrf, notice=notice)


def _html(html: str, error: CognitoError | None = None, status: int = 200) -> HTMLResponse:
    return HTMLResponse(html, status_code=status,
                        headers={**PAGE_HEADERS, **(reason_headers(error.reason) if error else {})})


def set_csrf_cookie(response: Response, token: str) -> None:
    response.set_cookie(records.CSRF_COOKIE, token, max_age=records.LOGIN_REQUEST_SECONDS, path="/",
                        httponly=True, samesite="lax")


# -- POST /login -------------------------------------------------------------------------------


def login_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
                 cookies: Mapping[str, str]) -> Response:
    """The posted login form: username/password, or the answer to the challenge a page step holds."""
    found = resolve(rt, params)
    if not isinstance(found.decision, AuthorizeRequest):
        return refused(rt, LOGIN, found.decision)
    csrf = form.get("_csrf")
    problem = records.login_request_problem(rt.store, csrf, cookies.get(records.CSRF_COOKIE), found.params)
    if problem:
        rt.decisions.reject(LOGIN, "403 CSRF check failed", problem)
        html = pages.message_page("Session expired", "Reload the sign-in page and try again.",
                                  "Your sign-in page has expired or was not opened in this browser.",
                                  found.pool, found.client)
        return HTMLResponse(html, status_code=403, headers={**PAGE_HEADERS, **reason_headers(problem)})
    assert csrf is not None
    if not cognito_allowed(found.client):  # only IdP buttons on this client's page: no password to post
        reason = f"client '{found.client.client_name}' does not list COGNITO in its SupportedIdentityProviders"
        rt.decisions.reject(LOGIN, f"400 {NOT_AVAILABLE}", reason)
        html = pages.message_page("Sign-in option unavailable", reason, NOT_AVAILABLE, found.pool, found.client)
        return HTMLResponse(html, status_code=400, headers={**PAGE_HEADERS, **reason_headers(reason)})
    for field, (label, challenges) in STEP_FIELDS.items():
        if form.get(field) is not None:
            return _answer(rt, found, form, form.get(field) or "", label, challenges, csrf, cookies)
    if form.get("factor"):
        return _first_factor(rt, found, form, form["factor"], csrf)
    return _password(rt, found, form, csrf, cookies)


def _first_factor(rt: Runtime, found: Resolved, form: Mapping[str, str], factor: str, csrf: str) -> Response:
    """A passkey or one-time-code button: USER_AUTH with that PREFERRED_CHALLENGE through the core."""
    assert found.pool and found.client
    username = (form.get("username") or "").strip()
    try:
        if factor not in FIRST_FACTORS:
            raise reject("challenge_not_available", f"the form chose factor {factor[:40]!r}, not one of "
                         f"{list(FIRST_FACTORS)}", name=factor[:40])
        if not username:
            raise reject("missing_auth_parameter", f"the {factor} button was pressed without a username",
                         name="USERNAME")
        user = find_user(rt.store, found.pool, username)
        outcome = begin_user_auth(rt, found.pool, found.client, username, user, {"PREFERRED_CHALLENGE": factor})
        if not (isinstance(outcome, Challenge) and outcome.name == factor):
            raise reject("challenge_not_available", f"user '{username}' cannot use {factor} (no passkey, no "
                         "verified address, or the pool's AllowedFirstAuthFactors leaves it out)", name=factor)
    except CognitoError as error:
        rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
        return _form(rt, found, username, error, csrf)
    assert user is not None
    return _challenge_page(rt, found, user.username, csrf, outcome)


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
        user = verify_password(rt, pool, client, username, find_user(rt.store, pool, username), password)
        outcome = after_first_factor(rt, pool, client, user)
    except CognitoError as error:
        rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
        return _form(rt, found, username, error, csrf)
    return _continue(rt, found, outcome, user.username, csrf, cookies)


def _continue(rt: Runtime, found: Resolved, outcome: Outcome, username: str, csrf: str,
              cookies: Mapping[str, str]) -> Response:
    """What the core decided: back to the app when authenticated, else the page of the next challenge."""
    if isinstance(outcome, Authenticated):
        records.close_login_request(rt.store, csrf)
        return complete_sign_in(rt, found, outcome.user, rt.now(), cookies, csrf=csrf)
    assert isinstance(outcome, Challenge)
    return _challenge_page(rt, found, username, csrf, outcome)


def _challenge_page(rt: Runtime, found: Resolved, username: str, csrf: str, challenge: Challenge) -> Response:
    """Open a page step for the challenge (its Session stays on the server) and show its form."""
    assert found.pool and found.client
    if challenge.name not in PAGES:
        reason = (f"user '{username}' must answer {challenge.name} after the password; the emulator's hosted "
                  "login page does not ask for it (sign in through InitiateAuth/RespondToAuthChallenge instead)")
        rt.decisions.reject(LOGIN, f"unsupported challenge {challenge.name}", reason)
        html = pages.message_page("Sign-in needs another step", reason, f"{challenge.name} is not supported here.",
                                  found.pool, found.client)
        return HTMLResponse(html, status_code=501, headers={**PAGE_HEADERS, **reason_headers(reason)})
    parameters = challenge.parameters
    step: dict[str, Any] = {"client_id": found.client.client_id, "username": username,
                            "fingerprint": records.fingerprint(found.params), "challenge": challenge.name,
                            "session": challenge.session}
    if challenge.name == webauthn.NAME:
        step["options"] = parameters.get("CREDENTIAL_REQUEST_OPTIONS", "{}")
    elif challenge.name in (mfa.SMS, mfa.EMAIL, SMS_OTP):
        step["destination"] = parameters.get("CODE_DELIVERY_DESTINATION", "")
    elif challenge.name == mfa.SELECT:
        step["choices"] = json.loads(parameters.get("MFAS_CAN_CHOOSE") or "[]")
    elif challenge.name == mfa.SETUP:
        # The managed login sets TOTP up inside the sign-in: a new secret for this challenge's Session.
        try:
            associated = mfa.associate_software_token(rt, {"Session": challenge.session})
        except CognitoError as error:
            return _restart(rt, found, None, csrf, error)
        user = rt.store.user(found.pool, username)
        account = (user.attributes.get("email") if user else None) or username
        step.update(session=associated["Session"], secret=associated["SecretCode"],
                    uri=otpauth_uri(associated["SecretCode"], account, found.pool.name))
    token = records.open_step(rt.store, step, rt.clock(), found.client.auth_session_validity)
    return _step_page(found, csrf, token, step)


def _step_page(found: Resolved, csrf: str, token: str, step: dict[str, Any],
               error: CognitoError | None = None) -> HTMLResponse:
    assert found.pool and found.client
    pool, client, action, message = found.pool, found.client, found.login_action, error.message if error else None
    name = step["challenge"]
    if name == NEW_PASSWORD:
        html = pages.new_password_page(pool, client, action, csrf, token, step["username"], message)
    elif name == mfa.SELECT:
        html = pages.mfa_select_page(pool, client, action, csrf, token, step["choices"], message)
    elif name == webauthn.NAME:
        html = pages.passkey_page(pool, client, action, csrf, token, step["username"], step["options"], message)
    elif name == mfa.SETUP:
        html = pages.mfa_setup_page(pool, client, action, csrf, token, step["secret"], step["uri"], message)
    else:
        html = pages.mfa_code_page(pool, client, action, csrf, token, name, step.get("destination", ""), message)
    return _html(html, error)


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps import (Google's Key Uri Format): label `issuer:account`."""
    label = quote(f"{issuer}:{account}", safe=":@")
    return f"otpauth://totp/{label}?" + urlencode({"secret": secret, "issuer": issuer}, quote_via=quote)


def _live_step(rt: Runtime, found: Resolved, token: str, challenges: tuple[str, ...]) -> dict[str, Any] | None:
    """A form's step while it is live, of a challenge this form answers, and for this very login request."""
    assert found.client
    step = records.get_step(rt.store, token)
    if (step is None or step["challenge"] not in challenges or step["client_id"] != found.client.client_id
            or step["fingerprint"] != records.fingerprint(found.params)):
        return None
    return step


def _answer(rt: Runtime, found: Resolved, form: Mapping[str, str], token: str, label: str,
            challenges: tuple[str, ...], csrf: str, cookies: Mapping[str, str]) -> Response:
    """A posted challenge form, answered through the core with the step's Session."""
    assert found.pool and found.client
    step = _live_step(rt, found, token, challenges)
    if step is None:
        return _restart(rt, found, None, csrf, reject(
            "session_expired", f"the {label} step is unknown, expired (AuthSessionValidity) or belongs to "
                               "another login request; sign in again"))
    name = step["challenge"]
    answer = _form_answer(name, form)
    problem = _browser_check(found.pool, step, form, answer)
    if problem is not None:
        # What the managed login checks in the browser costs neither the challenge nor one of its tries.
        rt.decisions.reject(LOGIN, f"{problem.type}: {problem.message}", problem.reason)
        return _step_page(found, csrf, token, step, problem)
    session = step["session"]
    try:
        if name == mfa.SETUP:
            verified = mfa.verify_software_token(rt, {"Session": session, "UserCode": answer})
            session, answer = verified["Session"], ""
        outcome = respond(rt, found.pool, found.client, name, session,
                          {"USERNAME": step["username"], PAGES[name]: answer}, verify_secret_hash=False)
    except CognitoError as error:
        if session_is_live(rt.store, session):  # a wrong code the challenge takes again
            rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
            return _step_page(found, csrf, token, step, error)
        return _restart(rt, found, token, csrf, error)
    records.close_step(rt.store, token)
    return _continue(rt, found, outcome, step["username"], csrf, cookies)


def _form_answer(name: str, form: Mapping[str, str]) -> str:
    if name == NEW_PASSWORD:
        return form.get("newPassword") or ""
    if name == webauthn.NAME:
        return form.get("credential") or ""
    return ((form.get("mfaType") if name == mfa.SELECT else form.get("mfaCode")) or "").strip()


def _browser_check(pool: UserPool, step: dict[str, Any], form: Mapping[str, str], answer: str) -> CognitoError | None:
    """What the managed login refuses before it calls Cognito at all."""
    name = step["challenge"]
    if not answer:
        what = ("a new password" if name == NEW_PASSWORD else "a choice" if name == mfa.SELECT else
                "a passkey credential" if name == webauthn.NAME else "a code")
        return reject("missing_challenge_response", f"the form was posted without {what}", name=PAGES[name])
    if name == NEW_PASSWORD:
        if answer != (form.get("confirmNewPassword") or ""):
            # The page's own text, not an API error.
            return CognitoError("InvalidPasswordException", "Passwords do not match.",
                                "the two new-password fields differ")
        violation = policy_violation(pool.password_policy, answer)
        if violation:
            return reject("invalid_password", f"the new password breaks the pool's password policy: {violation}",
                          detail=violation)
    if name == mfa.SELECT and answer not in step["choices"]:
        return reject("mfa_type_invalid", f"the form chose {answer[:40]!r}; MFAS_CAN_CHOOSE is {step['choices']}")
    return None


def _restart(rt: Runtime, found: Resolved, token: str | None, csrf: str, error: CognitoError) -> Response:
    """Back to the login form with the error: the challenge is spent, expired or gone."""
    records.close_step(rt.store, token)
    if token is not None:
        error = CognitoError(error.type, error.message, f"{error.reason}; the challenge is over, so the sign-in "
                                                          "starts again at the login form", error.status)
    rt.decisions.reject(LOGIN, f"{error.type}: {error.message}", error.reason)
    return _form(rt, found, "", error, csrf)


# -- the end of a sign-in ----------------------------------------------------------------------------


def complete_sign_in(rt: Runtime, found: Resolved, user: UserRecord, auth_time: int,
                     cookies: Mapping[str, str], fresh: bool = True, csrf: str | None = None) -> Response:
    """302 back to the app (code in the query, or implicit tokens in the fragment); a fresh sign-in
    (not one answered from the browser session) starts a new session cookie."""
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
        try:
            tokens = mint(rt, TokenRequest(Grant.HOSTED, pool, client, user.username, scope=request.scope,
                                           nonce=request.nonce, oauth=True, with_id_token=request.openid,
                                           auth_time=auth_time))
        except TokenRefused as refused_:
            return _restart(rt, found, None, csrf or "", refused_.cognito())
        except CognitoError as error:  # the Pre Token Generation trigger failed
            return _restart(rt, found, None, csrf or "", error)
        location = redirect_location(request.redirect_uri, {
            "id_token": tokens.get("IdToken"), "access_token": tokens["AccessToken"], "token_type": "Bearer",
            "expires_in": str(tokens["ExpiresIn"]), "state": request.state}, fragment=True)
    response = redirect(location)
    if fresh:
        # Always a new cookie value on a sign-in: one planted before it must not become the victim's session.
        session = records.remember_sign_in(rt.store, cookies.get(records.SESSION_COOKIE), pool.id, user.username,
                                           auth_time, now)
        response.set_cookie(records.SESSION_COOKIE, session, max_age=records.SESSION_SECONDS, path="/",
                            httponly=True, samesite="lax")
    return response
