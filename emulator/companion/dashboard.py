"""The dashboard at /_emulator/ (guarded like every /_emulator/ path): the page, its script and style, and the
token box's endpoint (decode a token, check it against a route's authorizer with the gateway's own decision)."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import HTMLResponse, JSONResponse, Response

from emulator.companion.dashboard_page import PoolView, render
from emulator.companion.explain import ExplainError, explain
from emulator.companion.key_sources import LocalPools
from emulator.companion.token_report import report
from emulator.package_version import installed_version
from emulator.runtime import Runtime

STATIC = {"dashboard.css": "text/css; charset=utf-8", "dashboard.js": "text/javascript; charset=utf-8"}
# The page runs only its own script and style: nothing from elsewhere, no inline code.
CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " \
      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def local_pools(rt: Runtime) -> LocalPools:
    pools = rt.store.pools()
    return LocalPools(issuers={p.issuer.rstrip("/"): p.id for p in pools},
                      jwks={p.id: rt.keyring.jwks(p.id) for p in pools}, now=rt.clock(), source="this emulator")


def pool_views(rt: Runtime) -> list[PoolView]:
    return [PoolView(pool, rt.store.clients(pool.id), rt.store.users(pool.id),
                     [g.name for g in rt.store.groups(pool.id)], rt.store.resource_servers(pool.id))
            for pool in rt.store.pools()]


def build_router(rt: Runtime) -> APIRouter:
    """GET /_emulator/ (the page), its two static files, POST /_emulator/tokens/explain, GET /favicon.ico."""
    router = APIRouter()

    @router.get("/_emulator/")
    def page() -> Response:
        apis = [(api, rt.api_urls.get(api.name, "")) for api in rt.config.apis]
        html = render(pool_views(rt), apis, installed_version())
        return HTMLResponse(html, headers={"content-security-policy": CSP, "cache-control": "no-store"})

    @router.get("/_emulator/dashboard.{name}")
    def static(name: str) -> Response:
        filename = f"dashboard.{name}"
        if filename not in STATIC:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        text = files("emulator.companion").joinpath("static", filename).read_text(encoding="utf-8")
        return Response(text, media_type=STATIC[filename], headers={"cache-control": "no-store"})

    @router.post("/_emulator/tokens/explain")
    def explain_token(body: dict[str, Any] = Body(...)) -> Any:  # noqa: B008 - FastAPI's way to take a JSON body
        """{"token", "api"?, "route"?} -> {"report": decode, "verdict": the authorizer's decision}."""
        token = body.get("token")
        if not isinstance(token, str):
            return JSONResponse({"message": "give the token as \"token\" (a string)"}, status_code=400)
        pools = local_pools(rt)
        answer: dict[str, Any] = {"report": report(token, pools.issuers, pools.jwks, pools.now)}
        api, route = body.get("api"), body.get("route")
        if isinstance(api, str) and api and isinstance(route, str) and route:
            try:
                answer["verdict"] = explain(rt.config.apis, api, route, token, pools)
            except ExplainError as exc:
                answer["message"] = str(exc)
        return answer

    @router.get("/favicon.ico")
    def favicon() -> Response:
        """Browsers ask for it on every page; a 404 in the decisions log each time is noise."""
        return Response(status_code=204)

    return router
