"""The hosted UI's routes on the Cognito port: /oauth2/token, /oauth2/authorize, /login, /logout,
/oauth2/userInfo, /oauth2/revoke, the account pages (/signup, /confirmUser, /forgotPassword,
/confirmForgotPassword) and the /error page. The pool is always found from the client id."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from emulator.blocking import on_loop_or_in_thread
from emulator.cognito.errors import CognitoError
from emulator.http_protocol import overlapping
from emulator.issuance import TokenRefused
from emulator.oauth2 import (
    account_pages,
    branded_pages,
    federation_routes,
    federation_start,
    login,
    logout,
    pages,
    passkey_pages,
    revoke,
    saml_routes,
    token,
    userinfo,
)
from emulator.oauth2.errors import ERROR_PAGE_TEXT, SERVER_ERROR_REASON, OAuthError, oauth_error
from emulator.oauth2.httpio import NO_STORE, oauth_error_response, query_params, read_form, reason_headers
from emulator.runtime import Runtime

log = logging.getLogger("cognito_emulator")

TOKEN = "hosted-ui POST /oauth2/token"
REVOKE = "hosted-ui POST /oauth2/revoke"
USERINFO = "hosted-ui GET /oauth2/userInfo"


def build_router(rt: Runtime) -> APIRouter:
    """Every hosted-UI endpoint, bound to the runtime."""
    router = APIRouter()

    @router.post("/oauth2/token")
    async def token_endpoint(request: Request) -> Response:
        return await answer_token(rt, request)

    @router.post("/oauth2/revoke")
    async def revoke_endpoint(request: Request) -> Response:
        async def handle() -> Response:
            form = await read_form(request)
            note = await run_in_threadpool(revoke.revoke, rt, form, request.headers.get("authorization"))
            # 200 with an empty body, also when nothing was revoked; the note says why.
            return Response(status_code=200, headers={**NO_STORE, **(reason_headers(note) if note else {})})
        return await _json_endpoint(rt, REVOKE, handle)

    @router.get("/oauth2/userInfo")
    async def userinfo_endpoint(request: Request) -> Response:
        async def handle() -> Response:
            body = await run_in_threadpool(userinfo.user_info, rt, request.headers.get("authorization"))
            return JSONResponse(body)
        return await _json_endpoint(rt, USERINFO, handle)

    @router.get("/oauth2/authorize")
    async def authorize_endpoint(request: Request) -> Response:
        base = str(request.base_url)  # identity_provider=...: the IdP comes back to this server's /oauth2/idpresponse
        return await _page(rt, login.AUTHORIZE, lambda r, p, c: federation_start.authorize(r, p, c, base),
                           query_params(request), request.cookies)

    federation_routes.add_routes(rt, router)
    saml_routes.add_routes(rt, router)

    @router.get("/login")
    async def login_page(request: Request) -> Response:
        return await _page(rt, login.LOGIN, login.login_form, query_params(request), request.cookies)

    @router.post("/login")
    async def login_post(request: Request) -> Response:
        try:
            form = await read_form(request, include_query=False)
        except OAuthError as error:
            return _error_page(rt, login.LOGIN, error.reason, 400)
        params = query_params(request)
        return await _page(rt, login.LOGIN, lambda r, p, c: login.login_submit(r, p, form, c), params,
                           request.cookies)

    for path, (component, show, submit) in {**account_pages.PAGES, **passkey_pages.PAGES}.items():
        _account_routes(rt, router, path, component, show, submit)

    @router.get("/logout")
    async def logout_endpoint(request: Request) -> Response:
        return await _page(rt, logout.LOGOUT, logout.logout, query_params(request), request.cookies)

    @router.get("/error")
    async def error_page(request: Request) -> Response:
        code = query_params(request).get("error", "")[:64]
        return HTMLResponse(pages.message_page("Something went wrong", _error_page_text(rt, code), ERROR_PAGE_TEXT))

    return router


def _account_routes(rt: Runtime, router: APIRouter, path: str, component: str, show: PageHandler,
                    submit: Callable[[Runtime, dict[str, str], dict[str, str], dict[str, str]], Response]) -> None:
    """GET shows an account page, POST submits its form (the authorize parameters stay in the query)."""

    async def get(request: Request) -> Response:
        return await _page(rt, component, show, query_params(request), request.cookies)

    async def post(request: Request) -> Response:
        try:
            form = await read_form(request, include_query=False)
        except OAuthError as error:
            return _error_page(rt, component, error.reason, 400)
        return await _page(rt, component, lambda r, p, c: submit(r, p, form, c), query_params(request),
                           request.cookies)

    router.add_api_route(path, get, methods=["GET"])
    router.add_api_route(path, post, methods=["POST"])


async def answer_token(rt: Runtime, request: Request) -> Response:
    """POST /oauth2/token (the port calls it straight, past FastAPI's router: cognito/app.py's DirectRoutes)."""
    async def handle() -> Response:
        form = await read_form(request)
        arguments = (rt, form, request.headers.get("authorization"))
        # On the event loop when it can be (blocking.py), as the JSON API's sign-ins are; then its tokens
        # are signed as theirs are (TokenSigner.signed).
        with rt.signer.signed_by_caller():
            body = await on_loop_or_in_thread(rt.store.held_if_free, run_in_threadpool, token.token_response,
                                              *arguments)
            body = await rt.signer.signed(body, overlapping(request.scope))
        return JSONResponse(body, headers=NO_STORE)
    return await _json_endpoint(rt, TOKEN, handle)


def _error_page_text(rt: Runtime, code: str) -> str:
    """Under AWS's text, the emulator's own why: the latest logged redirect with this error code."""
    for decision in rt.decisions.recent(50):
        if code and decision["component"].startswith("hosted-ui") and decision["error"] == f"302 error={code}":
            return f"Error {code}: {decision['reason']}."
    return (f"Error {code}. " if code else "") + "The reason is in the emulator's log and at /_emulator/decisions."


async def _json_endpoint(rt: Runtime, component: str, handle: Callable[[], Awaitable[Response]]) -> Response:
    """The one place a JSON endpoint's refusal becomes AWS's answer: OAuth2 errors, the token path's refusals,
    userInfo's bearer errors, and anything unexpected (a server_error, never a traceback)."""
    try:
        return await handle()
    except OAuthError as error:
        return oauth_error_response(rt, component, error)
    except TokenRefused as refused:
        return oauth_error_response(rt, component, refused.oauth())
    except CognitoError as error:  # a trigger of the token path failed (UNCONFIRMED: AWS's OAuth2 error for it)
        return oauth_error_response(rt, component, oauth_error("invalid_request", f"{error.type}: {error.message}"
                                                                                  f" ({error.reason})"))
    except userinfo.UserInfoError as error:
        rt.decisions.reject(component, f"{error.status} {error.error}", error.reason)
        return JSONResponse({"error": error.error, "error_description": error.description}, status_code=error.status,
                            headers={"WWW-Authenticate": error.www_authenticate(), **reason_headers(error.reason)})
    except Exception:
        log.exception("internal error in %s", component)
        return oauth_error_response(rt, component, oauth_error("server_error", SERVER_ERROR_REASON))


PageHandler = Callable[[Runtime, dict[str, str], dict[str, str]], Response]


async def _page(rt: Runtime, component: str, handler: PageHandler, params: dict[str, str],
                cookies: dict[str, str]) -> Response:
    """Run a browser-facing handler off the event loop, its page dressed in the client's branding; an internal
    failure is a page, never a traceback."""
    try:
        response = await run_in_threadpool(handler, rt, params, dict(cookies))
        return await run_in_threadpool(branded_pages.branded, rt, params, response)
    except Exception:
        log.exception("internal error in %s", component)
        return _error_page(rt, component, SERVER_ERROR_REASON, 500)


def _error_page(rt: Runtime, component: str, reason: str, status: int) -> Response:
    rt.decisions.reject(component, f"{status} error page", reason)
    html = pages.message_page("Something went wrong", reason, ERROR_PAGE_TEXT)
    return HTMLResponse(html, status_code=status, headers=reason_headers(reason))

