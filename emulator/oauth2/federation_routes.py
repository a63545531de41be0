"""The federated sign-in's routes on the Cognito port: /oauth2/idpresponse and the simulated social providers'
pages (/simulated-idp/<Provider>/authorize). /oauth2/authorize itself is routes.py's, through
federation_start.authorize."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from emulator.oauth2 import federation, idp_response, social_simulation
from emulator.oauth2.errors import SERVER_ERROR_REASON, OAuthError
from emulator.oauth2.httpio import query_params, read_form
from emulator.runtime import Runtime

log = logging.getLogger("cognito_emulator")


def add_routes(rt: Runtime, router: APIRouter) -> None:
    """Add the federation routes to the hosted UI's router."""

    @router.get("/oauth2/idpresponse")
    async def idpresponse(request: Request) -> Response:
        params, base = query_params(request), str(request.base_url)
        return await _run(rt, lambda: idp_response.idp_response(rt, request, params, base))

    @router.get(social_simulation.PATH)
    async def simulated_page(provider: str, request: Request) -> Response:
        params, base = query_params(request), str(request.base_url)
        return await _run(rt, lambda: social_simulation.page(rt, provider, params, base))

    @router.post(social_simulation.PATH)
    async def simulated_submit(provider: str, request: Request) -> Response:
        try:
            form = await read_form(request, include_query=False)
        except OAuthError as error:
            return federation.error_page(rt, error.reason)
        params, base = query_params(request), str(request.base_url)
        return await _run(rt, lambda: social_simulation.submit(rt, provider, params, form, base))


async def _run(rt: Runtime, handler: Callable[[], Response]) -> Response:
    """Off the event loop (the OIDC exchange may call this very server); a failure is a page, not a traceback."""
    try:
        return await run_in_threadpool(handler)
    except Exception:
        log.exception("internal error in %s", federation.COMPONENT)
        return federation.error_page(rt, SERVER_ERROR_REASON, 500)
