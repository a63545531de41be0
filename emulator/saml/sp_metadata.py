"""The SP metadata of a pool, for IdPs that import it: entity id `urn:amazon:cognito:sp:<poolId>` and the
HTTP-POST assertion consumer service `<base>/saml2/idpresponse`, and the pool's signing certificate (the one
GetSigningCertificate returns) for IdPs that check signed AuthnRequests. Pure."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from emulator.saml.names import DS, HTTP_POST, MD, NAMEID_PERSISTENT, NAMEID_UNSPECIFIED, SAMLP, sp_entity_id


def sp_metadata(pool_id: str, acs_url: str, certificate_b64: str | None = None, slo_url: str | None = None) -> str:
    """An EntityDescriptor with one SPSSODescriptor (AuthnRequests signed only for providers with
    RequestSigningAlgorithm, so not promised here; signed assertions wanted)."""
    key = (f'<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="{DS}"><ds:X509Data><ds:X509Certificate>'
           f"{certificate_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
           if certificate_b64 else "")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="{MD}" '
            f"entityID={quoteattr(sp_entity_id(pool_id))}>"
            f'<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" '
            f'protocolSupportEnumeration="{SAMLP}">{key}'
            + (f'<md:SingleLogoutService Binding="{HTTP_POST}" Location={quoteattr(slo_url)}/>' if slo_url else "") +
            f"<md:NameIDFormat>{NAMEID_PERSISTENT}</md:NameIDFormat>"
            f"<md:NameIDFormat>{NAMEID_UNSPECIFIED}</md:NameIDFormat>"
            f'<md:AssertionConsumerService Binding="{HTTP_POST}" Location={quoteattr(acs_url)} index="1" '
            'isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>\n')
