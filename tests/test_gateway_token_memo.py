"""The authorizers parse a token's bytes once (a memo per Authorizers), and still check its key, signature and
claims on every request: an expired token is refused even though it was parsed and allowed before."""

from __future__ import annotations

import asyncio
from typing import Any

import jwt
import pytest

from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer
from emulator.gateway.authorizers import MEMO_TOKEN_CHARS, Authorizers
from emulator.gateway.request import AuthRequest
from emulator.gateway.verdicts import Allow, Deny
from tests.test_gateway_request import ISSUER, KEY, NOW, POOL_ID, OnePool, counting_parser

AUTHORIZERS = [
    JwtAuthorizer("jwt", ("$request.header.Authorization",), ISSUER, ("piyopiyo",)),
    CognitoAuthorizer("pool", "method.request.header.Authorization",
                      (f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{POOL_ID}",), None, 300),
]


class MovingClock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def request(authorizer: Any, raw_token: str) -> AuthRequest:
    protocol = "HTTP" if isinstance(authorizer, JwtAuthorizer) else "REST"
    return AuthRequest(protocol, "api", "$default", "GET", "/x", "GET /x", {"authorization": raw_token}, {}, {}, {},
                       "127.0.0.1", (), "arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/x", "r", {})


@pytest.mark.parametrize("authorizer", AUTHORIZERS, ids=["JWT", "COGNITO_USER_POOLS"])
def test_the_same_token_is_parsed_once_and_its_expiry_checked_every_time(monkeypatch: pytest.MonkeyPatch,
                                                                         authorizer: Any) -> None:
    parsed = counting_parser(monkeypatch)
    clock = MovingClock()
    authorizers = Authorizers(OnePool(), clock=clock)
    raw = jwt.encode({"iss": ISSUER, "sub": "u", "aud": "piyopiyo", "token_use": "id", "iat": int(NOW),
                      "exp": NOW + 60}, KEY, algorithm="RS256", headers={"kid": "k1"})

    async def decide() -> Allow | Deny:
        return await authorizers.authorize(authorizer, request(authorizer, raw))

    for _ in range(3):
        assert isinstance(asyncio.run(decide()), Allow)
    clock.now = NOW + 61
    expired = asyncio.run(decide())
    assert isinstance(expired, Deny) and "expired" in expired.reason
    assert len(parsed) == 1


def test_a_tampered_copy_is_parsed_and_refused_on_its_own() -> None:
    authorizer = AUTHORIZERS[0]
    authorizers = Authorizers(OnePool(), clock=MovingClock())
    raw = jwt.encode({"iss": ISSUER, "sub": "u", "aud": "piyopiyo", "iat": int(NOW), "exp": NOW + 60}, KEY,
                     algorithm="RS256", headers={"kid": "k1"})
    header, _, signature = raw.split(".")
    forged = ".".join([header, jwt.utils.base64url_encode(b'{"iss":"%s","sub":"admin","aud":"piyopiyo","exp":%d}'
                                                          % (ISSUER.encode(), NOW + 60)).decode(), signature])

    async def decide(token: str) -> Allow | Deny:
        return await authorizers.authorize(authorizer, request(authorizer, token))

    assert isinstance(asyncio.run(decide(raw)), Allow)
    refused = asyncio.run(decide(forged))
    assert isinstance(refused, Deny) and "signature does not verify" in refused.reason
    assert isinstance(asyncio.run(decide(raw)), Allow)


def test_an_oversized_value_is_not_memoised(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = counting_parser(monkeypatch)
    authorizer = AUTHORIZERS[0]
    authorizers = Authorizers(OnePool(), clock=MovingClock())
    huge = "Bearer " + "a" * MEMO_TOKEN_CHARS + ".b.c"
    for _ in range(2):
        verdict = asyncio.run(authorizers.authorize(authorizer, request(authorizer, huge)))
        assert isinstance(verdict, Deny)
    assert len(parsed) == 2
