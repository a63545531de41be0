"""The SAML pure parts as tables: IdP metadata, AuthnRequests, and responses signed by a real test IdP
(signxml) checked for signature, shape and conditions, including hostile input (XML bombs, external entities,
signature wrapping, unsigned or tampered assertions, foreign keys): each refused with a reason, never an error."""

from __future__ import annotations

import base64
import time
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from emulator.saml.authn_request import authn_request, binding_for, post_form, redirect_url
from emulator.saml.idp_metadata import read_idp_metadata
from emulator.saml.names import HTTP_POST, HTTP_REDIRECT, SAML, sp_entity_id
from emulator.saml.response_checks import Expected, response_problem
from emulator.saml.signed_response import NotEmulatedSaml, ResponseFacts, saml_time, signed_facts
from emulator.saml.sp_metadata import sp_metadata
from emulator.saml.xml_input import BadSamlInput, decoded_response, parsed
from tests.saml_idp import SamlIdp

POOL = "us-east-1_Saml00001"
ACS = "http://127.0.0.1:9229/saml2/idpresponse"
AUDIENCE = sp_entity_id(POOL)
NOW = float(int(time.time()))  # the test IdP's certificate is valid from a day ago for a year
IDP = SamlIdp(clock=lambda: NOW)
OTHER_IDP = SamlIdp(clock=lambda: NOW)  # same entity id, another key
METADATA = read_idp_metadata(IDP.metadata())


def facts(xml: bytes) -> ResponseFacts:
    return signed_facts(xml, METADATA.certificates, NOW)


def test_metadata_is_read() -> None:
    assert METADATA.entity_id == IDP.entity_id and len(METADATA.certificates) == 1
    assert binding_for(METADATA) == (HTTP_REDIRECT, f"{IDP.base_url}/sso")
    post_only = read_idp_metadata(IDP.metadata(redirect=False))
    assert binding_for(post_only) == (HTTP_POST, f"{IDP.base_url}/sso")


