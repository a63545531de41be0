"""The Cognito port's ASGI app: the JSON 1.1 API on POST /, per-pool JWKS and discovery, /_emulator/."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from emulator.cognito import admin_users, auth, emulator_endpoints, groups, mfa, pools, signup, users
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.pool_rules import region_from_authorization
from emulator.cognito.protocol import Call, Handler, error_body, error_headers, merge_operations, parse_call
from emulator.cognito.triggers import CLIENT_METADATA
from emulator.decisions import REASON_HEADER, header_safe
from emulator.issuance import TokenRefused
from emulator.oauth2 import routes as oauth2_routes
from emulator.runtime import Runtime

AMZ_JSON = "application/x-amz-json-1.1"
log = logging.getLogger("cognito_emulator")


def operation_table() -> dict[str, Handler]:
    """Every implemented cognito-idp operation, by name."""
    return merge_operations(auth.OPERATIONS, users.OPERATIONS, admin_users.OPERATIONS, signup.OPERATIONS,
                            groups.OPERATIONS, pools.OPERATIONS, mfa.OPERATIONS)


def serialized(handler: Handler, rt: Runtime, params: dict, call: Call) -> dict:
    """Run one operation as one transaction: concurrent read-modify-writes of a user cannot interleave
    (a disable lost to a parallel attribute update), and single-use codes are used once. A rejection
    keeps what it recorded (a failed attempt); an unexpected error rolls everything back."""
    # Every operation's ClientMetadata reaches the triggers it fires (triggers.CLIENT_METADATA).
    CLIENT_METADATA.set(params.get("ClientMetadata") if isinstance(params.get("ClientMetadata"), dict) else {})
    with rt.store.transaction(commit_on=(CognitoError,)):
        try:
            return handler(rt, params, call)
        except TokenRefused as refused:  # the token path's refusal, in this surface's words
            raise refused.cognito() from None


def _error_response(rt: Runtime, error: CognitoError, operation: str, request_id: str) -> Response:
    rt.decisions.reject(f"cognito-idp {operation}", f"{error.type}: {error.message}", error.reason)
    headers = error_headers(error, request_id)
    headers[REASON_HEADER] = header_safe(error.reason)
    headers["x-amzn-ErrorMessage"] = header_safe(error.message)
    return JSONResponse(error_body(error), status_code=error.status, headers=headers, media_type=AMZ_JSON)


def build_cognito_app(rt: Runtime) -> FastAPI:
    """The app served on the Cognito port (9229 by default)."""
    app = FastAPI(title="cognito-emulator", docs_url=None, redoc_url=None, openapi_url=None)
    # Browsers (Amplify, the AWS JS SDK) call cognito-idp cross-origin, as AWS allows.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                       expose_headers=["x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", REASON_HEADER])
    operations = operation_table()
    app.state.runtime = rt

    @app.post("/")
    async def cognito_api(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        target = request.headers.get("x-amz-target")
        operation = (target or "").rsplit(".", 1)[-1] or "(no X-Amz-Target)"
        try:
            body = await request.body()
            operation, params = parse_call(target, body)
            handler = operations.get(operation)
            if handler is None:
                raise CognitoError("UnknownOperationException", "",
                                   f"the emulator does not implement {operation} yet")
            call = Call(operation, request_id, request.client.host if request.client else "",
                        region_from_authorization(request.headers.get("authorization")))
            result = await run_in_threadpool(serialized, handler, rt, params, call)
            return JSONResponse(result, headers={"x-amzn-RequestId": request_id}, media_type=AMZ_JSON)
        except CognitoError as error:
            return _error_response(rt, error, operation, request_id)
        except Exception:  # never a traceback to the client
            log.exception("internal error in %s", operation)
            return _error_response(rt, reject("internal", f"the emulator failed while handling {operation}; "
                                                          "see its log"), operation, request_id)

    @app.api_route("/", methods=["GET", "PUT", "DELETE", "PATCH"])
    async def not_the_api(request: Request) -> Response:
        error = CognitoError("UnknownOperationException", "",
                             f"the cognito-idp API takes POST / with X-Amz-Target, not {request.method} /")
        return _error_response(rt, error, request.method, str(uuid.uuid4()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI's own {"detail": ...} is no AWS shape; say what was wrong in the reason header.
        reason = f"{request.method} {request.url.path}: {exc.detail}"
        rt.decisions.reject("cognito port", str(exc.status_code), reason)
        return JSONResponse({"message": str(exc.detail)}, status_code=exc.status_code,
                            headers={**(exc.headers or {}), REASON_HEADER: header_safe(reason)})

    @app.get("/{pool_id}/.well-known/jwks.json")
    async def jwks(pool_id: str) -> Response:
        if rt.store.pool(pool_id) is None:
            return _not_found(rt, f"no user pool '{pool_id}'")
        return JSONResponse(rt.keyring.jwks(pool_id))

    @app.get("/{pool_id}/.well-known/openid-configuration")
    async def discovery(pool_id: str, request: Request) -> Response:
        pool = rt.store.pool(pool_id)
        if pool is None:
            return _not_found(rt, f"no user pool '{pool_id}'")
        return JSONResponse(discovery_document(pool.issuer, str(request.base_url).rstrip("/"), pool_id))

    @app.get("/_emulator/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "pools": [p.id for p in rt.store.pools()]}

    @app.get("/_emulator/decisions")
    async def decisions(limit: int = 100) -> dict[str, Any]:
        return {"decisions": rt.decisions.recent(max(1, min(limit, 500)))}

    app.include_router(oauth2_routes.build_router(rt))
    app.include_router(emulator_endpoints.build_router(rt))
    return app


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
