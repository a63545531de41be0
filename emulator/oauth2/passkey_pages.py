"""GET/POST /passkeys/add: managed login's passkey registration for the user signed in in this browser
("Except for /passkeys/add, all paths are shared between the two versions of managed login branding",
developer guide, managed-login-endpoints). It takes the authorize endpoint's client_id and redirect_uri;
a browser with no session for the client's pool is sent to /login first. The ceremony is the API's
(webauthn.begin_registration / finish_registration, verified by fido2); the form is CSRF-bound like the
login form, and a registered passkey sends the browser back to redirect_uri."""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi.responses import HTMLResponse, Response

from emulator.cognito import webauthn
from emulator.cognito.errors import CognitoError
from emulator.oauth2 import pages, records
from emulator.oauth2.authorize import AuthorizeRequest
from emulator.oauth2.httpio import reason_headers, redirect
from emulator.oauth2.login import PAGE_HEADERS, Resolved, refused, resolve, set_csrf_cookie
from emulator.runtime import Runtime
from emulator.state import UserRecord

ADD = "hosted-ui /passkeys/add"


def _resolved(rt: Runtime, params: Mapping[str, str]) -> Resolved | Response:
    # The client and redirect_uri are checked as the authorize endpoint checks them.
    found = resolve(rt, {"response_type": "code", **params})
    if not isinstance(found.decision, AuthorizeRequest):
        return refused(rt, ADD, found.decision)
    return found


def _signed_in(rt: Runtime, found: Resolved, cookies: Mapping[str, str]) -> UserRecord | None:
    assert found.pool
    session = records.signed_in_user(rt.store, cookies.get(records.SESSION_COOKIE), found.pool.id, rt.clock())
    return rt.store.user(found.pool, session["username"]) if session else None


def _page(rt: Runtime, found: Resolved, user: UserRecord, csrf: str, error: CognitoError | None = None) -> Response:
    assert found.pool and found.client and isinstance(found.decision, AuthorizeRequest)
    try:
        options = webauthn.begin_registration(rt, found.pool, user, found.client.client_id)
    except CognitoError as problem:
        rt.decisions.reject(ADD, f"{problem.type}: {problem.message}", problem.reason)
        html = pages.message_page("Passkeys are not available", problem.reason, problem.message, found.pool,
                                  found.client)
        return HTMLResponse(html, status_code=400, headers={**PAGE_HEADERS, **reason_headers(problem.reason)})
    html = pages.passkey_add_page(found.pool, found.client, "/passkeys/add?" + found.login_action.split("?", 1)[1],
                                  csrf, user.username, json.dumps(options), found.decision.redirect_uri,
                                  error.message if error else None)
    response = HTMLResponse(html, headers={**PAGE_HEADERS, **(reason_headers(error.reason) if error else {})})
    set_csrf_cookie(response, csrf)
    return response


def add_form(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    found = _resolved(rt, params)
    if isinstance(found, Response):
        return found
    user = _signed_in(rt, found, cookies)
    if user is None:
        return redirect(found.login_action)
    csrf = records.open_login_request(rt.store, found.params, rt.clock(), cookies.get(records.CSRF_COOKIE))
    return _page(rt, found, user, csrf)


def add_submit(rt: Runtime, params: Mapping[str, str], form: Mapping[str, str],
               cookies: Mapping[str, str]) -> Response:
    found = _resolved(rt, params)
    if isinstance(found, Response):
        return found
    assert found.pool and found.client and isinstance(found.decision, AuthorizeRequest)
    problem = records.login_request_problem(rt.store, form.get("_csrf"), cookies.get(records.CSRF_COOKIE),
                                            found.params)
    user = _signed_in(rt, found, cookies)
    if problem or user is None:
        reason = problem or f"the browser is not signed in to pool {found.pool.id}"
        rt.decisions.reject(ADD, "403 refused", reason)
        html = pages.message_page("Session expired", "Sign in and try again.", "This page has expired.",
                                  found.pool, found.client)
        return HTMLResponse(html, status_code=403, headers={**PAGE_HEADERS, **reason_headers(reason)})
    try:
        credential = json.loads(form.get("credential") or "null")
        webauthn.finish_registration(rt, found.pool, user, found.client.client_id, credential)
    except (CognitoError, ValueError) as error:
        failure = error if isinstance(error, CognitoError) else webauthn.unreadable(str(error))
        rt.decisions.reject(ADD, f"{failure.type}: {failure.message}", failure.reason)
        return _page(rt, found, user, form["_csrf"], failure)
    return redirect(found.decision.redirect_uri)


PAGES = {"/passkeys/add": (ADD, add_form, add_submit)}
