"""SAML sign-in through the hosted UI, over the store and the network: sending the AuthnRequest
(SP-initiated) and turning a POSTed response into the verified identity the federated sign-in completes.
The decisions are emulator/saml's pure functions; this module finds their inputs.

AuthnRequests are signed with the pool's GetSigningCertificate key when the provider has
RequestSigningAlgorithm; single logout (IDPSignout) is saml_logout.py's. Not emulated, refused with the reason
before any redirect: encrypted assertions (EncryptedResponses)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import httpx
from fastapi.responses import HTMLResponse, Response

from emulator.cognito.signing_certificate import signing_pair
from emulator.oauth2 import saml_records
from emulator.oauth2.httpio import redirect
from emulator.saml.authn_request import (
    SIGNING_ALGORITHMS,
    RequestSigner,
    authn_request,
    binding_for,
    post_form,
    redirect_url,
    signed_xml,
)
from emulator.saml.idp_metadata import IdpMetadata, read_idp_metadata
from emulator.saml.names import HTTP_REDIRECT, sp_entity_id
from emulator.saml.response_checks import Expected, response_problem
from emulator.saml.signed_response import signed_facts
from emulator.saml.xml_input import MAX_METADATA_BYTES, BadSamlInput, decoded_response
from emulator.state import Kind

if TYPE_CHECKING:
    from emulator.runtime import Runtime

ACS_PATH = "/saml2/idpresponse"
# The error AWS's managed login shows for a SAML response it refuses (error=invalid_request), as quoted by many
# SaaS troubleshooting guides whose sign-in runs on Cognito (e.g. RudderStack, Fireworks AI, Pactflow).
INVALID_RESPONSE = "Invalid samlResponse or relayState from identity provider"
METADATA_TIMEOUT_SECONDS = 5.0


class SamlRefused(Exception):
    """A refused SAML step: the plain-words reason (AWS shows INVALID_RESPONSE)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SamlIdentity:
    """A verified SAML sign-in: the provider, the NameID, the attributes (SAML names -> values, a multi-valued
    attribute written `[a, b]` as Cognito writes it: UNCONFIRMED separator, from aws-samples/
    amazon-cognito-example-for-external-idp's parseGroupsAttribute), and how the sign-in began."""

    pool_id: str
    provider_name: str
    subject: str
    attributes: dict[str, str]
    state: str | None  # the pending authorize request (SP-initiated); None: IdP-initiated
    relay_params: dict[str, str]  # IdP-initiated: the authorize parameters the RelayState carries
    session_index: str | None = None  # the AuthnStatement's SessionIndex (single logout names it)


