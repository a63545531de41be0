"""GET /oauth2/idpresponse: where an OIDC provider (or a simulated social one) sends the browser back with a code
and the state the emulator sent. The code is exchanged with the IdP (oidc_relying_party.py) or redeemed from the
simulation (social_simulation.py), and the identity goes to the one completion of federated sign-ins
(federation.complete_federated_sign_in). Anything unreachable or invalid ends the sign-in with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from emulator.cognito.federated_users import SUBJECT_CLAIMS, attribute_text
from emulator.oauth2 import federation, federation_requests, login, oidc_relying_party, social_simulation
from emulator.oauth2.authorize import AuthorizeRequest
from emulator.oauth2.federation import ExternalIdentity
from emulator.oauth2.federation_start import IDP_RESPONSE_PATH
from emulator.oauth2.oidc_relying_party import IdpFailure
from emulator.runtime import Runtime
from emulator.state import Kind


def idp_response(rt: Runtime, request: Request, params: Mapping[str, str], base_url: str) -> Response:
    """The IdP's answer for a pending sign-in, turned into the app's redirect."""
    state = params.get("state") or ""
    pending = federation_requests.peek(rt.store, state)
    if pending is None:
        return federation.error_page(rt, "the state the IdP returned names no pending sign-in of this emulator "
                                         "(unknown, already used, or older than an hour); start again at "
                                         "/oauth2/authorize")
    found = login.resolve(rt, pending.params)
    if not isinstance(found.decision, AuthorizeRequest):
        federation_requests.take(rt.store, state)
        return login.refused(rt, federation.COMPONENT, found.decision)
    assert found.pool
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, found.pool.id, pending.provider_name)

    def fail(reason: str) -> Response:
        federation_requests.take(rt.store, state)  # a state answers once, also when the answer was bad
        assert isinstance(found.decision, AuthorizeRequest)
        return federation.app_error(rt, found.decision, f"{pending.provider_name}: {reason}")

    if provider is None:
        return fail(f"user pool {found.pool.id} no longer has this provider")
    if params.get("error"):
        return fail(f"the IdP answered error={params['error'][:80]!r} "
                    f"({(params.get('error_description') or 'no description')[:200]})")
    if not params.get("code"):
        return fail("the IdP returned no code")
    try:
        claims = _claims(rt, provider, params["code"], pending.nonce, base_url.rstrip("/") + IDP_RESPONSE_PATH)
    except IdpFailure as failure:
        return fail(failure.reason)
    kind = provider["ProviderType"]
    subject = attribute_text(claims.get(SUBJECT_CLAIMS.get(kind, "sub")))
    identity = ExternalIdentity(provider["ProviderName"], kind, subject,
                                {name: attribute_text(value) for name, value in claims.items()})
    return federation.complete_federated_sign_in(rt, request, state, identity)


def _claims(rt: Runtime, provider: Mapping[str, Any], code: str, nonce: str, redirect_uri: str) -> dict[str, Any]:
    kind = provider["ProviderType"]
    if kind == "OIDC":
        return oidc_relying_party.signed_in_claims(provider["ProviderDetails"], code, redirect_uri, nonce, rt.clock())
    if kind in social_simulation.PROVIDERS:
        return social_simulation.redeem(rt, provider, code, nonce)
    raise IdpFailure(f"{kind} providers do not answer at /oauth2/idpresponse")
