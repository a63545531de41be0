"""Create/Describe/Update/DeleteManagedLoginBranding and DescribeManagedLoginBrandingByClient: one branding
style (settings document and image assets) per app client, stored and returned as AWS shapes them.

ReturnMergedResources asks AWS to fill what the style leaves out with Cognito's own defaults; the emulator
does not have those defaults, so it returns the style as stored either way."""

from __future__ import annotations

import uuid
from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_client, require_pool
from emulator.cognito.protocol import Call
from emulator.runtime import Runtime
from emulator.state import Kind

SHOWN = ("ManagedLoginBrandingId", "UserPoolId", "UseCognitoProvidedValues", "Settings", "Assets", "CreationDate",
         "LastModifiedDate")


def defaults_conflict(params: dict[str, Any]) -> str | None:
    """AWS's rule: UseCognitoProvidedValues true comes without Settings and Assets (the model's docs)."""
    given = [name for name in ("Settings", "Assets") if params.get(name)]
    if params.get("UseCognitoProvidedValues") and given:
        return f"UseCognitoProvidedValues true applies Cognito's defaults, so omit {' and '.join(given)}"
    return None


def merged_settings(old: Any, new: Any) -> Any:
    """`new` over `old`, object by object (a list or value replaces): UpdateManagedLoginBranding "preserves
    existing style settings that you don't specify" (the model's documentation), so a style can be sent in
    parts under the 2 MB request limit."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    return {**old, **{key: merged_settings(old.get(key), value) for key, value in new.items()}}


def merged_assets(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored assets with those sent replacing the ones of the same Category and ColorMode."""
    def key(asset: dict[str, Any]) -> tuple[Any, Any]:
        return asset.get("Category"), asset.get("ColorMode")
    sent = {key(a) for a in new}
    return [a for a in old if key(a) not in sent] + list(new)


def _shown(style: dict[str, Any]) -> dict[str, Any]:
    return {k: style[k] for k in SHOWN if k in style}


def _check(params: dict[str, Any]) -> None:
    problem = defaults_conflict(params)
    if problem:
        raise reject("branding_settings_conflict", problem, detail=problem)


def _require(rt: Runtime, pool_id: str, branding_id: str) -> dict[str, Any]:
    style = rt.store.get(Kind.MANAGED_LOGIN_BRANDING, pool_id, branding_id)
    if style is None:
        raise reject("branding_not_found", f"pool {pool_id} has no managed login branding {branding_id}",
                     branding_id=branding_id)
    return style


def _of_client(rt: Runtime, pool_id: str, client_id: str) -> dict[str, Any] | None:
    return next((s for _, _, s in rt.store.items(Kind.MANAGED_LOGIN_BRANDING, pool_id)
                 if s["ClientId"] == client_id), None)


def create_managed_login_branding(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    client_id = params["ClientId"]
    require_client(rt.store, client_id, pool_id)
    _check(params)
    existing = _of_client(rt, pool_id, client_id)
    if existing is not None:
        raise reject("branding_exists", f"client {client_id} already has style {existing['ManagedLoginBrandingId']}"
                     "; update or delete it", client_id=client_id)
    now = rt.clock()
    style = {"ManagedLoginBrandingId": str(uuid.uuid4()), "UserPoolId": pool_id, "ClientId": client_id,
             "UseCognitoProvidedValues": bool(params.get("UseCognitoProvidedValues", False)),
             "Settings": params.get("Settings") or {}, "Assets": params.get("Assets") or [],
             "CreationDate": now, "LastModifiedDate": now}
    rt.store.put(Kind.MANAGED_LOGIN_BRANDING, pool_id, style["ManagedLoginBrandingId"], style)
    return {"ManagedLoginBranding": _shown(style)}


def describe_managed_login_branding(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    return {"ManagedLoginBranding": _shown(_require(rt, pool_id, params["ManagedLoginBrandingId"]))}


def describe_managed_login_branding_by_client(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    require_client(rt.store, params["ClientId"], pool_id)
    style = _of_client(rt, pool_id, params["ClientId"])
    if style is None:
        raise reject("branding_not_found", f"client {params['ClientId']} has no managed login branding",
                     branding_id=f"for client {params['ClientId']}")
    return {"ManagedLoginBranding": _shown(style)}


def update_managed_login_branding(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """UseCognitoProvidedValues true resets the style to Cognito's defaults; otherwise the Settings and Assets
    given are merged over the stored ones."""
    if not params.get("UserPoolId") or not params.get("ManagedLoginBrandingId"):
        missing = "UserPoolId" if not params.get("UserPoolId") else "ManagedLoginBrandingId"
        raise reject("missing_auth_parameter", f"UpdateManagedLoginBranding names the style by UserPoolId and "
                     f"ManagedLoginBrandingId; {missing} is missing", name=missing)
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    style = dict(_require(rt, pool_id, params["ManagedLoginBrandingId"]))
    _check(params)
    if params.get("UseCognitoProvidedValues"):
        style.update({"UseCognitoProvidedValues": True, "Settings": {}, "Assets": []})
    else:
        style["UseCognitoProvidedValues"] = False
        if "Settings" in params:
            style["Settings"] = merged_settings(style.get("Settings") or {}, params["Settings"])
        if "Assets" in params:
            style["Assets"] = merged_assets(style.get("Assets") or [], params["Assets"] or [])
    style["LastModifiedDate"] = rt.clock()
    rt.store.put(Kind.MANAGED_LOGIN_BRANDING, pool_id, style["ManagedLoginBrandingId"], style)
    return {"ManagedLoginBranding": _shown(style)}


def delete_managed_login_branding(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    _require(rt, pool_id, params["ManagedLoginBrandingId"])
    rt.store.delete(Kind.MANAGED_LOGIN_BRANDING, pool_id, params["ManagedLoginBrandingId"])
    return {}


OPERATIONS = {
    "CreateManagedLoginBranding": create_managed_login_branding,
    "DescribeManagedLoginBranding": describe_managed_login_branding,
    "DescribeManagedLoginBrandingByClient": describe_managed_login_branding_by_client,
    "UpdateManagedLoginBranding": update_managed_login_branding,
    "DeleteManagedLoginBranding": delete_managed_login_branding,
}
