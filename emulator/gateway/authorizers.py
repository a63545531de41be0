"""The authorizers' I/O shell: reads the token once, fetches the issuer's keys, calls Lambda authorizers.

The decisions it hands the gathered values to are pure (jwt_authorizer, cognito_authorizer,
lambda_authorizer_verdict). `Authorizers` is what server.py builds and app.py calls.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from emulator.gateway.authorizer_config import Authorizer, CognitoAuthorizer, JwtAuthorizer, LambdaAuthorizer
from emulator.gateway.cognito_authorizer import cognito_identity, decide_cognito, pool_issuer
from emulator.gateway.iam_authorizer import Principal
from emulator.gateway.jwks import IssuerKeys, JwksSource, KeySet
from emulator.gateway.jwt_authorizer import decide_jwt, jwt_identity
from emulator.gateway.lambda_authorizers import LambdaAuthorizers
from emulator.gateway.request import AuthRequest
from emulator.gateway.token_verification import ParsedToken, TokenProblem, read_token
from emulator.gateway.verdicts import Allow, Deny, refuse
from emulator.lambdas.invoker import LambdaInvoker

if TYPE_CHECKING:
    import httpx

# The request and config types stay importable from here, where callers of the old 688-line module
# (bench/bench.py among them) found them.
__all__ = ["Authorizers", "AuthRequest", "JwtAuthorizer", "CognitoAuthorizer", "LambdaAuthorizer"]

# Tokens parsed per identity-source value, at most this many; a value longer than MEMO_TOKEN_CHARS is parsed afresh.
PARSE_MEMO_SIZE = 1024
MEMO_TOKEN_CHARS = 8192


class Authorizers:
    """Runs a route's authorizer: holds the I/O (JWKS fetch and cache, Lambda result cache) and the clock.

    `authorize` never raises and never allows by accident: an unexpected error inside a JWT or
    Cognito decision is a 401, inside a Lambda authorizer a 500 (AWS's AuthorizerConfigurationException).
    """

    def __init__(self, issuer_keys: IssuerKeys, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time, invoker: LambdaInvoker | None = None,
                 principals: Callable[[str], Principal | None] | None = None) -> None:
        self._issuer_keys = issuer_keys
        # AWS_IAM routes: who a SigV4 key id belongs to (iam_principals.principal_of); None: nobody, all refused
        self.principals = principals
        self.clock = clock  # app.py stamps requests with it too
        self.invoker = invoker  # runs node: and invoke: code; app.py's integrations use it too
        self.keys = JwksSource(issuer_keys, http, clock)
        self.lambdas = LambdaAuthorizers(clock, invoker)
        self._parsed = functools.lru_cache(maxsize=PARSE_MEMO_SIZE)(read_token)

    def _read_token(self, raw: str | None) -> ParsedToken | TokenProblem | None:
        """read_token, memoised on the raw value: parsing is a pure function of the bytes and a client sends the
        same token many times. The result is shared between requests: read it, never change it. Nothing verified
        is kept: key, signature (token_verification's memo of verdicts) and claims are checked every request."""
        if raw is None or len(raw) > MEMO_TOKEN_CHARS:
            return read_token(raw)
        return self._parsed(raw)

    async def authorize(self, authorizer: Authorizer, request: AuthRequest) -> Allow | Deny:
        """The verdict of `authorizer` on `request`; always an Allow or a Deny."""
        try:
            verdict = await self._decide(authorizer, request)
            if not isinstance(verdict, Allow | Deny):
                raise TypeError(f"the decision returned {type(verdict).__name__}, neither Allow nor Deny")
            return verdict
        except Exception as exc:  # a bug here must read as a refusal, never as an allow
            outcome = "error" if isinstance(authorizer, LambdaAuthorizer) else "unauthorized"
            name = getattr(authorizer, "name", "?")
            return refuse(request.protocol_type, outcome,
                          f"authorizer '{name}' failed inside the emulator: {type(exc).__name__}: {exc}")

    async def _decide(self, authorizer: Authorizer, request: AuthRequest) -> Allow | Deny:
        if isinstance(authorizer, JwtAuthorizer):
            return await self._jwt(authorizer, request)
        if isinstance(authorizer, CognitoAuthorizer):
            return await self._cognito(authorizer, request)
        if isinstance(authorizer, LambdaAuthorizer):
            return await self.lambdas.authorize(authorizer, request)
        return refuse(request.protocol_type, "error", f"unknown authorizer type {type(authorizer).__name__}")

    async def _jwt(self, authorizer: JwtAuthorizer, request: AuthRequest) -> Allow | Deny:
        token = self._read_token(jwt_identity(authorizer, request)[1])
        if isinstance(token, ParsedToken):
            key_set = await self.keys.key_set(authorizer.issuer, _kid(token))
        else:  # nothing to fetch keys for; the decision explains why
            key_set = KeySet(authorizer.issuer, None, "not fetched")
        return decide_jwt(authorizer, request, token, key_set, self.clock())

    async def _cognito(self, authorizer: CognitoAuthorizer, request: AuthRequest) -> Allow | Deny:
        issuers = {arn: iss for arn in authorizer.provider_arns
                   if (iss := pool_issuer(arn, self._issuer_keys)) is not None}
        token = self._read_token(cognito_identity(authorizer, request)[1])
        key_set = None
        if isinstance(token, ParsedToken):
            iss = token.claims.get("iss")
            # Keys are fetched only for an issuer the authorizer names: a token cannot point us elsewhere.
            if isinstance(iss, str) and iss in issuers.values():
                key_set = await self.keys.key_set(iss, _kid(token))
        return decide_cognito(authorizer, request, token, issuers, key_set, self.clock())

    async def aclose(self) -> None:
        """Close the HTTP client used for remote issuers' keys, if this object made it."""
        await self.keys.aclose()


def _kid(token: ParsedToken) -> str | None:
    return token.kid if isinstance(token.kid, str) else None
