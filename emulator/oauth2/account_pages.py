"""The hosted UI's self-service account pages, at the classic hosted UI's paths: /signup, /confirmUser,
/forgotPassword and /confirmForgotPassword, each with the authorize request's parameters in its query.

Views over the same operations the API runs (cognito/signup.py: SignUp, ConfirmSignUp, ForgotPassword,
ConfirmForgotPassword), so they refuse exactly what the API refuses, with AWS's texts shown on the page and
the reason in x-emulator-reason; their input is checked against the operations' shapes as the API's is. The
hosted UI is Cognito itself: for a client with a secret it computes the SECRET_HASH the operations want.
Every form is CSRF-bound to the login request, like the login form; a finished confirmation or reset lands
on the login form with a notice. Codes go through codes.py as always."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import HTMLResponse, Response

from emulator.cognito import signup
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import secret_hash
from emulator.cognito.protocol import validated
from emulator.oauth2 import pages, records
from emulator.oauth2.authorize import AuthorizeRequest
from emulator.oauth2.httpio import reason_headers
from emulator.oauth2.login import PAGE_HEADERS, Resolved, login_page_response, refused, resolve, set_csrf_cookie
from emulator.runtime import Runtime

SIGNUP = "hosted-ui /signup"
CONFIRM = "hosted-ui /confirmUser"
FORGOT = "hosted-ui /forgotPassword"
RESET = "hosted-ui /confirmForgotPassword"


def _action(path: str, found: Resolved) -> str:
    return f"{path}?{found.login_action.split('?', 1)[1]}"


def _response(html: str, csrf: str, error: CognitoError | None = None, status: int = 200) -> HTMLResponse:
    response = HTMLResponse(html, status_code=status,
                            headers={**PAGE_HEADERS, **(reason_headers(error.reason) if error else {})})
    set_csrf_cookie(response, csrf)
    return response


def _open(rt: Runtime, params: Mapping[str, str], component: str) -> Resolved | Response:
    found = resolve(rt, params)
    if not isinstance(found.decision, AuthorizeRequest):
        return refused(rt, component, found.decision)
    return found


def _csrf(rt: Runtime, found: Resolved, cookies: Mapping[str, str]) -> str:
    return records.open_login_request(rt.store, found.params, rt.clock(), cookies.get(records.CSRF_COOKIE))


def _csrf_refusal(rt: Runtime, found: Resolved, component: str, form: Mapping[str, str],
                  cookies: Mapping[str, str]) -> Response | None:
    problem = records.login_request_problem(rt.store, form.get("_csrf"), cookies.get(records.CSRF_COOKIE),
                                            found.params)
    if problem is None:
        return None
    rt.decisions.reject(component, "403 CSRF check failed", problem)
    html = pages.message_page("Session expired", "Reload the page and try again.",
                              "This page has expired or was not opened in this browser.", found.pool, found.client)
    return HTMLResponse(html, status_code=403, headers={**PAGE_HEADERS, **reason_headers(problem)})


def _call(operation: str, found: Resolved, params: dict[str, Any], username: str) -> dict[str, Any]:
    """The operation's parameters, with the SECRET_HASH the hosted UI computes for a client with a secret,
    checked against the operation's input shape as the API checks them."""
    assert found.client
    params["ClientId"] = found.client.client_id
    if found.client.client_secret:
        params["SecretHash"] = secret_hash(found.client.client_secret, username, found.client.client_id)
    return validated(operation, params)


def _name(form: Mapping[str, str], label: str = "username") -> str:
    name = (form.get("username") or "").strip()
    if not name:
        raise reject("missing_auth_parameter", f"the form was posted without a {label}", name="USERNAME")
    return name


def _refused(rt: Runtime, component: str, error: CognitoError) -> CognitoError:
    rt.decisions.reject(component, f"{error.type}: {error.message}", error.reason)
    return error


# -- sign-up ---------------------------------------------------------------------------------------------


