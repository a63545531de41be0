"""An IdP's SAML metadata (ProviderDetails MetadataFile, or what MetadataURL serves) read into the facts the
emulator needs: entity id, single sign-on and logout URLs per binding, signing certificates. Pure."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from cryptography import x509

from emulator.saml.names import DS, HTTP_POST, HTTP_REDIRECT, MD, tag
from emulator.saml.xml_input import BadSamlInput, parsed


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    sso: dict[str, str]  # binding URI -> SingleSignOnService Location
    slo: dict[str, str]  # binding URI -> SingleLogoutService Location
    certificates: tuple[x509.Certificate, ...]  # KeyDescriptor use="signing" (or no use)
    wants_signed_requests: bool


def _certificates(descriptor: Element) -> tuple[x509.Certificate, ...]:
    found = []
    for key in descriptor.findall(tag(MD, "KeyDescriptor")):
        if key.get("use") not in (None, "signing"):
            continue
        for cert in key.iter(tag(DS, "X509Certificate")):
            try:
                found.append(x509.load_der_x509_certificate(base64.b64decode("".join((cert.text or "").split()))))
            except ValueError:
                raise BadSamlInput("an X509Certificate in the IdP metadata is not a DER certificate") from None
    return tuple(found)


def read_idp_metadata(document: str | bytes) -> IdpMetadata:
    """The IdP's facts, or BadSamlInput saying what is missing."""
    root = parsed(document, "IdP metadata")
    entity = root if root.tag == tag(MD, "EntityDescriptor") else root.find(tag(MD, "EntityDescriptor"))
    if entity is None:
        raise BadSamlInput("the IdP metadata has no EntityDescriptor")
    descriptor = entity.find(tag(MD, "IDPSSODescriptor"))
    if descriptor is None:
        raise BadSamlInput("the IdP metadata has no IDPSSODescriptor")
    sso = {e.get("Binding", ""): e.get("Location", "") for e in descriptor.findall(tag(MD, "SingleSignOnService"))}
    slo = {e.get("Binding", ""): e.get("Location", "") for e in descriptor.findall(tag(MD, "SingleLogoutService"))}
    if not (sso.get(HTTP_REDIRECT) or sso.get(HTTP_POST)):
        raise BadSamlInput("the IdP metadata has no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding")
    certificates = _certificates(descriptor)
    if not certificates:
        raise BadSamlInput("the IdP metadata has no signing certificate (KeyDescriptor X509Certificate)")
    return IdpMetadata(entity.get("entityID", ""), sso, slo, certificates,
                       descriptor.get("WantAuthnRequestsSigned") == "true")
