"""The SP metadata of a pool, for IdPs that import it: entity id `urn:amazon:cognito:sp:<poolId>` and the
HTTP-POST assertion consumer service `<base>/saml2/idpresponse`. Pure."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from emulator.saml.names import HTTP_POST, MD, NAMEID_PERSISTENT, NAMEID_UNSPECIFIED, SAMLP, sp_entity_id


def sp_metadata(pool_id: str, acs_url: str) -> str:
    """An EntityDescriptor with one SPSSODescriptor (unsigned AuthnRequests, signed assertions wanted)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="{MD}" '
            f"entityID={quoteattr(sp_entity_id(pool_id))}>"
            f'<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" '
            f'protocolSupportEnumeration="{SAMLP}">'
            f"<md:NameIDFormat>{NAMEID_PERSISTENT}</md:NameIDFormat>"
            f"<md:NameIDFormat>{NAMEID_UNSPECIFIED}</md:NameIDFormat>"
            f'<md:AssertionConsumerService Binding="{HTTP_POST}" Location={quoteattr(acs_url)} index="1" '
            'isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>\n')
