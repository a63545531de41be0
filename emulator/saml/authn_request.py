"""The SP-initiated AuthnRequest a pool sends its SAML IdP, and the two ways to send it: the HTTP-Redirect
binding (deflated, base64, in the query) when the IdP's metadata offers it, else an auto-posted HTML form
(HTTP-POST binding). Signed when the provider has RequestSigningAlgorithm (rsa-sha256, its one value): the
redirect's query signature of SAML bindings §3.4.4.1, or an enveloped XML signature for POST. Pure: ids, times
and the pool's key are given."""

from __future__ import annotations

import base64
import html
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode
from xml.sax.saxutils import quoteattr

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from signxml import XMLSigner, methods

from emulator.saml.idp_metadata import IdpMetadata
from emulator.saml.names import DS, HTTP_POST, HTTP_REDIRECT, NAMEID_UNSPECIFIED, SAML, SAMLP, sp_entity_id

# RequestSigningAlgorithm -> the XML-DSig URI (CreateIdentityProvider's ProviderDetails: "rsa-sha256" only).
SIGNING_ALGORITHMS = {"rsa-sha256": "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"}
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


@dataclass(frozen=True)
class RequestSigner:
    """The pool's signing key and certificate (PEM), for providers with RequestSigningAlgorithm."""

    key_pem: str
    certificate_pem: str
    algorithm: str = "rsa-sha256"


def instant(now: float) -> str:
    """SAML's xs:dateTime in UTC: 2026-01-02T03:04:05Z."""
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def authn_request(request_id: str, pool_id: str, destination: str, acs_url: str, now: float,
                  signature_slot: bool = False) -> str:
    """The AuthnRequest XML: Issuer the pool's SP entity id, the response asked for by HTTP-POST at acs_url.
    `signature_slot`: a placeholder after the Issuer, where the schema wants an enveloped signature."""
    slot = f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>' if signature_slot else ""
    return (f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID={quoteattr(request_id)} '
            f'Version="2.0" IssueInstant="{instant(now)}" Destination={quoteattr(destination)} '
            f'AssertionConsumerServiceURL={quoteattr(acs_url)} ProtocolBinding="{HTTP_POST}">'
            f"<saml:Issuer>{html.escape(sp_entity_id(pool_id), quote=False)}</saml:Issuer>{slot}"
            f'<samlp:NameIDPolicy Format="{NAMEID_UNSPECIFIED}" AllowCreate="true"/>'
            "</samlp:AuthnRequest>")


def redirect_url(sso_url: str, request_xml: str, relay_state: str, signer: RequestSigner | None = None) -> str:
    """HTTP-Redirect binding (SAML bindings §3.4.4.1): raw DEFLATE, base64, URL-encoded; signed, the query
    `SAMLRequest=..&RelayState=..&SigAlg=..` as sent is what the Signature parameter signs."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = compressor.compress(request_xml.encode()) + compressor.flush()
    fields = {"SAMLRequest": base64.b64encode(deflated).decode(), "RelayState": relay_state}
    if signer is not None:
        fields["SigAlg"] = SIGNING_ALGORITHMS[signer.algorithm]
    query = urlencode(fields)
    if signer is not None:
        key = serialization.load_pem_private_key(signer.key_pem.encode(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        signature = key.sign(query.encode(), padding.PKCS1v15(), hashes.SHA256())
        query += "&" + urlencode({"Signature": base64.b64encode(signature).decode()})
    return f"{sso_url}{'&' if '?' in sso_url else '?'}{query}"


def signed_xml(request_xml: str, signer: RequestSigner) -> str:
    """The AuthnRequest with an enveloped RSA-SHA256 signature in its placeholder (for the POST binding)."""
    element = etree.fromstring(request_xml.encode())
    signed = XMLSigner(method=methods.enveloped, signature_algorithm=signer.algorithm, digest_algorithm="sha256",
                       c14n_algorithm=EXC_C14N).sign(element, key=signer.key_pem.encode(),
                                                     cert=signer.certificate_pem, reference_uri=element.get("ID"))
    return etree.tostring(signed).decode()


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
