"""SAML single logout (ProviderDetails IDPSignout "true"), as Cognito's sign-out flow documents it: /logout of a
browser session that signed in through such a provider ends the local session, then sends the user to the
IdP's SingleLogoutService with a LogoutRequest signed by the pool's signing certificate (HTTP-Redirect,
RSA-SHA256); the IdP POSTs its LogoutResponse to /saml2/logout, and the user goes on to the logout_uri or
redirect_uri of the original request. UNCONFIRMED: the LogoutResponse's own signature is not checked (its
InResponseTo, Issuer and status are); IdP-initiated LogoutRequests are refused with the reason."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi.responses import Response

from emulator.oauth2 import federation, saml_records
from emulator.oauth2.httpio import redirect
from emulator.oauth2.saml_sign_in import SamlRefused, provider_metadata, request_signer
from emulator.saml.authn_request import redirect_url
from emulator.saml.logout_messages import logout_request, read_logout_response
from emulator.saml.names import HTTP_REDIRECT, STATUS_SUCCESS
from emulator.saml.xml_input import BadSamlInput, decoded_response
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime

LOGOUT_PATH = "/saml2/logout"


def start_logout(rt: Runtime, pool_id: str, cookie: str | None, target: str) -> Response | None:
    """The redirect to the IdP's SingleLogoutService for a SAML session whose provider has IDPSignout, or None."""
    session = saml_records.session_of(rt.store, cookie, pool_id)
    if session is None:
        return None
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, pool_id, session.provider_name) or {}
    if str((provider.get("ProviderDetails") or {}).get("IDPSignout", "")).lower() != "true":
        return None
    try:
        metadata = provider_metadata(provider)
    except SamlRefused as refused:
        return federation.error_page(rt, f"sign-out through {session.provider_name}: {refused.reason}", 502)
    slo = metadata.slo.get(HTTP_REDIRECT)
    if not slo:
        return federation.error_page(rt, f"{session.provider_name} has IDPSignout true, but its metadata has no "
                                         "HTTP-Redirect SingleLogoutService to send the LogoutRequest to", 502)
    now = rt.clock()
    request_id, relay_state = f"_{uuid.uuid4().hex}", secrets.token_urlsafe(24)
    saml_records.put_logout(rt.store, relay_state, request_id, target, metadata.entity_id, now)
    xml = logout_request(request_id, pool_id, slo, session.name_id, session.session_index, now)
    return redirect(redirect_url(slo, xml, relay_state, request_signer(rt, pool_id, "rsa-sha256")))


def finish_logout(rt: Runtime, form: Mapping[str, str]) -> Response:
    """POST /saml2/logout: the IdP's LogoutResponse, then on to where the sign-out was going."""
    pending = saml_records.take_logout(rt.store, form.get("RelayState") or "")
    if pending is None:
        return federation.error_page(rt, "the RelayState names no sign-out of this emulator waiting for the IdP "
                                         "(unknown, already answered, or older than 10 minutes)")
    try:
        answer = read_logout_response(decoded_response(form.get("SAMLResponse") or ""))
    except BadSamlInput as exc:
        return federation.error_page(rt, f"the LogoutResponse was refused: {exc}")
    if answer.in_response_to != pending["request_id"]:
        return federation.error_page(rt, f"the LogoutResponse answers {answer.in_response_to!r}, not the "
                                         f"LogoutRequest {pending['request_id']!r}")
    if answer.issuer not in (None, pending["issuer"]):
        return federation.error_page(rt, f"the LogoutResponse's Issuer is {answer.issuer!r}, not "
                                         f"{pending['issuer']!r}")
    if answer.status != STATUS_SUCCESS:
        return federation.error_page(rt, f"the IdP answered the LogoutRequest with status {answer.status}")
    return redirect(pending["target"])
