"""The Cognito port's ASGI app: the JSON 1.1 API on POST /, per-pool JWKS and discovery, /_emulator/.

Everything that costs CPU (parsing, SigV4, validation, the operation) runs in the thread pool, and every
check it makes is linear in the input: one hostile request must not hold up the other ports, which share
this event loop."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Scope

from emulator.cognito import (
    admin_guard,
    admin_users,
    auth,
    auth_event_log,
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
    not_emulated,
    pools,
    provider_links,
    risk_configuration,
    signing_certificate,
    signup,
    software_token_removal,
    tags,
    terms,
    ui_customization,
    user_sessions,
    users,
    webauthn,
)
from emulator.cognito.body_limit import BodyLimit, BodyTooLarge
from emulator.cognito.emulator_access import AccessPolicy, EmulatorAccess, is_emulator_path
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.pool_rules import region_from_authorization
from emulator.cognito.protocol import (
    MAX_BODY_BYTES,
    Call,
    Handler,
    error_body,
    error_headers,
    json_params,
    merge_operations,
    operation_of,
    validated,
)
from emulator.cognito.sigv4 import SignedRequest
from emulator.cognito.triggers import CLIENT_METADATA
from emulator.decisions import REASON_HEADER, header_safe
from emulator.identity import dispatch as identity_api
from emulator.identity import openid_keys, sts_endpoint, sts_protocol
from emulator.identity.protocol import is_identity_target
from emulator.issuance import TokenRefused
from emulator.kms import api as kms_api
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
                            provider_links.OPERATIONS,
                            mfa_config.OPERATIONS,
                            mfa_preferences.OPERATIONS,
                            webauthn.OPERATIONS,
                            client_secrets.OPERATIONS,
                            devices.OPERATIONS,
                            user_sessions.OPERATIONS)


def serialized(handler: Handler, rt: Runtime, params: dict, call: Call) -> dict:
    """Run one operation as one transaction: concurrent read-modify-writes of a user cannot interleave
    (a disable lost to a parallel attribute update), and single-use codes are used once. A rejection
    keeps what it recorded (a failed attempt); an unexpected error rolls everything back."""
    # Every operation's ClientMetadata reaches the triggers it fires (triggers.CLIENT_METADATA).
    CLIENT_METADATA.set(params.get("ClientMetadata") if isinstance(params.get("ClientMetadata"), dict) else {})
    # Where the call came from, for the auth events a sign-in records (auth_event_log.EVENT_CONTEXT).
    client = rt.store.client(params["ClientId"]) if isinstance(params.get("ClientId"), str) else None
    auth_event_log.EVENT_CONTEXT.set(auth_event_log.event_context(
        call.source_ip, params, bool(client and client.propagate_user_context_data)))
    with rt.store.transaction(commit_on=(CognitoError,)):
        try:
            return handler(rt, params, call)
        except TokenRefused as refused:  # the token path's refusal, in this surface's words
            raise refused.cognito() from None


def answer(rt: Runtime, operations: dict[str, Handler], request: SignedRequest, target: str | None,
           request_id: str, source_ip: str) -> dict:
    """One API call from bytes to result, in AWS's order: target, JSON, signature, input shape, operation."""
    if is_identity_target(target):  # identity pools (cognito-identity) share the port, as in DESIGN's outline
        return identity_api.answer(rt, request, target or "", request_id, source_ip)
    if kms_api.is_kms_target(target):  # the local KMS of custom sender triggers (kms/)
        return kms_api.answer(rt, request, target or "")
    operation = operation_of(target)
    params = json_params(request.body)
    refused = admin_guard.refusal(operation, request, rt.config.credentials)
    if refused is not None:
        raise refused
    params = validated(operation, params)
    handler = operations.get(operation)
    if handler is None:
        raise not_emulated.refusal(operation)
    authorization = next((v for k, v in request.headers if k.lower() == "authorization"), None)
    call = Call(operation, request_id, source_ip, region_from_authorization(authorization))
    return serialized(handler, rt, params, call)


def respond(rt: Runtime, operations: dict[str, Handler], request: SignedRequest, target: str | None,
            request_id: str, source_ip: str) -> Response:
    """`answer` as an HTTP response: the result, or AWS's error shape (never a traceback)."""
    operation = _operation_named(target)
    try:
        result = answer(rt, operations, request, target, request_id, source_ip)
        return JSONResponse(result, headers={"x-amzn-RequestId": request_id}, media_type=AMZ_JSON)
    except CognitoError as error:
        return _error_response(rt, error, operation, request_id, _service_of(target))
    except Exception:
        log.exception("internal error in %s", operation)
        return _error_response(rt, reject("internal", f"the emulator failed while handling {operation}; see its "
                                                      "log"), operation, request_id)


