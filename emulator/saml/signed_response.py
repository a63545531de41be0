"""A POSTed SAMLResponse reduced to what its signature covers ("see what is signed"): the Response, when the
IdP signed it, or its one Assertion. Signatures are checked by signxml (lxml + cryptography) against the IdP
metadata's certificates; the emulator then reads only the signed element signxml hands back, so a wrapped,
injected or unsigned assertion never reaches the checks. Refusals are BadSamlInput with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from lxml import etree
from signxml import InvalidInput, InvalidSignature, SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidCertificate, InvalidDigest

from emulator.saml.names import DS, SAML, SAMLP, XENC, tag
from emulator.saml.xml_input import BadSamlInput, parsed

# lxml for signxml: no entities, no network, no huge trees (defusedxml has already refused any DTD).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)


class NotEmulatedSaml(BadSamlInput):
    """A well-formed response using a SAML feature the emulator does not emulate (encrypted assertions)."""


@dataclass(frozen=True)
class Confirmation:
    method: str | None
    recipient: str | None
    not_on_or_after: float | None
    in_response_to: str | None
    not_before: float | None


@dataclass(frozen=True)
class ResponseFacts:
    """What the checks read. Response-level fields come from the signed Response when it was signed, else from
    the unsigned envelope (then they can only refuse, never admit: the assertion's own fields decide)."""

    response_signed: bool
    status: str | None
    destination: str | None
    response_in_response_to: str | None
    issuer: str | None
    assertion_id: str
    issue_instant: float | None
    name_id: str | None
    not_before: float | None
    not_on_or_after: float | None
    audiences: tuple[str, ...]
    confirmations: tuple[Confirmation, ...]
    attributes: dict[str, tuple[str, ...]]
    session_index: str | None


def saml_time(value: str | None) -> float | None:
    """An xs:dateTime (`2026-01-02T03:04:05.123Z`) as epoch seconds; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if "." in text:  # fromisoformat takes at most 6 fraction digits
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())
        text = f"{head}.{digits[:6]}{rest[len(digits):]}"
    try:
        parsed_time = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed_time.timestamp() if parsed_time.tzinfo else None


def _check_shape(xml: bytes) -> None:
    """The document's shape before any signature: a Response with exactly one Assertion, unique IDs."""
    root = parsed(xml, "SAML response", limit=len(xml) + 1)
    if root.tag != tag(SAMLP, "Response"):
        raise BadSamlInput(f"the SAMLResponse's root is {root.tag}, not samlp:Response")
    encrypted = (tag(SAML, "EncryptedAssertion"), tag(XENC, "EncryptedData"))
    if any(e.tag in encrypted for e in root.iter()):
        raise NotEmulatedSaml("the response carries an EncryptedAssertion; encrypted SAML responses "
                              "(EncryptedResponses) are not emulated")
    assertions = list(root.iter(tag(SAML, "Assertion")))
    if len(assertions) != 1 or root.find(tag(SAML, "Assertion")) is None:
        raise BadSamlInput(f"the response has {len(assertions)} Assertion elements; it must have exactly one, "
                           "directly in the Response (anything else is how signature-wrapping attacks look)")
    ids = [e.get("ID") for e in root.iter() if e.get("ID") is not None]
    if len(ids) != len(set(ids)):
        raise BadSamlInput("two elements of the response share an ID (a signature-wrapping attempt)")
    if not any(True for _ in root.iter(tag(DS, "Signature"))):
        raise BadSamlInput("neither the Response nor its Assertion is signed")


def _verify(xml: bytes, certificates: Sequence[x509.Certificate], now: float) -> Any:
    """signxml's result for the first signature (document order: the Response's when it is signed). The
    certificate must be valid at `now`, the runtime clock (UNCONFIRMED: AWS documents the check only when the
    provider is configured)."""
    problems = []
    config = SignatureConfiguration(location=".//", verification_time=datetime.fromtimestamp(now, UTC))
    for certificate in certificates:
        try:
            return XMLVerifier().verify(xml, x509_cert=certificate, parser=_PARSER, expect_config=config)
        except (InvalidSignature, InvalidDigest, InvalidCertificate, InvalidInput) as exc:
            problems.append(f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # malformed signatures break signxml in many ways; every one is a refusal
            problems.append(f"malformed signature ({type(exc).__name__}: {exc})")
    raise BadSamlInput("the signature does not verify with the IdP metadata's certificate"
                       f"{'s' if len(certificates) > 1 else ''} ({'; '.join(problems)[:400]})")


def _text(element: Any, path: str) -> str | None:
    found = element.find(path, namespaces={"saml": SAML, "samlp": SAMLP})
    return found.text.strip() if found is not None and found.text else None


def _facts(response: Any | None, assertion: Any, envelope: Any) -> ResponseFacts:
    ns = {"saml": SAML, "samlp": SAMLP}
    outer = response if response is not None else envelope
    status = outer.find("samlp:Status/samlp:StatusCode", namespaces=ns)
    conditions = assertion.find("saml:Conditions", namespaces=ns)
    confirmations = []
    for confirmation in assertion.findall("saml:Subject/saml:SubjectConfirmation", namespaces=ns):
        data = confirmation.find("saml:SubjectConfirmationData", namespaces=ns)
        get = data.get if data is not None else (lambda _name: None)
        confirmations.append(Confirmation(confirmation.get("Method"), get("Recipient"), saml_time(get("NotOnOrAfter")),
                                          get("InResponseTo"), saml_time(get("NotBefore"))))
    attributes: dict[str, tuple[str, ...]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", namespaces=ns):
        values = tuple((v.text or "").strip() for v in attribute.findall("saml:AttributeValue", namespaces=ns))
        attributes[attribute.get("Name", "")] = attributes.get(attribute.get("Name", ""), ()) + values
    authn = assertion.find("saml:AuthnStatement", namespaces=ns)
    return ResponseFacts(
        response_signed=response is not None, status=status.get("Value") if status is not None else None,
        destination=outer.get("Destination"), response_in_response_to=outer.get("InResponseTo"),
        issuer=_text(assertion, "saml:Issuer"), assertion_id=assertion.get("ID", ""),
        issue_instant=saml_time(assertion.get("IssueInstant")), name_id=_text(assertion, "saml:Subject/saml:NameID"),
        not_before=saml_time(conditions.get("NotBefore")) if conditions is not None else None,
        not_on_or_after=saml_time(conditions.get("NotOnOrAfter")) if conditions is not None else None,
        audiences=tuple((a.text or "").strip() for a in assertion.findall(
            "saml:Conditions/saml:AudienceRestriction/saml:Audience", namespaces=ns)),
        confirmations=tuple(confirmations), attributes=attributes,
        session_index=authn.get("SessionIndex") if authn is not None else None)


def signed_facts(xml: bytes, certificates: Sequence[x509.Certificate], now: float) -> ResponseFacts:
    """The facts of a response whose Response or Assertion signature verifies at `now`, or BadSamlInput."""
    _check_shape(xml)
    result = _verify(xml, certificates, now)
    signed = result.signed_xml
    envelope = etree.fromstring(xml, parser=_PARSER)
    if signed.tag == tag(SAMLP, "Response"):
        assertion = signed.find(tag(SAML, "Assertion"))
        if assertion is None:
            raise BadSamlInput("the signed Response holds no Assertion")
        return _facts(signed, assertion, envelope)
    if signed.tag == tag(SAML, "Assertion"):
        return _facts(None, signed, envelope)
    raise BadSamlInput(f"the signature covers a {signed.tag} element, neither the Response nor its Assertion")


