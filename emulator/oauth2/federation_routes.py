"""The federated sign-in's routes on the Cognito port: /oauth2/idpresponse and the simulated social providers'
pages (/simulated-idp/<Provider>/authorize). /oauth2/authorize itself is routes.py's, through
federation_start.authorize."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from emulator.oauth2 import federation, idp_response, social_simulation
from emulator.oauth2.errors import OAuthError
from emulator.oauth2.httpio import query_params, read_form
from emulator.runtime import Runtime


def add_routes(rt: Runtime, router: APIRouter) -> None:
    """Add the federation routes to the hosted UI's router."""

    @router.get("/oauth2/idpresponse")
    async def idpresponse(request: Request) -> Response:
        params, base = query_params(request), str(request.base_url)
        return await federation.off_loop(rt, lambda: idp_response.idp_response(rt, request, params, base))

    @router.get(social_simulation.PATH)
    async def simulated_page(provider: str, request: Request) -> Response:
        params, base = query_params(request), str(request.base_url)
        return await federation.off_loop(rt, lambda: social_simulation.page(rt, provider, params, base))

    @router.post(social_simulation.PATH)
    async def simulated_submit(provider: str, request: Request) -> Response:
        try:
            form = await read_form(request, include_query=False)
        except OAuthError as error:
            return federation.error_page(rt, error.reason)
        params, base = query_params(request), str(request.base_url)
        return await federation.off_loop(rt, lambda: social_simulation.submit(rt, provider, params, form, base))

