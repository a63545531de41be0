"""The Cognito port's ASGI app: the JSON 1.1 API on POST / (api_root.py), per-pool JWKS and discovery,
/_emulator/, the hosted UI's routes."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Scope

from emulator.cognito import (
    admin_users,
    auth,
    auth_events,
    client_secrets,
    devices,
    emulator_endpoints,
    groups,
    identity_providers,
    import_jobs,
    log_delivery,
    managed_login_branding,
    mfa,
    mfa_config,
    mfa_preferences,
    pools,
    risk_configuration,
    signing_certificate,
    signup,
    software_token_removal,
    tags,
    terms,
    ui_customization,
    users,
    webauthn,
)
from emulator.cognito.api_root import ApiRoot, error_response, operation_named
from emulator.cognito.body_limit import BodyLimit, BodyTooLarge
from emulator.cognito.emulator_access import AccessPolicy, EmulatorAccess, is_emulator_path
from emulator.cognito.errors import reject
from emulator.cognito.protocol import (
    MAX_BODY_BYTES,
    Handler,
    merge_operations,
)
from emulator.decisions import REASON_HEADER, header_safe
from emulator.oauth2 import routes as oauth2_routes
from emulator.runtime import Runtime

AMZ_JSON = "application/x-amz-json-1.1"
EXPOSED_HEADERS = ["x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", REASON_HEADER]
log = logging.getLogger("cognito_emulator")


def operation_table() -> dict[str, Handler]:
    """Every implemented cognito-idp operation, by name."""
    return merge_operations(auth.OPERATIONS, users.OPERATIONS, admin_users.OPERATIONS, signup.OPERATIONS,
                            groups.OPERATIONS, pools.OPERATIONS, mfa.OPERATIONS,
                            tags.OPERATIONS,
                            ui_customization.OPERATIONS,
                            signing_certificate.OPERATIONS,
                            log_delivery.OPERATIONS,
                            risk_configuration.OPERATIONS,
                            terms.OPERATIONS,
                            managed_login_branding.OPERATIONS,
                            import_jobs.OPERATIONS,
                            auth_events.OPERATIONS,
                            software_token_removal.OPERATIONS,
                            identity_providers.OPERATIONS,
                            mfa_config.OPERATIONS,
                            mfa_preferences.OPERATIONS,
                            webauthn.OPERATIONS,
                            client_secrets.OPERATIONS,
                            devices.OPERATIONS)


def build_cognito_app(rt: Runtime, policy: AccessPolicy | None = None) -> ASGIApp:
    """The app served on the Cognito port (9229 by default). `policy` says who may use /_emulator/."""
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

    @app.get("/_emulator/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "pools": [p.id for p in rt.store.pools()]}

    @app.get("/_emulator/decisions")
    def decisions(limit: int = 100, after: int = 0) -> dict[str, Any]:
        """The newest first; `after` (a decision's id): only newer ones, for pollers."""
        return {"decisions": rt.decisions.recent(max(1, min(limit, 500)), after)}

    app.include_router(oauth2_routes.build_router(rt))
    app.include_router(emulator_endpoints.build_router(rt))
    app.include_router(ui_customization.build_router(rt))
    app.include_router(import_jobs.build_router(rt))

    def too_large(scope: Scope, size: int) -> Response:
        reason = f"the request declares a {size}-byte body (Content-Length); the Cognito port accepts at most " \
                 f"{MAX_BODY_BYTES} bytes, and read none of it"
        if scope["path"] == "/" and scope["method"] == "POST":
            headers = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])
            return error_response(rt, reject("body_too_large", reason),
                                   operation_named(headers.get("x-amz-target")), str(uuid.uuid4()))
        rt.decisions.reject("cognito port", "413", reason)
        return JSONResponse({"message": "Request Entity Too Large"}, status_code=413,
                            headers={REASON_HEADER: header_safe(reason)})

    api = ApiRoot(app, rt, operation_table())
    guarded = EmulatorAccess(api, policy or AccessPolicy(), rt.decisions, EXPOSED_HEADERS)
    return BodyLimit(guarded, too_large, MAX_BODY_BYTES)


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