def _service_of(target: str | None) -> str:
    if kms_api.is_kms_target(target):
        return "kms"
    return "cognito-identity" if is_identity_target(target) else "cognito-idp"


def _error_response(rt: Runtime, error: CognitoError, operation: str, request_id: str,
                    service: str = "cognito-idp") -> Response:
    rt.decisions.reject(f"{service} {operation}", f"{error.type}: {error.message}", error.reason,
                        request_id=request_id)
    headers = error_headers(error, request_id)
    headers[REASON_HEADER] = header_safe(error.reason)
    headers["x-amzn-ErrorMessage"] = header_safe(error.message)
    return JSONResponse(error_body(error), status_code=error.status, headers=headers, media_type=AMZ_JSON)


def _operation_named(target: str | None) -> str:
    return (target or "").rsplit(".", 1)[-1][:128] or "(no X-Amz-Target)"


def _signed_request(request: Request, body: bytes) -> SignedRequest:
    """The request as SigV4 sees it: the raw path and query as sent, every header, the body."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    url = f"http://{request.headers.get('host', '')}{raw_path.decode('latin-1')}"
    if query:
        url += "?" + query.decode("latin-1")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    return SignedRequest(request.method, url, headers, body)


async def _read_body(request: Request) -> bytes:
    """The body, read as it arrives; AWS's error once it passes the limit (nothing past it is kept)."""
    chunks: list[bytes] = []
    try:
        async for chunk in request.stream():
            chunks.append(chunk)
    except BodyTooLarge as exc:
        raise reject("body_too_large", exc.detail) from None
    return b"".join(chunks)


def build_cognito_app(rt: Runtime, policy: AccessPolicy | None = None) -> ASGIApp:
    """The app served on the Cognito port (9229 by default). `policy` says who may use /_emulator/."""
    app = FastAPI(title="cognito-emulator", docs_url=None, redoc_url=None, openapi_url=None)
    operations = operation_table()
    app.state.runtime = rt

    @app.post("/")
    async def cognito_api(request: Request) -> Response:
        request_id = str(uuid.uuid4())
        target = request.headers.get("x-amz-target")
        try:
            body = await _read_body(request)
        except CognitoError as error:
            return _error_response(rt, error, _operation_named(target), request_id)
        except ClientDisconnect:
            return Response(status_code=400)  # nobody is left to read it
        if sts_protocol.is_query_request(request.headers.get("content-type"), target, body):
            return await run_in_threadpool(sts_endpoint.respond, rt, body, request_id)  # identity pools' basic flow
        source_ip = request.client.host if request.client else ""
        # Rendering the answer and logging the decision happen there too: a message echoing a megabyte
        # of input is a json.dumps and a log write that would otherwise run on the shared event loop.
        return await run_in_threadpool(respond, rt, operations, _signed_request(request, body), target, request_id,
                                       source_ip)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path == "/" and exc.status_code == 405:
            # Every method but POST on the API root (GET, OPTIONS without a preflight, TRACE...): AWS's shape.
            error = CognitoError("UnknownOperationException", "",
                                 f"the cognito-idp API takes POST / with X-Amz-Target, not {request.method} /")
            return _error_response(rt, error, request.method, str(uuid.uuid4()))
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
    app.include_router(openid_keys.build_router(rt))

    def too_large(scope: Scope, size: int) -> Response:
        reason = f"the request declares a {size}-byte body (Content-Length); the Cognito port accepts at most " \
                 f"{MAX_BODY_BYTES} bytes, and read none of it"
        if scope["path"] == "/" and scope["method"] == "POST":
            headers = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])
            return _error_response(rt, reject("body_too_large", reason),
                                   _operation_named(headers.get("x-amz-target")), str(uuid.uuid4()))
        rt.decisions.reject("cognito port", "413", reason)
        return JSONResponse({"message": "Request Entity Too Large"}, status_code=413,
                            headers={REASON_HEADER: header_safe(reason)})

    guarded = EmulatorAccess(app, policy or AccessPolicy(), rt.decisions, EXPOSED_HEADERS)
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
