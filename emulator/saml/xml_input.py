"""Reading untrusted SAML XML safely: size-limited, base64 decoded, and parsed with defusedxml (no DTDs, so no
entity expansion bombs and no external entities) before anything else sees it."""

from __future__ import annotations

import base64
import binascii
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

# The saml2/idpresponse endpoint "can accept SAML assertions of up to 100,000 characters in length"
# (Cognito developer guide, "The IdP SAML assertion endpoint").
MAX_SAML_RESPONSE_CHARS = 100_000
MAX_METADATA_BYTES = 1_000_000  # an IdP's metadata with many certificates stays far below this


class BadSamlInput(ValueError):
    """Input that is not a SAML document the emulator will read; the message says why in plain words."""


def decoded_response(encoded: str) -> bytes:
    """The XML bytes of a POSTed SAMLResponse (base64), or BadSamlInput."""
    if len(encoded) > MAX_SAML_RESPONSE_CHARS:
        raise BadSamlInput(f"SAMLResponse has {len(encoded)} characters; AWS accepts at most "
                           f"{MAX_SAML_RESPONSE_CHARS}")
    try:
        return base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadSamlInput("SAMLResponse is not base64") from None


def parsed(document: bytes | str, what: str, limit: int = MAX_METADATA_BYTES) -> Element:
    """The document's root, parsed without DTDs or entities, or BadSamlInput."""
    if len(document) > limit:
        raise BadSamlInput(f"the {what} is larger than {limit} bytes")
    try:
        return SafeET.fromstring(document, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadSamlInput(f"the {what} declares a DTD or entities ({type(exc).__name__}); SAML documents "
                           "have none, and they are how XML bombs and external-entity attacks work") from None
    except SafeET.ParseError as exc:
        raise BadSamlInput(f"the {what} is not well-formed XML ({exc})") from None
