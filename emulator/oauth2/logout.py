"""GET /logout: end the browser's managed-login session for the client's pool, then redirect to a
registered sign-out URL (logout_uri) or back to the login page (redirect_uri + response_type)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from fastapi.responses import Response

from emulator.oauth2 import records, saml_logout
from emulator.oauth2.authorize import ErrorPage, carried_params
from emulator.oauth2.httpio import redirect, rejected_redirect
from emulator.runtime import Runtime

LOGOUT = "hosted-ui GET /logout"


def logout(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str]) -> Response:
    client_id = params.get("client_id") or None
    client = rt.store.client(client_id) if client_id else None
    if client is None:
        why = "the request has no client_id" if client_id is None else f"no app client with id '{client_id}'"
        return _refuse(rt, ErrorPage("invalid_request", client_id, why))
    logout_uri = params.get("logout_uri") or None
    redirect_uri = params.get("redirect_uri") or None
    if logout_uri is not None:
        if logout_uri not in client.logout_urls:
            listed = ", ".join(client.logout_urls) or "none"
            return _refuse(rt, ErrorPage("redirect_mismatch", client_id,
                                         f"logout_uri {logout_uri!r} is not one of the LogoutURLs of client "
                                         f"'{client.client_name}' ({listed}); Cognito compares them character "
                                         "for character"))
        target = logout_uri
    elif redirect_uri is not None:
        # Sign out, then show the login page for the next sign-in; /login validates these parameters.
        target = "/login?" + urlencode(carried_params(params))
    else:
        return _refuse(rt, ErrorPage("invalid_request", client_id, "the request has neither logout_uri (one of the "
                                                                   "client's LogoutURLs) nor redirect_uri"))
    cookie = cookies.get(records.SESSION_COOKIE)
    to_idp = saml_logout.start_logout(rt, client.pool_id, cookie, target)  # SAML single logout (IDPSignout)
    records.forget_sign_in(rt.store, cookie, client.pool_id)
    return to_idp or redirect(target)


def _refuse(rt: Runtime, page: ErrorPage) -> Response:
    return rejected_redirect(rt, LOGOUT, page.location(), page.error, page.reason)
