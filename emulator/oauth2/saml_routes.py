"""The hosted UI's SAML routes on the Cognito port: POST /saml2/idpresponse (the assertion consumer service,
SP- and IdP-initiated), GET /saml2/metadata (the pool's SP metadata), and the SAML starter of
/oauth2/authorize?identity_provider=<SAML provider> (federation_start.STARTERS["SAML"]). A verified response
ends in federation.complete_federated_sign_in like every other IdP's.

Where AWS serves SP metadata is not in its documentation (the console offers a download; third-party stacks cite
`https://<domain>/saml2/metadata`: UNCONFIRMED). The emulator serves all pools on one host, so it takes
`?client_id=` (as the rest of the hosted UI finds the pool) or `?user_pool_id=`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response

from emulator.cognito.signing_certificate import signing_pair
from emulator.oauth2 import (
    federation,
    federation_requests,
    federation_start,
    login,
    records,
    saml_logout,
    saml_records,
    saml_sign_in,
)
from emulator.oauth2.authorize import AuthorizeRequest
from emulator.oauth2.federation_requests import PendingFederation
from emulator.oauth2.saml_sign_in import ACS_PATH, INVALID_RESPONSE, SamlIdentity, SamlRefused
from emulator.runtime import Runtime
from emulator.saml.sp_metadata import sp_metadata
from emulator.saml.xml_input import MAX_SAML_RESPONSE_CHARS

MAX_FORM_BYTES = MAX_SAML_RESPONSE_CHARS * 3 + 8192  # a 100,000-character SAMLResponse, URL-encoded, and RelayState


def _start(rt: Runtime, found: login.Resolved, provider: Mapping[str, Any], state: str,
           pending: PendingFederation, base_url: str) -> Response:
    assert found.pool is not None
    try:
        return saml_sign_in.start(rt, base_url, found.pool.id, provider["ProviderName"], state)
    except SamlRefused as refused:
        federation_requests.take(rt.store, state)
        return federation_start.not_available(rt, found, refused.reason, status=502)


federation_start.STARTERS["SAML"] = _start  # the seam's registry: "SAML registers its own"


def _refused(rt: Runtime, relay_state: str, reason: str) -> Response:
    """AWS's SAML refusal: back at the app (error=invalid_request) when the sign-in is known, else a page."""
    pending = federation_requests.take(rt.store, relay_state) if relay_state else None
    if pending is not None:
        found = login.resolve(rt, pending.params)
        if isinstance(found.decision, AuthorizeRequest):
            return federation.app_error(rt, found.decision, reason, INVALID_RESPONSE)
    return federation.error_page(rt, f"{INVALID_RESPONSE}: {reason}")


def _signed_in(rt: Runtime, request: Request, identity: SamlIdentity) -> Response:
    external = federation.ExternalIdentity(identity.provider_name, "SAML", identity.subject, identity.attributes)
    state = identity.state
    if state is None:  # IdP-initiated: the RelayState's authorize parameters become the pending request
        carried = {k: v for k, v in identity.relay_params.items() if k not in ("identity_provider", "idp_identifier")}
        state, _ = federation_requests.open_request(rt.store, carried, identity.provider_name, rt.clock())
    response = federation.complete_federated_sign_in(rt, request, state, external)
    cookie = _session_cookie(response)
    if cookie:  # the browser session now stands for this SAML session (single logout needs its NameID)
        saml_records.put_session(rt.store, cookie, identity.pool_id, saml_records.SamlSession(
            identity.provider_name, identity.subject, identity.session_index), rt.clock() + records.SESSION_SECONDS)
    return response


def _session_cookie(response: Response) -> str | None:
    """The managed-login session cookie a sign-in's response sets, if it set one."""
    prefix = records.SESSION_COOKIE + "="
    for header in response.headers.getlist("set-cookie"):
        if header.startswith(prefix):
            return header[len(prefix):].split(";", 1)[0].strip('"') or None
    return None


def idp_response(rt: Runtime, request: Request, form: Mapping[str, str]) -> Response:
    relay_state = form.get("RelayState") or form.get("Relaystate") or ""  # AWS's IdP-initiated docs spell both
    if not form.get("SAMLResponse"):
        return _refused(rt, relay_state, "the POST has no SAMLResponse")
    try:
        identity = saml_sign_in.finish(rt, str(request.base_url), form["SAMLResponse"], relay_state)
    except SamlRefused as refused:
        return _refused(rt, relay_state, refused.reason)
    return _signed_in(rt, request, identity)


def metadata(rt: Runtime, params: Mapping[str, str], base_url: str) -> Response:
    client = rt.store.client(params["client_id"]) if params.get("client_id") else None
    pool_id = client.pool_id if client else params.get("user_pool_id", "")
    if not pool_id or rt.store.pool(pool_id) is None:
        return federation.error_page(rt, "GET /saml2/metadata needs ?client_id=<an app client> or "
                                         "?user_pool_id=<a user pool> (one host serves every pool here)", 404)
    base = base_url.rstrip("/")
    return Response(sp_metadata(pool_id, base + ACS_PATH, signing_pair(rt, pool_id)[0], base + saml_logout.LOGOUT_PATH),
                    media_type="application/samlmetadata+xml")


async def _form(request: Request) -> dict[str, str] | str:
    """The POSTed form, or why it cannot be read."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return f"the body is larger than {MAX_FORM_BYTES} bytes (AWS takes SAML responses of up to " \
                   f"{MAX_SAML_RESPONSE_CHARS} characters)"
    try:
        return dict(parse_qsl(bytes(body).decode("utf-8"), keep_blank_values=True, max_num_fields=16))
    except (UnicodeDecodeError, ValueError):
        return "the body is not a UTF-8 form with at most 16 fields"


def add_routes(rt: Runtime, router: APIRouter) -> None:
    """Add the SAML routes to the hosted UI's router."""

    @router.post(ACS_PATH)
    async def idpresponse(request: Request) -> Response:
        form = await _form(request)
        if isinstance(form, str):
            reason = form
            return await federation.off_loop(rt, lambda: federation.error_page(rt, f"{INVALID_RESPONSE}: {reason}"))
        return await federation.off_loop(rt, lambda: idp_response(rt, request, form))

    @router.post(saml_logout.LOGOUT_PATH)
    async def logout_response(request: Request) -> Response:
        form = await _form(request)
        if isinstance(form, str):
            reason = form
            return await federation.off_loop(rt, lambda: federation.error_page(rt, reason))
        return await federation.off_loop(rt, lambda: saml_logout.finish_logout(rt, form))

    @router.get("/saml2/metadata")
    async def sp_metadata_document(request: Request) -> Response:
        params, base = dict(request.query_params), str(request.base_url)
        return await federation.off_loop(rt, lambda: metadata(rt, params, base))

