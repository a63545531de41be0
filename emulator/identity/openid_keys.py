"""Where the identity pools' OpenID tokens (GetOpenIdToken, GetOpenIdTokenForDeveloperIdentity) can be verified:
AWS publishes `https://cognito-identity.amazonaws.com/.well-known/openid-configuration` and its key set at
`/.well-known/jwks_uri`; the emulator serves both at the same paths on the Cognito port, with its own key."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from emulator.identity.logins import OPENID_ISSUER, OPENID_KEYS

if TYPE_CHECKING:
    from emulator.runtime import Runtime


def key_set(rt: Runtime) -> dict[str, Any]:
    """The JWKS with the one key OpenID tokens are signed with."""
    return {"keys": [rt.keyring.signing_key(OPENID_KEYS, "id").jwk()]}


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter()

    @router.get("/.well-known/jwks_uri")
    def jwks() -> JSONResponse:
        return JSONResponse(key_set(rt))

    @router.get("/.well-known/openid-configuration")
    def discovery(request: Request) -> JSONResponse:
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"issuer": OPENID_ISSUER, "jwks_uri": f"{base}/.well-known/jwks_uri",
                             "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                             "id_token_signing_alg_values_supported": ["RS256"]})

    return router
