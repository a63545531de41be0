"""The SP-initiated AuthnRequest a pool sends its SAML IdP, and the two ways to send it: the HTTP-Redirect
binding (deflated, base64, in the query) when the IdP's metadata offers it, else an auto-posted HTML form
(HTTP-POST binding). Pure: ids and times are given."""

from __future__ import annotations

import base64
import html
import zlib
from datetime import UTC, datetime
from urllib.parse import urlencode
from xml.sax.saxutils import quoteattr

from emulator.saml.idp_metadata import IdpMetadata
from emulator.saml.names import HTTP_POST, HTTP_REDIRECT, NAMEID_UNSPECIFIED, SAML, SAMLP, sp_entity_id


def instant(now: float) -> str:
    """SAML's xs:dateTime in UTC: 2026-01-02T03:04:05Z."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def authn_request(request_id: str, pool_id: str, destination: str, acs_url: str, now: float) -> str:
    """The AuthnRequest XML: Issuer the pool's SP entity id, the response asked for by HTTP-POST at acs_url."""
    return (f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID={quoteattr(request_id)} '
            f'Version="2.0" IssueInstant="{instant(now)}" Destination={quoteattr(destination)} '
            f'AssertionConsumerServiceURL={quoteattr(acs_url)} ProtocolBinding="{HTTP_POST}">'
            f"<saml:Issuer>{html.escape(sp_entity_id(pool_id), quote=False)}</saml:Issuer>"
            f'<samlp:NameIDPolicy Format="{NAMEID_UNSPECIFIED}" AllowCreate="true"/>'
            "</samlp:AuthnRequest>")


def redirect_url(sso_url: str, request_xml: str, relay_state: str) -> str:
    """HTTP-Redirect binding (SAML bindings §3.4.4.1): raw DEFLATE, base64, URL-encoded."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(request_xml.encode()) + compressor.flush()
    query = urlencode({"SAMLRequest": base64.b64encode(deflated).decode(), "RelayState": relay_state})
    return f"{sso_url}{'&' if '?' in sso_url else '?'}{query}"


def post_form(sso_url: str, request_xml: str, relay_state: str) -> str:
    """HTTP-POST binding (SAML bindings §3.5): a page that posts SAMLRequest and RelayState by itself."""
    encoded = base64.b64encode(request_xml.encode()).decode()
    return ("<!DOCTYPE html><html><head><title>Signing in</title></head>"
            '<body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(sso_url)}">'
            f'<input type="hidden" name="SAMLRequest" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            "<noscript><button type=\"submit\">Continue to your identity provider</button></noscript>"
            "</form></body></html>")


def binding_for(metadata: IdpMetadata) -> tuple[str, str]:
    """(binding, SSO URL): HTTP-Redirect when the IdP offers it, else HTTP-POST (read_idp_metadata ensures one)."""
    if metadata.sso.get(HTTP_REDIRECT):
        return HTTP_REDIRECT, metadata.sso[HTTP_REDIRECT]
    return HTTP_POST, metadata.sso[HTTP_POST]