@pytest.mark.parametrize(("document", "words"), [
    ("<x/>", "no EntityDescriptor"),
    ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="e"/>', "IDPSSODescriptor"),
    ("not xml", "not well-formed"),
    ('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DTD"),
])
def test_bad_metadata(document: str, words: str) -> None:
    with pytest.raises(BadSamlInput, match=words):
        read_idp_metadata(document)


def test_authn_request_bindings() -> None:
    xml = authn_request("_r1", POOL, "https://idp/sso", ACS, NOW)
    root = etree.fromstring(xml.encode())
    assert root.get("ID") == "_r1" and root.get("AssertionConsumerServiceURL") == ACS
    assert root.findtext(f"{{{SAML}}}Issuer") == AUDIENCE
    url = redirect_url("https://idp/sso", xml, "st&ate")
    query = dict(p.split("=", 1) for p in url.split("?", 1)[1].split("&"))
    assert query["RelayState"] == "st%26ate"
    from urllib.parse import unquote
    assert zlib.decompress(base64.b64decode(unquote(query["SAMLRequest"])), -15).decode() == xml
    assert 'name="SAMLRequest"' in post_form("https://idp/sso", xml, "s")


def test_signed_authn_requests() -> None:
    from cryptography import x509
    from signxml import XMLVerifier

    from emulator.cognito.signing_certificate import new_certificate
    from emulator.oauth2.saml_sign_in import certificate_pem
    from emulator.saml.authn_request import RequestSigner, signed_xml
    from tests.saml_idp import _signature_valid

    certificate, key = new_certificate(POOL, NOW)
    signer = RequestSigner(key, certificate_pem(certificate))
    cert = x509.load_pem_x509_certificate(signer.certificate_pem.encode())
    url = redirect_url("https://idp/sso", authn_request("_r2", POOL, "https://idp/sso", ACS, NOW), "rs", signer)
    assert "&SigAlg=" in url and _signature_valid(url.split("?", 1)[1], cert)
    assert not _signature_valid(url.split("?", 1)[1].replace("RelayState=rs", "RelayState=rt"), cert)
    posted = signed_xml(authn_request("_r3", POOL, "https://idp/sso", ACS, NOW, signature_slot=True), signer)
    assert XMLVerifier().verify(posted.encode(), x509_cert=cert).signed_xml.get("ID") == "_r3"


def test_sp_metadata() -> None:
    root = etree.fromstring(sp_metadata(POOL, ACS).encode())
    assert root.get("entityID") == AUDIENCE and ACS in sp_metadata(POOL, ACS)


@pytest.mark.parametrize("sign", ["response", "assertion", "both"])
def test_signed_responses_verify(sign: str) -> None:
    got = facts(IDP.response_xml(ACS, AUDIENCE, "alice", {"email": "a@x.test", "groups": ["g1", "g2"]},
                                 in_response_to="_req", sign=sign))
    assert got.name_id == "alice" and got.attributes == {"email": ("a@x.test",), "groups": ("g1", "g2")}
    assert got.response_signed is (sign != "assertion")
    assert response_problem(got, Expected(IDP.entity_id, AUDIENCE, ACS, "_req", NOW), NOW) is None


def _tampered_name(xml: bytes) -> bytes:
    return xml.replace(b">alice<", b">mallory<")


def _wrapped_extra_assertion(xml: bytes) -> bytes:
    """XSW: a forged assertion put before the signed one."""
    root = etree.fromstring(xml)
    forged = IDP.assertion(ACS, AUDIENCE, "mallory", {})
    root.insert(2, forged)
    return etree.tostring(root)


def _wrapped_in_extensions(xml: bytes) -> bytes:
    """XSW: the signed assertion hidden in Extensions, a forged one where the SP looks."""
    root = etree.fromstring(xml)
    signed = root.find(f"{{{SAML}}}Assertion")
    extensions = etree.SubElement(root, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    root.remove(signed)
    extensions.append(signed)
    root.append(IDP.assertion(ACS, AUDIENCE, "mallory", {}))
    return etree.tostring(root)


def _duplicate_id(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    signed = root.find(f"{{{SAML}}}Assertion")
    forged = IDP.assertion(ACS, AUDIENCE, "mallory", {})
    forged.set("ID", signed.get("ID"))
    root.remove(signed)
    root.append(forged)
    holder = etree.SubElement(root, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    holder.append(signed)
    return etree.tostring(root)


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
        b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&lol3;</samlp:Response>')
XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>')


@pytest.mark.parametrize(("make", "words"), [
    (lambda: IDP.response_xml(ACS, AUDIENCE, "alice", sign="none"), "neither the Response nor its Assertion"),
    (lambda: _tampered_name(IDP.response_xml(ACS, AUDIENCE, "alice", sign="response")), "does not verify"),
    (lambda: _tampered_name(IDP.response_xml(ACS, AUDIENCE, "alice", sign="assertion")), "does not verify"),
    (lambda: OTHER_IDP.response_xml(ACS, AUDIENCE, "alice"), "does not verify"),
    (lambda: _wrapped_extra_assertion(IDP.response_xml(ACS, AUDIENCE, "alice", sign="assertion")), "exactly one"),
    (lambda: _wrapped_in_extensions(IDP.response_xml(ACS, AUDIENCE, "alice", sign="assertion")), "exactly one"),
    (lambda: _duplicate_id(IDP.response_xml(ACS, AUDIENCE, "alice", sign="assertion")), "exactly one"),
    (lambda: BOMB, "DTD"),
    (lambda: XXE, "DTD"),
    (lambda: b"<notxml", "not well-formed"),
    (lambda: b"<a/>", "not samlp:Response"),
])
def test_hostile_or_unsigned_responses_are_refused(make: Any, words: str) -> None:
    with pytest.raises(BadSamlInput, match=words):
        facts(make())


def test_encrypted_assertions_are_not_emulated() -> None:
    xml = IDP.response_xml(ACS, AUDIENCE, "alice").replace(b"saml:Assertion", b"saml:EncryptedAssertion")
    with pytest.raises(NotEmulatedSaml):
        facts(xml)


def test_input_limits() -> None:
    with pytest.raises(BadSamlInput, match="100000"):
        decoded_response("A" * 100_001)
    with pytest.raises(BadSamlInput, match="base64"):
        decoded_response("!!!")
    with pytest.raises(BadSamlInput):
        parsed(b"<a/>" * 10, "doc", limit=5)


SP_INIT = Expected(IDP.entity_id, AUDIENCE, ACS, "_req", NOW)
IDP_INIT = Expected(IDP.entity_id, AUDIENCE, ACS, None)


@pytest.mark.parametrize(("options", "expected", "now", "words"), [
    ({"in_response_to": "_req"}, SP_INIT, NOW, None),
    ({"in_response_to": "_other"}, SP_INIT, NOW, "InResponseTo '_other' is not the AuthnRequest"),
    ({}, SP_INIT, NOW, "InResponseTo None"),
    ({"in_response_to": "_req"}, SP_INIT, NOW + 301, "NotOnOrAfter"),
    ({"in_response_to": "_req", "lifetime": 3600}, SP_INIT, NOW + 301, "within 5 minutes"),
    ({"in_response_to": "_req"}, SP_INIT, NOW - 60, "NotBefore"),
    ({}, IDP_INIT, NOW, None),
    ({"in_response_to": "_req"}, IDP_INIT, NOW, "IdP-initiated"),
    ({"lifetime": 3600}, IDP_INIT, NOW + 361, "previous 6 minutes"),
    ({"in_response_to": "_req", "issuer": "https://evil"}, SP_INIT, NOW, "Issuer"),
    ({"in_response_to": "_req", "audience": "urn:amazon:cognito:sp:other"}, SP_INIT, NOW, "Audience"),
    ({"in_response_to": "_req", "acs_url": "https://elsewhere/acs"}, SP_INIT, NOW, "Recipient"),
    ({"in_response_to": "_req", "status": "urn:oasis:names:tc:SAML:2.0:status:Requester"}, SP_INIT, NOW, "status"),
])
def test_response_checks(options: dict[str, Any], expected: Expected, now: float, words: str | None) -> None:
    acs, audience = options.pop("acs_url", ACS), options.pop("audience", AUDIENCE)
    got = facts(IDP.response_xml(acs, audience, "alice", {}, **options))
    problem = response_problem(got, expected, now)
    assert (problem is None) if words is None else (problem is not None and words in problem), problem


@pytest.mark.parametrize(("text", "seconds"), [
    ("2027-01-15T08:00:00Z", 1800000000.0), ("2027-01-15T08:00:00.1234567Z", 1800000000.123456),
    ("2027-01-15T08:00:00", None), ("nonsense", None), (None, None),
])
def test_saml_time(text: str | None, seconds: float | None) -> None:
    assert saml_time(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_real_clock_idp() -> None:  # the IdP on the wall clock, as in the end-to-end tests
    idp = SamlIdp()
    got = signed_facts(idp.response_xml(ACS, AUDIENCE, "bob"), read_idp_metadata(idp.metadata()).certificates,
                       time.time())
    assert response_problem(got, IDP_INIT, time.time()) is None


def test_certificate_validity_follows_the_runtime_clock() -> None:
    xml = IDP.response_xml(ACS, AUDIENCE, "alice")
    with pytest.raises(BadSamlInput, match="does not verify"):
        signed_facts(xml, METADATA.certificates, NOW + 400 * 86400)  # the IdP's certificate has expired by then


SIGNED = IDP.response_xml(ACS, AUDIENCE, "alice", {"email": "a@x.test"}, in_response_to="_req", sign="both")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(SIGNED) - 1), st.binary(min_size=0, max_size=3)), min_size=1,
                max_size=4))
def test_mutated_responses_refuse_or_verify_never_fail(edits: list[tuple[int, bytes]]) -> None:
    xml = bytearray(SIGNED)
    for position, replacement in edits:
        xml[position:position + 1] = replacement
    try:
        got = facts(bytes(xml))
    except BadSamlInput:
        return
    assert got.name_id == "alice"  # whatever still verifies says what was signed


def test_logout_messages() -> None:
    from emulator.saml.logout_messages import logout_request, read_logout_response

    request = etree.fromstring(logout_request("_l1", POOL, "https://idp/slo", "alice", "_s1", NOW).encode())
    assert request.get("ID") == "_l1" and request.findtext(f"{{{SAML}}}NameID") == "alice"
    answer = read_logout_response(base64.b64decode(IDP.logout_response("_l1")))
    assert (answer.in_response_to, answer.issuer) == ("_l1", IDP.entity_id)
    assert answer.status == "urn:oasis:names:tc:SAML:2.0:status:Success"
    for bad, words in ((b"<samlp:LogoutRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>", "not emulated"),
                       (BOMB, "DTD")):
        with pytest.raises(BadSamlInput, match=words):
            read_logout_response(bad)
