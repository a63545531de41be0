"""SAML single logout messages (pure): the LogoutRequest a pool sends the IdP's SingleLogoutService, and what
the IdP's LogoutResponse says. Cognito's sign-out flow (developer guide, "Signing out SAML users with single
sign-out"): a signed LogoutRequest by HTTP-Redirect, the LogoutResponse POSTed to /saml2/logout."""

from __future__ import annotations

import html
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from emulator.saml.authn_request import instant
from emulator.saml.names import SAML, SAMLP, sp_entity_id, tag
from emulator.saml.xml_input import BadSamlInput, parsed


def logout_request(request_id: str, pool_id: str, destination: str, name_id: str, session_index: str | None,
                   now: float) -> str:
    index = f"<samlp:SessionIndex>{html.escape(session_index, quote=False)}</samlp:SessionIndex>" \
        if session_index else ""
    return (f'<samlp:LogoutRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID={quoteattr(request_id)} '
            f'Version="2.0" IssueInstant="{instant(now)}" Destination={quoteattr(destination)}>'
            f"<saml:Issuer>{html.escape(sp_entity_id(pool_id), quote=False)}</saml:Issuer>"
            f"<saml:NameID>{html.escape(name_id, quote=False)}</saml:NameID>{index}</samlp:LogoutRequest>")


@dataclass(frozen=True)
class LogoutAnswer:
    in_response_to: str | None
    status: str | None
    issuer: str | None


def read_logout_response(xml: bytes) -> LogoutAnswer:
    """The LogoutResponse's InResponseTo, status and issuer, or BadSamlInput."""
    root = parsed(xml, "LogoutResponse", limit=len(xml) + 1)
    if root.tag != tag(SAMLP, "LogoutResponse"):
        raise BadSamlInput(f"the message is {root.tag}, not samlp:LogoutResponse (IdP-initiated LogoutRequests "
                           "are not emulated)")
    status = root.find(f"{tag(SAMLP, 'Status')}/{tag(SAMLP, 'StatusCode')}")
    issuer = root.findtext(tag(SAML, "Issuer"))
    return LogoutAnswer(root.get("InResponseTo"), status.get("Value") if status is not None else None,
                        issuer.strip() if issuer else None)