def _signup_fields(found: Resolved, form: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
    """(form name, attribute, label, value) of the sign-up form: the sign-in name (an e-mail address or phone
    number where the pool signs users in by one), then the pool's required attributes."""
    assert found.pool
    pool = found.pool
    by_attribute = pool.username_attributes[0] if len(pool.username_attributes) == 1 else None
    first = ("username", by_attribute or "username", pages.label_of(by_attribute) if by_attribute else "Username",
             form.get("username", ""))
    rest = [(name, name, pages.label_of(name), form.get(name, "")) for name in pool.required_attributes
            if name != by_attribute]
    return [first, *rest]


def _posted(rt: Runtime, params: Mapping[str, str], page: str, form: Mapping[str, str],
            cookies: Mapping[str, str]) -> Resolved | Response:
    """A posted account form's request, checked (authorize parameters, then CSRF); else the page refusing it."""
    found = _open(rt, params, page)
    if isinstance(found, Response):
        return found
    refusal = _csrf_refusal(rt, found, page, form, cookies)
    return found if refusal is None else refusal


def _signup_page(rt: Runtime, found: Resolved, csrf: str, form: Mapping[str, str],
                 error: CognitoError | None = None) -> HTMLResponse:
    assert found.pool and found.client
    html = pages.signup_page(found.pool, found.client, _action("/signup", found), csrf, _signup_fields(found, form),
                             found.login_action, error.message if error else None)
    return _response(html, csrf, error)


def signup_form(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    found = _open(rt, params, SIGNUP)
    return found if isinstance(found, Response) else _signup_page(rt, found, _csrf(rt, found, cookies), {})


def signup_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
                  cookies: Mapping[str, str]) -> Response:
    found = _posted(rt, params, SIGNUP, form, cookies)
    if isinstance(found, Response):
        return found
    csrf = form["_csrf"]
    assert found.pool and found.client
    try:
        username = _name(form)
        attributes = [{"Name": name, "Value": (form.get(name) or "").strip()}
                      for name, _, _, _ in _signup_fields(found, form)[1:]]
        params = {"Username": username, "Password": form.get("password") or "", "UserAttributes": attributes}
        result = signup.sign_up(rt, _call("SignUp", found, params, username), None)
    except CognitoError as error:
        return _signup_page(rt, found, csrf, form, _refused(rt, SIGNUP, error))
    if result["UserConfirmed"]:  # PreSignUp confirmed them: straight to sign-in
        return login_page_response(rt, found, username, "Your account is ready. Sign in.", csrf)
    destination = (result.get("CodeDeliveryDetails") or {}).get("Destination", "")
    html = pages.confirm_user_page(found.pool, found.client, _action("/confirmUser", found), csrf, username,
                                   destination)
    return _response(html, csrf)


# -- confirmation -------------------------------------------------------------------------------------------


def confirm_form(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    found = _open(rt, params, CONFIRM)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client
    csrf = _csrf(rt, found, cookies)
    html = pages.confirm_user_page(found.pool, found.client, _action("/confirmUser", found), csrf,
                                   params.get("username", ""), "")
    return _response(html, csrf)


def confirm_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
                   cookies: Mapping[str, str]) -> Response:
    found = _posted(rt, params, CONFIRM, form, cookies)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client
    csrf, username = form["_csrf"], (form.get("username") or "").strip()
    try:
        username = _name(form)
        code = (form.get("code") or "").strip()
        if not code:
            raise reject("missing_auth_parameter", "the form was posted without a code", name="ConfirmationCode")
        signup.confirm_sign_up(rt, _call("ConfirmSignUp", found, {"Username": username, "ConfirmationCode": code},
                                         username), None)
    except CognitoError as error:
        html = pages.confirm_user_page(found.pool, found.client, _action("/confirmUser", found), csrf, username, "",
                                       _refused(rt, CONFIRM, error).message)
        return _response(html, csrf, error)
    return login_page_response(rt, found, username, "Your account is confirmed. Sign in.", csrf)


# -- forgotten password -------------------------------------------------------------------------------------


def forgot_form(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    found = _open(rt, params, FORGOT)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client
    csrf = _csrf(rt, found, cookies)
    html = pages.forgot_password_page(found.pool, found.client, _action("/forgotPassword", found), csrf,
                                      found.login_action)
    return _response(html, csrf)


def forgot_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
                  cookies: Mapping[str, str]) -> Response:
    found = _posted(rt, params, FORGOT, form, cookies)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client
    csrf = form["_csrf"]
    try:
        username = _name(form)
        sent = signup.forgot_password(rt, _call("ForgotPassword", found, {"Username": username}, username), None)
    except CognitoError as error:
        html = pages.forgot_password_page(found.pool, found.client, _action("/forgotPassword", found), csrf,
                                          found.login_action, form.get("username", ""),
                                          _refused(rt, FORGOT, error).message)
        return _response(html, csrf, error)
    html = pages.reset_password_page(found.pool, found.client, _action("/confirmForgotPassword", found), csrf,
                                     username, sent["CodeDeliveryDetails"].get("Destination", ""))
    return _response(html, csrf)


def reset_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
                 cookies: Mapping[str, str]) -> Response:
    found = _posted(rt, params, RESET, form, cookies)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client
    csrf, username = form["_csrf"], (form.get("username") or "").strip()
    try:
        username = _name(form)
        code, password = (form.get("code") or "").strip(), form.get("password") or ""
        if not code:
            raise reject("missing_auth_parameter", "the form was posted without a code", name="ConfirmationCode")
        if password != (form.get("confirmPassword") or ""):
            # The page's own check, as the managed login makes it before calling Cognito.
            raise CognitoError("InvalidPasswordException", "Passwords do not match.", "the two password fields differ")
        signup.confirm_forgot_password(rt, _call(
            "ConfirmForgotPassword", found, {"Username": username, "ConfirmationCode": code, "Password": password},
            username), None)
    except CognitoError as error:
        html = pages.reset_password_page(found.pool, found.client, _action("/confirmForgotPassword", found), csrf,
                                         username, "", _refused(rt, RESET, error).message)
        return _response(html, csrf, error)
    return login_page_response(rt, found, username, "Your password has been changed. Sign in.", csrf)


def reset_form(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    found = _open(rt, params, RESET)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client
    csrf = _csrf(rt, found, cookies)
    html = pages.reset_password_page(found.pool, found.client, _action("/confirmForgotPassword", found), csrf,
                                     params.get("username", ""), "")
    return _response(html, csrf)


# path -> (component, GET handler, POST handler), for routes.py
PAGES = {
    "/signup": (SIGNUP, signup_form, signup_submit),
    "/confirmUser": (CONFIRM, confirm_form, confirm_submit),
    "/forgotPassword": (FORGOT, forgot_form, forgot_submit),
    "/confirmForgotPassword": (RESET, reset_form, reset_submit),
}
