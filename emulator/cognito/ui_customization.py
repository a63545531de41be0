"""GetUICustomization / SetUICustomization: the classic hosted UI's CSS and logo, per pool ("ALL") or per
app client, stored and returned as AWS shapes them; the logo is served by the emulator at ImageUrl (AWS
serves it from CloudFront)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.protocol import Call
from emulator.oauth2.branding import CLASSIC_PROPERTIES
from emulator.runtime import Runtime
from emulator.state import Kind

if TYPE_CHECKING:  # FastAPI is imported when the port's routes are built, not to run an operation
    from fastapi import APIRouter

ALL = "ALL"  # the pool-wide customization's ClientId, as AWS names it
# The classes the classic hosted UI lets CSS style: the template's (oauth2/branding.py holds them with the
# properties each may set; the page drops other properties, as AWS's does).
CSS_CLASSES = frozenset(CLASSIC_PROPERTIES)
MAX_IMAGE_BYTES = 100 * 1024  # the logo's limit (developer guide: "maximum 100 KB")
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
_SELECTOR = re.compile(r"([^{}]*)\{[^{}]*\}")


def css_problem(css: str) -> str | None:
    """Why the classic hosted UI would not take this CSS (a selector that is not one of its classes), or None."""
    rest = _SELECTOR.sub("", css).strip()
    if rest:
        return f"CSS is not a list of 'selector {{ declarations }}' rules near '{rest[:40]}'"
    for selector in _SELECTOR.findall(css):
        for name in (s.strip() for s in selector.split(",")):
            if not name.startswith(".") or name[1:] not in CSS_CLASSES:
                return f"'{name}' is not a customizable class (allowed: .{', .'.join(sorted(CSS_CLASSES))})"
    return None


def image_type(data: bytes) -> str | None:
    """The logo's media type (PNG or JPEG, the formats AWS takes), or None."""
    return next((kind for magic, kind in IMAGE_TYPES.items() if data.startswith(magic)), None)


def _key(client_id: str | None) -> str:
    return client_id or ALL


def _shaped(rt: Runtime, pool_id: str, key: str, record: dict | None) -> dict[str, Any]:
    shaped: dict[str, Any] = {"UserPoolId": pool_id, "ClientId": key}
    if record:
        shaped.update({k: v for k, v in record.items() if k in ("CSS", "CSSVersion", "CreationDate",
                                                                 "LastModifiedDate")})
        if record.get("Image"):
            shaped["ImageUrl"] = f"{rt.base_url}/_ui-customization/{pool_id}/{key}/{record['CSSVersion']}"
    return shaped


def set_ui_customization(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    if params.get("ClientId") and params["ClientId"] != ALL:
        require_client(rt.store, params["ClientId"], pool_id)
    key = _key(params.get("ClientId"))
    css = params.get("CSS")
    if css:
        problem = css_problem(css)
        if problem:
            raise reject("ui_css_invalid", problem, detail=problem)
    image = None
    if params.get("ImageFile"):
        try:
            raw = base64.b64decode(params["ImageFile"], validate=True)
        except (binascii.Error, ValueError):
            raise reject("serialization", "ImageFile is not Base64", detail="ImageFile is not Base64") from None
        if image_type(raw) is None or len(raw) > MAX_IMAGE_BYTES:
            why = (f"ImageFile must be a PNG or JPEG of at most {MAX_IMAGE_BYTES} bytes; got {len(raw)} bytes"
                   + ("" if image_type(raw) else " that are neither"))
            raise reject("ui_image_invalid", why, detail=why)
        image = params["ImageFile"]
    old = rt.store.get(Kind.UI_CUSTOMIZATION, pool_id, key) or {}
    now = rt.clock()
    record = {"CSS": css, "Image": image, "CSSVersion": str(int(now * 1000)),
              "CreationDate": old.get("CreationDate", now), "LastModifiedDate": now}
    record = {k: v for k, v in record.items() if v is not None}
    rt.store.put(Kind.UI_CUSTOMIZATION, pool_id, key, record)
    return {"UICustomization": _shaped(rt, pool_id, key, record)}


def get_ui_customization(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """A client's own customization, or the pool's when the client has none (as AWS falls back)."""
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    if params.get("ClientId") and params["ClientId"] != ALL:
        require_client(rt.store, params["ClientId"], pool_id)
    key = _key(params.get("ClientId"))
    record = rt.store.get(Kind.UI_CUSTOMIZATION, pool_id, key)
    if record is None and key != ALL:
        pooled = rt.store.get(Kind.UI_CUSTOMIZATION, pool_id, ALL)
        if pooled is not None:
            return {"UICustomization": _shaped(rt, pool_id, ALL, pooled)}
    return {"UICustomization": _shaped(rt, pool_id, key, record)}


def build_router(rt: Runtime) -> APIRouter:
    """The logo at ImageUrl."""
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/_ui-customization/{pool_id}/{key}/{version}")
    def logo(pool_id: str, key: str, version: str) -> Response:
        record = rt.store.get(Kind.UI_CUSTOMIZATION, pool_id, key) or {}
        if not record.get("Image") or record.get("CSSVersion") != version:
            return Response(status_code=404)
        data = base64.b64decode(record["Image"])
        return Response(data, media_type=image_type(data) or "application/octet-stream")

    return router


OPERATIONS = {
    "SetUICustomization": set_ui_customization,
    "GetUICustomization": get_ui_customization,
}
