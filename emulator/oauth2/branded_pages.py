"""The hosted pages dressed in their app client's branding: reads the client's classic UI customization (or the
pool's "ALL" one), its managed login branding style and its terms documents from the store, and applies them
(oauth2/branding.py decides) to every HTML page the hosted UI answers for that client."""

from __future__ import annotations

import base64
import binascii

from fastapi.responses import Response

from emulator.cognito.pools import DOMAIN_KIND
from emulator.cognito.ui_customization import ALL, image_type
from emulator.oauth2 import branding
from emulator.runtime import Runtime
from emulator.state import Kind


def look_for(rt: Runtime, client_id: str | None) -> branding.Look:
    """The look of `client_id`'s pages: classic hosted UI customization or managed login style, by the
    generation the pool's domain serves."""
    client = rt.store.client(client_id) if client_id else None
    pool = rt.store.pool(client.pool_id) if client else None
    if client is None or pool is None:
        return branding.Look()
    style = next((s for _, _, s in rt.store.items(Kind.MANAGED_LOGIN_BRANDING, pool.id)
                  if s.get("ClientId") == client.client_id), None)
    domain = rt.store.get(DOMAIN_KIND, pool.id, pool.domain) if pool.domain else None
    generation = branding.hosted_ui_generation((domain or {}).get("ManagedLoginVersion"), style is not None)
    if generation == 1:
        own = rt.store.get(Kind.UI_CUSTOMIZATION, pool.id, client.client_id)
        record = own if own is not None else rt.store.get(Kind.UI_CUSTOMIZATION, pool.id, ALL)
        if not record:
            return branding.Look(source="classic hosted UI without customization")
        image = record.get("Image")
        media = _image_media(image) if image else None
        return branding.Look(css=branding.classic_css(record.get("CSS") or ""),
                             logo=(media, image) if media else None,
                             source=f"classic hosted UI customization {'of the client' if own else 'ALL'}")
    documents = {t["TermsName"]: t.get("Links") or {} for _, _, t in rt.store.items(Kind.TERMS, pool.id)
                 if t.get("ClientId") == client.client_id}
    terms = branding.terms_links(documents)
    if style is None or style.get("UseCognitoProvidedValues"):
        return branding.Look(terms=terms, source="managed login with Cognito's default style")
    settings = style.get("Settings") if isinstance(style.get("Settings"), dict) else {}
    return branding.Look(css=branding.managed_css(settings), logo=branding.managed_logo(settings,
                         [a for a in style.get("Assets") or [] if isinstance(a, dict)]), terms=terms,
                         source=f"managed login branding style {style['ManagedLoginBrandingId']}")


def _image_media(image: str) -> str | None:
    """PNG or JPEG, from the stored logo's first bytes (SetUICustomization checked the whole of it)."""
    try:
        return image_type(base64.b64decode(image[:16]))
    except (binascii.Error, ValueError):
        return None


def branded(rt: Runtime, params: dict[str, str], response: Response) -> Response:
    """An HTML response with its client's look applied (other responses as they are)."""
    if not response.headers.get("content-type", "").startswith("text/html") or not isinstance(response.body, bytes):
        return response
    look = look_for(rt, params.get("client_id"))
    html = branding.render(response.body.decode("utf-8"), look)
    response.body = html.encode("utf-8")
    response.headers["content-length"] = str(len(response.body))
    return response