def joined(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else f"[{', '.join(values)}]"


def unsupported(details: Mapping[str, str]) -> str | None:
    """Why this SAML provider's ProviderDetails ask for something not emulated, or None (pure)."""
    if str(details.get("EncryptedResponses", "")).lower() == "true":
        return "the provider has EncryptedResponses true; encrypted SAML assertions are not emulated"
    algorithm = details.get("RequestSigningAlgorithm")
    if algorithm and algorithm not in SIGNING_ALGORITHMS:
        return f"RequestSigningAlgorithm {algorithm!r} is not one of {sorted(SIGNING_ALGORITHMS)}"
    return None


def saml_provider(rt: Runtime, pool_id: str, name: str) -> dict[str, Any]:
    provider = rt.store.get(Kind.IDENTITY_PROVIDER, pool_id, name)
    if not isinstance(provider, dict) or provider.get("ProviderType") != "SAML":
        raise SamlRefused(f"user pool {pool_id} has no SAML identity provider {name!r}")
    problem = unsupported(provider.get("ProviderDetails") or {})
    if problem:
        raise SamlRefused(f"{name}: {problem}")
    return provider


def provider_metadata(provider: Mapping[str, Any]) -> IdpMetadata:
    """The IdP's metadata: MetadataFile, or what MetadataURL serves now (fetched on each sign-in)."""
    details = provider.get("ProviderDetails") or {}
    document = details.get("MetadataFile")
    if not document:
        url = details.get("MetadataURL") or ""
        try:
            answer = httpx.get(url, timeout=METADATA_TIMEOUT_SECONDS, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            raise SamlRefused(f"{provider['ProviderName']}: MetadataURL {url} could not be read ({exc})") from None
        if answer.status_code != 200 or len(answer.content) > MAX_METADATA_BYTES:
            raise SamlRefused(f"{provider['ProviderName']}: MetadataURL {url} answered {answer.status_code} "
                              f"with {len(answer.content)} bytes")
        document = answer.content
    try:
        return read_idp_metadata(document)
    except BadSamlInput as exc:
        raise SamlRefused(f"{provider['ProviderName']}: {exc}") from None


def start(rt: Runtime, base_url: str, pool_id: str, provider_name: str, state: str) -> Response:
    """SP-initiated: send the user to the IdP with an AuthnRequest; the RelayState is the authorize `state`."""
    provider = saml_provider(rt, pool_id, provider_name)
    metadata = provider_metadata(provider)
    binding, sso_url = binding_for(metadata)
    request_id = f"_{uuid.uuid4().hex}"
    acs_url = base_url.rstrip("/") + ACS_PATH
    now = rt.clock()
    saml_records.put_request(rt.store, state, saml_records.SentRequest(request_id, pool_id, provider_name, acs_url,
                                                                       now, state))
    algorithm = (provider.get("ProviderDetails") or {}).get("RequestSigningAlgorithm")
    signer = request_signer(rt, pool_id, algorithm) if algorithm else None
    if binding == HTTP_REDIRECT:
        return redirect(redirect_url(sso_url, authn_request(request_id, pool_id, sso_url, acs_url, now), state, signer))
    xml = authn_request(request_id, pool_id, sso_url, acs_url, now, signature_slot=signer is not None)
    return HTMLResponse(post_form(sso_url, signed_xml(xml, signer) if signer else xml, state))


def certificate_pem(certificate_b64: str) -> str:
    """GetSigningCertificate's Base64 DER body in PEM armour."""
    lines = [certificate_b64[i:i + 64] for i in range(0, len(certificate_b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def request_signer(rt: Runtime, pool_id: str, algorithm: str) -> RequestSigner:
    """The pool's key and certificate (the one GetSigningCertificate returns) for signing AuthnRequests."""
    certificate, key = signing_pair(rt, pool_id)
    return RequestSigner(key, certificate_pem(certificate), algorithm)


def _idp_initiated(rt: Runtime, relay_state: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """(pool id, provider, authorize parameters) of an IdP-initiated response's RelayState, or SamlRefused."""
    try:
        params = dict(parse_qsl(relay_state, keep_blank_values=True, max_num_fields=32))
    except ValueError:
        raise SamlRefused("the RelayState has more than 32 parameters") from None
    client = rt.store.client(params.get("client_id", "")) if params.get("client_id") else None
    if client is None:
        raise SamlRefused("the RelayState names no pending sign-in of this emulator and no app client (an "
                          "IdP-initiated RelayState carries identity_provider, client_id, redirect_uri, "
                          "response_type and scope)")
    name = params.get("identity_provider") or ""
    if not name and params.get("idp_identifier"):
        name = next((p["ProviderName"] for _, _, p in rt.store.items(Kind.IDENTITY_PROVIDER, client.pool_id)
                     if params["idp_identifier"] in (p.get("IdpIdentifiers") or ())), "")
    provider = saml_provider(rt, client.pool_id, name)
    if str((provider.get("ProviderDetails") or {}).get("IDPInit", "")).lower() != "true":
        raise SamlRefused(f"an IdP-initiated response (no AuthnRequest was sent for this RelayState) for {name}, "
                          "whose ProviderDetails lack IDPInit true")
    if name not in client.supported_identity_providers:
        raise SamlRefused(f"client {client.client_id} does not list {name} in SupportedIdentityProviders")
    others = [p for p in client.supported_identity_providers if p != name and
              (p == "COGNITO" or (rt.store.get(Kind.IDENTITY_PROVIDER, client.pool_id, p) or {})
               .get("ProviderType") != "SAML")]
    if others:
        raise SamlRefused(f"client {client.client_id} also supports {others}; AWS accepts IdP-initiated SAML only "
                          "for app clients without non-SAML providers (COGNITO included)")
    return client.pool_id, provider, params


def finish(rt: Runtime, base_url: str, saml_response: str, relay_state: str) -> SamlIdentity:
    """The verified identity of a POSTed response, or SamlRefused with the reason."""
    sent = saml_records.sent_request(rt.store, relay_state) if relay_state else None
    if sent is not None:
        pool_id, provider = sent.pool_id, saml_provider(rt, sent.pool_id, sent.provider_name)
        expected_acs, relay_params = sent.acs_url, {}
    else:
        pool_id, provider, relay_params = _idp_initiated(rt, relay_state)
        expected_acs = base_url.rstrip("/") + ACS_PATH
    metadata = provider_metadata(provider)
    now = rt.clock()
    try:
        facts = signed_facts(decoded_response(saml_response), metadata.certificates, now)
    except BadSamlInput as exc:
        raise SamlRefused(f"{provider['ProviderName']}: {exc}") from None
    expected = Expected(metadata.entity_id, sp_entity_id(pool_id), expected_acs,
                        sent.request_id if sent else None, sent.sent_at if sent else None)
    problem = response_problem(facts, expected, now)
    if problem:
        raise SamlRefused(f"{provider['ProviderName']}: {problem}")
    until = max(filter(None, [facts.not_on_or_after, *(c.not_on_or_after for c in facts.confirmations)]),
                default=now + 3600)
    if not saml_records.use_assertion(rt.store, metadata.entity_id, facts.assertion_id, until):
        raise SamlRefused(f"{provider['ProviderName']}: assertion {facts.assertion_id} was already used to sign in")
    if sent is not None:
        saml_records.forget_request(rt.store, relay_state)
    attributes = {name: joined(values) for name, values in facts.attributes.items() if values}
    return SamlIdentity(pool_id, provider["ProviderName"], facts.name_id or "", attributes,
                        sent.state if sent else None, relay_params, facts.session_index)
