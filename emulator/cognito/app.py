"""The Cognito port's routes besides the JSON API (port.py puts that in front): per-pool JWKS and discovery,
/_emulator/, the hosted UI's pages and endpoints, the logo and user-import uploads. FastAPI's."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.cognito import emulator_endpoints, import_jobs, ui_customization
from emulator.cognito.body_limit import BodyTooLarge
from emulator.cognito.emulator_access import AccessPolicy, is_emulator_path
from emulator.cognito.port import EXPOSED_HEADERS, build_cognito_port, operation_table
from emulator.decisions import REASON_HEADER, header_safe
from emulator.identity import openid_keys
from emulator.oauth2 import routes as oauth2_routes
from emulator.runtime import Runtime

__all__ = ["EXPOSED_HEADERS", "build_cognito_app", "build_routes", "operation_table"]
log = logging.getLogger("cognito_emulator")


def build_cognito_app(rt: Runtime, policy: AccessPolicy | None = None) -> ASGIApp:
    """The whole Cognito port, its routes built now (server.py builds them lazily: port.LazyApp)."""
    return build_cognito_port(rt, build_routes(rt), policy)


class DirectRoutes:
    """ASGI: the port's FastAPI app, with its busiest routes called straight. A machine's /oauth2/token grant
    through FastAPI's middleware and router cost ~0.1 ms more, an eighth of the call (py-spy, wrk c1)."""

    def __init__(self, app: FastAPI, direct: dict[tuple[str, str], Callable[[Request], Awaitable[Response]]]) -> None:
        self.app = app
        self.direct = direct  # (method, path) -> endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.direct.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        response = await endpoint(Request(scope, receive))
        await response(scope, receive, send)


def build_routes(rt: Runtime) -> DirectRoutes:
    """The port's FastAPI routes, bound to the runtime."""
    app = FastAPI(title="cognito-emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = rt

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI's own {"detail": ...} is no AWS shape; say what was wrong in the reason header.
        reason = f"{request.method} {request.url.path}: {exc.detail}"
        rt.decisions.reject("cognito port", str(exc.status_code), reason)
        message = "Request Entity Too Large" if isinstance(exc, BodyTooLarge) else str(exc.detail)
        return JSONResponse({"message": message}, status_code=exc.status_code,
                            headers={**(exc.headers or {}), REASON_HEADER: header_safe(reason)})

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        if not is_emulator_path(request.url.path):  # the hosted UI's own routes keep FastAPI's answer
            return await request_validation_exception_handler(request, exc)
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        reason = f"{request.method} {request.url.path}: {problems}"
        rt.decisions.reject("cognito port /_emulator/", "400", reason)
        return JSONResponse({"message": "Bad Request"}, status_code=400, headers={REASON_HEADER: header_safe(reason)})

    # Plain `def` routes run in the thread pool: the store's lock may be held by an operation.
    @app.get("/{pool_id}/.well-known/jwks.json")
    def jwks(pool_id: str) -> Response:
        if rt.store.pool(pool_id) is None:
            return _not_found(rt, f"no user pool '{pool_id}'")
        return JSONResponse(rt.keyring.jwks(pool_id))

    @app.get("/{pool_id}/.well-known/openid-configuration")
    def discovery(pool_id: str, request: Request) -> Response:
        pool = rt.store.pool(pool_id)
        if pool is None:
            return _not_found(rt, f"no user pool '{pool_id}'")
        return JSONResponse(discovery_document(pool.issuer, str(request.base_url).rstrip("/"), pool_id))

    @app.get("/_emulator/decisions")
    def decisions(limit: int = 100, after: int = 0) -> dict[str, Any]:
        """The newest first; `after` (a decision's id): only newer ones, for pollers."""
        return {"decisions": rt.decisions.recent(max(1, min(limit, 500)), after)}

    app.include_router(oauth2_routes.build_router(rt))
    app.include_router(emulator_endpoints.build_router(rt))
    app.include_router(ui_customization.build_router(rt))
    app.include_router(import_jobs.build_router(rt))
    app.include_router(openid_keys.build_router(rt))

    return DirectRoutes(app, {("POST", "/oauth2/token"): functools.partial(oauth2_routes.answer_token, rt)})


def _not_found(rt: Runtime, reason: str) -> Response:
    rt.decisions.reject("cognito jwks", "404", reason)
    return JSONResponse({"message": "Not Found"}, status_code=404, headers={REASON_HEADER: header_safe(reason)})


def discovery_document(issuer: str, base_url: str, pool_id: str) -> dict[str, Any]:
    """OpenID discovery for a pool: `issuer` is the tokens' iss; keys and endpoints are served here."""
    return {
        "issuer": issuer,
        "jwks_uri": f"{base_url}/{pool_id}/.well-known/jwks.json",
        "authorization_endpoint": f"{base_url}/oauth2/authorize",
        "token_endpoint": f"{base_url}/oauth2/token",
        "userinfo_endpoint": f"{base_url}/oauth2/userInfo",
        "revocation_endpoint": f"{base_url}/oauth2/revoke",
        "end_session_endpoint": f"{base_url}/logout",
        "response_types_supported": ["code", "token"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }
