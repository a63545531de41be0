"""A small real SAML 2.0 IdP for tests: its own RSA key and self-signed certificate, metadata, responses signed
with signxml (Response and/or Assertion), and an HTTP server with a sign-in page that answers AuthnRequests
(HTTP-Redirect binding) by auto-posting a signed response to the requester's ACS URL."""

from __future__ import annotations

import base64
import datetime
import html
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner, methods

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


def new_key_and_certificate(name: str = "test-saml-idp") -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=365)).sign(key, hashes.SHA256()))
    return key, cert


def instant(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SamlIdp:
    """Signs SAML responses as a real IdP would. `clock` gives the IdP's time (the emulator's, in tests)."""

    def __init__(self, entity_id: str = "https://idp.test/metadata", clock: Callable[[], float] = time.time) -> None:
        self.entity_id, self.clock = entity_id, clock
        self.key, self.cert = new_key_and_certificate()
        self.base_url = "http://127.0.0.1:1"  # set by serve()
        self.users: dict[str, dict[str, str | list[str]]] = {}  # name id -> SAML attributes the IdP asserts
        self.sp_certificate: x509.Certificate | None = None  # set: AuthnRequests must be signed with its key
        self.requests: list[etree._Element] = []  # the AuthnRequests and LogoutRequests received, newest last
        self.sp_logout_url = ""  # where LogoutResponses are posted (the SP's /saml2/logout)

    @property
    def cert_b64(self) -> str:
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()

    def metadata(self, redirect: bool = True) -> str:
        binding = "HTTP-Redirect" if redirect else "HTTP-POST"
        return (f'<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{self.entity_id}">'
                f'<md:IDPSSODescriptor protocolSupportEnumeration="{SAMLP}">'
                f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{self.cert_b64}'
                "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
                f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:{binding}" '
                f'Location="{self.base_url}/sso"/>'
                f'<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
                f'Location="{self.base_url}/slo"/>'
                "</md:IDPSSODescriptor></md:EntityDescriptor>")

    def _sign(self, element: etree._Element) -> etree._Element:
        signer = XMLSigner(method=methods.enveloped, signature_algorithm="rsa-sha256", digest_algorithm="sha256",
                           c14n_algorithm=EXC_C14N)
        pem_key = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        return signer.sign(element, key=pem_key, cert=self.cert.public_bytes(serialization.Encoding.PEM).decode(),
                           reference_uri=element.get("ID"))

    def assertion(self, acs_url: str, audience: str, name_id: str, attributes: Mapping[str, str | list[str]],
                  in_response_to: str | None = None, lifetime: int = 300,
                  issuer: str | None = None) -> etree._Element:
        now = self.clock()
        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        values = "".join(
            f'<saml:Attribute Name="{html.escape(name)}">' + "".join(
                f"<saml:AttributeValue>{html.escape(v)}</saml:AttributeValue>"
                for v in (value if isinstance(value, list) else [value])) + "</saml:Attribute>"
            for name, value in attributes.items())
        xml = (f'<saml:Assertion xmlns:saml="{SAML}" ID="_a{uuid.uuid4().hex}" Version="2.0" '
               f'IssueInstant="{instant(now)}"><saml:Issuer>{issuer or self.entity_id}</saml:Issuer>'
               f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>'
               f'<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
               f"{html.escape(name_id)}</saml:NameID>"
               f'<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
               f'<saml:SubjectConfirmationData Recipient="{acs_url}" NotOnOrAfter="{instant(now + lifetime)}"{irt}/>'
               f"</saml:SubjectConfirmation></saml:Subject>"
               f'<saml:Conditions NotBefore="{instant(now - 5)}" NotOnOrAfter="{instant(now + lifetime)}">'
               f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>"
               f"</saml:Conditions>"
               f'<saml:AuthnStatement AuthnInstant="{instant(now)}" SessionIndex="_s{uuid.uuid4().hex}">'
               "<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password"
               "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
               f"<saml:AttributeStatement>{values}</saml:AttributeStatement></saml:Assertion>")
        return etree.fromstring(xml)

    def response_xml(self, acs_url: str, audience: str, name_id: str,
                     attributes: Mapping[str, str | list[str]] | None = None, in_response_to: str | None = None,
                     sign: str = "response", status: str = "urn:oasis:names:tc:SAML:2.0:status:Success",
                     **assertion_options: Any) -> bytes:
        """A Response; `sign`: "response", "assertion", "both" or "none"."""
        assertion = self.assertion(acs_url, audience, name_id, attributes or {}, in_response_to, **assertion_options)
        if sign in ("assertion", "both"):
            assertion = self._sign(assertion)
        else:
            assertion.remove(assertion.find(f"{{{DS}}}Signature"))
        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        response = etree.fromstring(
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{uuid.uuid4().hex}" Version="2.0" '
            f'IssueInstant="{instant(self.clock())}" Destination="{acs_url}"{irt}>'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            f'<ds:Signature xmlns:ds="{DS}" Id="placeholder"/>'
            f'<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status></samlp:Response>')
        response.append(assertion)
        if sign in ("response", "both"):
            response = self._sign(response)
        else:
            response.remove(response.find(f"{{{DS}}}Signature"))
        return etree.tostring(response)

    def logout_response(self, in_response_to: str, status: str = "urn:oasis:names:tc:SAML:2.0:status:Success") -> str:
        xml = (f'<samlp:LogoutResponse xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_l{uuid.uuid4().hex}" '
               f'Version="2.0" IssueInstant="{instant(self.clock())}" Destination="{self.sp_logout_url}" '
               f'InResponseTo="{in_response_to}"><saml:Issuer>{self.entity_id}</saml:Issuer>'
               f'<samlp:Status><samlp:StatusCode Value="{status}"/></samlp:Status></samlp:LogoutResponse>')
        return base64.b64encode(xml.encode()).decode()

    def response(self, *args: Any, **kwargs: Any) -> str:
        """response_xml, base64 as an HTTP-POST binding carries it."""
        return base64.b64encode(self.response_xml(*args, **kwargs)).decode()


def read_authn_request(encoded: str) -> etree._Element:
    """An HTTP-Redirect SAMLRequest (deflated, base64) as XML."""
    return etree.fromstring(zlib.decompress(base64.b64decode(encoded), -15))


def _auto_post(action: str, saml_response: str, relay_state: str) -> str:
    """A page that posts SAMLResponse and RelayState to `action` by itself (HTTP-POST binding)."""
    return ('<!DOCTYPE html><html><body onload="document.forms[0].submit()">'
            f'<form method="post" action="{html.escape(action)}">'
            f'<input type="hidden" name="SAMLResponse" value="{saml_response}">'
            f'<input type="hidden" name="RelayState" value="{html.escape(relay_state)}">'
            "</form></body></html>")


def _signature_valid(raw_query: str, certificate: x509.Certificate) -> bool:
    """SAML bindings §3.4.4.1: Signature over `SAMLRequest=..&RelayState=..&SigAlg=..` exactly as sent."""
    parts = dict(part.split("=", 1) for part in raw_query.split("&") if "=" in part)
    if "Signature" not in parts or "SigAlg" not in parts:
        return False
    signed = "&".join(f"{name}={parts[name]}" for name in ("SAMLRequest", "RelayState", "SigAlg") if name in parts)
    try:
        certificate.public_key().verify(base64.b64decode(unquote(parts["Signature"])), signed.encode(),
                                        padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def _handler(idp: SamlIdp, audience: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: str, content_type: str = "text/html") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if url.path == "/metadata":
                return self._send(200, idp.metadata(), "application/samlmetadata+xml")
            if url.path == "/slo" and "SAMLRequest" in query:
                if idp.sp_certificate is not None and not _signature_valid(url.query, idp.sp_certificate):
                    return self._send(403, "the LogoutRequest is not signed with the SP's key")
                logout = read_authn_request(query["SAMLRequest"])
                idp.requests.append(logout)
                return self._send(200, _auto_post(idp.sp_logout_url, idp.logout_response(logout.get("ID") or ""),
                                                  query.get("RelayState", "")))
            if url.path != "/sso" or "SAMLRequest" not in query:
                return self._send(404, "not found")
            if idp.sp_certificate is not None and not _signature_valid(url.query, idp.sp_certificate):
                return self._send(403, "the AuthnRequest is not signed with the SP's key")
            request = read_authn_request(query["SAMLRequest"])
            idp.requests.append(request)
            fields = {"request_id": request.get("ID"), "acs": request.get("AssertionConsumerServiceURL"),
                      "relay": query.get("RelayState", "")}
            hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v or "")}">'
                             for k, v in fields.items())
            options = "".join(f'<option value="{html.escape(u)}">{html.escape(u)}</option>' for u in idp.users)
            self._send(200, "<!DOCTYPE html><html><body><h1>Test SAML IdP</h1>"
                            f'<form method="post" action="/sso/login">{hidden}'
                            f'<select name="name_id" id="user">{options}</select>'
                            '<button type="submit" id="sign-in">Sign in</button></form></body></html>')

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[-1] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            name_id = form.get("name_id", "")
            encoded = idp.response(form["acs"], audience, name_id, idp.users.get(name_id, {}),
                                   in_response_to=form.get("request_id"))
            self._send(200, _auto_post(form["acs"], encoded, form.get("relay", "")))

    return Handler


@contextmanager
def serving(idp: SamlIdp, audience: str) -> Iterator[SamlIdp]:
    """The IdP on a free local port (metadata at /metadata, SSO at /sso) until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(idp, audience))
    idp.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()
        server.server_close()
