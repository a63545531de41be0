"""The end of every federated sign-in (OIDC, SAML, the simulated social providers): an identity the IdP vouched
for, and the `state` of the authorize request that was sent to it, become the user pool's user and the redirect
back to the app with a code (or implicit tokens), through the hosted login's one completion
(`login.complete_sign_in`).

    complete_federated_sign_in(rt, request, state, ExternalIdentity("MySAML", "SAML", name_id, attributes))

The caller has checked what the IdP sent (signature, audience, expiry); this function checks that the state
names a live authorize request for that very provider, maps the attributes, creates or updates the user (or
signs in the native user the identity is linked to), and fires the triggers (cognito/federated_sign_in.py).
A refusal after the app's redirect_uri is known goes back to the app as
`redirect_uri?error_description=...&state=...&error=invalid_request` (how the hosted UI reports a failed
federated sign-in, e.g. a PreSignUp trigger's error; UNCONFIRMED beyond that shape)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from emulator.cognito.errors import CognitoError
from emulator.cognito.federated_sign_in import sign_in_federated
from emulator.oauth2 import federation_requests, login, pages
from emulator.oauth2.authorize import AuthorizeRequest, redirect_location
from emulator.oauth2.errors import ERROR_PAGE_TEXT, SERVER_ERROR_REASON
from emulator.oauth2.federation_requests import PendingFederation
from emulator.oauth2.httpio import reason_headers, redirect
from emulator.runtime import Runtime
from emulator.state import Kind

COMPONENT = "hosted-ui federated sign-in"
log = logging.getLogger("cognito_emulator")


@dataclass(frozen=True)
class ExternalIdentity:
    """Who the IdP says signed in."""

    provider_name: str  # the pool's IdP ProviderName
    provider_type: str  # OIDC | SAML | Google | Facebook | LoginWithAmazon | SignInWithApple
    subject: str  # the IdP's user id (OIDC sub, SAML NameID, ...)
    attributes: dict[str, str]  # the IdP's attribute names -> values, before AttributeMapping


def complete_federated_sign_in(rt: Runtime, request: Request, state: str, identity: ExternalIdentity, *,
                               cookies: Mapping[str, str] | None = None) -> Response:
    """Sign the identity in for the authorize request `state` names (used up here), and redirect to the app."""
    pending = federation_requests.take(rt.store, state)
    if pending is None:
        return error_page(rt, "the state the IdP returned names no pending sign-in of this emulator (unknown, "
                              "already used, or older than an hour); start again at /oauth2/authorize")
    return finish(rt, pending, identity, dict(request.cookies) if cookies is None else cookies)


def finish(rt: Runtime, pending: PendingFederation, identity: ExternalIdentity,
           cookies: Mapping[str, str]) -> Response:
    """The pending request's sign-in as `identity`: the user, then the code (or tokens) back to the app."""
    found = login.resolve(rt, pending.params)
    if not isinstance(found.decision, AuthorizeRequest):  # the client changed while the user was at the IdP
        return login.refused(rt, COMPONENT, found.decision)
    assert found.pool and found.client
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, found.pool.id, identity.provider_name)
    if identity.provider_name != pending.provider_name:
        return app_error(rt, found.decision, f"the sign-in was sent to {pending.provider_name}, but the answer "
                                             f"came from {identity.provider_name}")
    if provider is None or provider["ProviderType"] != identity.provider_type:
        return app_error(rt, found.decision, f"user pool {found.pool.id} has no {identity.provider_type} provider "
                                             f"{identity.provider_name} (deleted while the user was at the IdP?)")
    if identity.provider_name not in found.client.supported_identity_providers:
        return app_error(rt, found.decision, f"{identity.provider_name} is not in the SupportedIdentityProviders "
                                             f"of client '{found.client.client_name}'")
    if not identity.subject:
        return app_error(rt, found.decision, f"{identity.provider_name} returned no subject (user id)")
    try:
        user = sign_in_federated(rt, found.pool, found.client, provider, identity.subject, identity.attributes)
    except CognitoError as error:
        return app_error(rt, found.decision, f"{error.type}: {error.message} ({error.reason})", error.message)
    return login.complete_sign_in(rt, found, user, rt.now(), cookies)


def app_error(rt: Runtime, request: AuthorizeRequest, reason: str, description: str | None = None) -> Response:
    """A failed federated sign-in, back at the app: error=invalid_request with a description."""
    rt.decisions.reject(COMPONENT, "302 error=invalid_request", reason)
    location = redirect_location(request.redirect_uri, {"error_description": description or reason,
                                                        "state": request.state, "error": "invalid_request"})
    return redirect(location, reason_headers(reason))


def error_page(rt: Runtime, reason: str, status: int = 400) -> Response:
    """A failure before the app's redirect_uri is known: the hosted UI's error page, with the reason."""
    rt.decisions.reject(COMPONENT, f"{status} error page", reason)
    html = pages.message_page("Something went wrong", reason, ERROR_PAGE_TEXT)
    return HTMLResponse(html, status_code=status, headers={**login.PAGE_HEADERS, **reason_headers(reason)})


async def off_loop(rt: Runtime, handler: Callable[[], Response]) -> Response:
    """A federation endpoint's work in the thread pool (it may call an IdP, or this very server); a failure is
    the error page, never a traceback."""
    try:
        return await run_in_threadpool(handler)
    except Exception:
        log.exception("internal error in %s", COMPONENT)
        return error_page(rt, SERVER_ERROR_REASON, 500)
