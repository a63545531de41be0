"""GET /oauth2/authorize with `identity_provider` or `idp_identifier`: the request is checked as any authorize
request is, the provider chosen (idp_choice.py), a pending request opened (its state goes to the IdP), and the
browser sent to the IdP by the starter of the provider's type. Without either parameter (or with
identity_provider=COGNITO) it is the hosted login's own authorize (login.authorize).

`STARTERS` maps a ProviderType to the function that builds the redirect to that IdP; a type without one is
refused loudly (SAML registers its own)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi.responses import HTMLResponse, Response

from emulator.oauth2 import federation_requests, login, oidc_relying_party, pages, social_simulation
from emulator.oauth2.authorize import AuthorizeRequest
from emulator.oauth2.federation_requests import PendingFederation
from emulator.oauth2.httpio import reason_headers, redirect
from emulator.oauth2.idp_choice import NOT_AVAILABLE, Unavailable, chosen_provider
from emulator.oauth2.oidc_relying_party import IdpFailure
from emulator.runtime import Runtime
from emulator.state import Kind

IDP_RESPONSE_PATH = "/oauth2/idpresponse"
# (rt, the checked request, the provider record, the state to send, its pending request, this server's base URL)
Starter = Callable[[Runtime, login.Resolved, Mapping[str, Any], str, PendingFederation, str], Response]


def _start_oidc(rt: Runtime, found: login.Resolved, provider: Mapping[str, Any], state: str,
                pending: PendingFederation, base_url: str) -> Response:
    location = oidc_relying_party.redirect_for(provider["ProviderDetails"], base_url + IDP_RESPONSE_PATH, state,
                                               pending.nonce)
    return redirect(location)


def _start_social(rt: Runtime, found: login.Resolved, provider: Mapping[str, Any], state: str,
                  pending: PendingFederation, base_url: str) -> Response:
    return redirect(social_simulation.authorize_location(provider, base_url + IDP_RESPONSE_PATH, state,
                                                         pending.nonce))


STARTERS: dict[str, Starter] = {"OIDC": _start_oidc, **dict.fromkeys(social_simulation.PROVIDERS, _start_social)}


def providers_of(rt: Runtime, pool_id: str) -> list[dict[str, Any]]:
    return [data for _, _, data in rt.store.items(Kind.IDENTITY_PROVIDER, pool_id)]


def authorize(rt: Runtime, params: Mapping[str, str], cookies: Mapping[str, str], base_url: str) -> Response:
    """/oauth2/authorize: to the IdP the request names, else the hosted login's authorize."""
    if not (params.get("identity_provider") or params.get("idp_identifier")):
        return login.authorize(rt, params, cookies)
    found = login.resolve(rt, params)
    if not isinstance(found.decision, AuthorizeRequest):
        return login.refused(rt, login.AUTHORIZE, found.decision)
    assert found.pool and found.client
    provider = chosen_provider(params, found.client, providers_of(rt, found.pool.id))
    if provider is None:
        return login.authorize(rt, params, cookies)
    if isinstance(provider, Unavailable):
        return not_available(rt, found, provider.reason)
    starter = STARTERS.get(provider["ProviderType"])
    if starter is None:
        return not_available(rt, found, f"sign-in through {provider['ProviderType']} provider "
                                        f"{provider['ProviderName']} is not emulated yet")
    carried = {k: v for k, v in found.params.items() if k not in ("identity_provider", "idp_identifier")}
    state, pending = federation_requests.open_request(rt.store, carried, provider["ProviderName"], rt.clock())
    try:
        return starter(rt, found, provider, state, pending, base_url.rstrip("/"))
    except IdpFailure as failure:
        federation_requests.take(rt.store, state)
        return not_available(rt, found, f"{provider['ProviderName']}: {failure.reason}", status=502)


def not_available(rt: Runtime, found: login.Resolved, reason: str, status: int = 400) -> Response:
    """The managed login's page for a login option it cannot offer, with the emulator's reason."""
    rt.decisions.reject(login.AUTHORIZE, f"{status} {NOT_AVAILABLE}", reason)
    html = pages.message_page("Sign-in option unavailable", reason, NOT_AVAILABLE, found.pool, found.client)
    return HTMLResponse(html, status_code=status, headers={**login.PAGE_HEADERS, **reason_headers(reason)})
