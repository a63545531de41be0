"""Which claim the dashboard and `explain` highlight for a refused token (a table over the pure function)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.companion.claim_mismatch import identity_header, mismatched_claim
from emulator.gateway.authorizer_config import CognitoAuthorizer, JwtAuthorizer

ISS = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example01"
JWT = JwtAuthorizer("jwt", ("$request.header.Authorization",), ISS, ("managedlogin01",))
COGNITO = CognitoAuthorizer("cog", "method.request.header.X-Token", ("arn",), None, 300)
NOW = 1_800_000_000
ID = {"iss": ISS, "aud": "managedlogin01", "token_use": "id", "exp": NOW + 60}
ACCESS = {"iss": ISS, "client_id": "managedlogin01", "token_use": "access", "scope": "a/b", "exp": NOW + 60}

CASES: list[tuple[str, Any, dict, tuple[str, ...], dict | None]] = [
    ("jwt ok", JWT, ID, (), None),
    ("jwt aud", JWT, {**ID, "aud": "piyopiyo"}, (), {"claim": "aud", "value": "piyopiyo",
                                                    "expected": ["managedlogin01"]}),
    ("jwt iss first", JWT, {**ID, "iss": "x", "aud": "y"}, (), {"claim": "iss", "value": "x", "expected": ISS}),
    ("jwt client_id without aud", JWT, {**ACCESS, "client_id": "other"}, (),
     {"claim": "client_id", "value": "other", "expected": ["managedlogin01"]}),
    ("expired", JWT, {**ID, "exp": NOW}, (), {"claim": "exp", "value": NOW, "expected": f"after {NOW}"}),
    ("jwt scope", JWT, ACCESS, ("c/d",), {"claim": "scope", "value": "a/b", "expected": "one of ['c/d']"}),
    ("cognito wants an id token", COGNITO, ACCESS, (), {"claim": "token_use", "value": "access", "expected": "id"}),
    ("cognito wants an access token", COGNITO, ID, ("a/b",),
     {"claim": "token_use", "value": "id", "expected": "access"}),
    ("cognito ok with scope", COGNITO, ACCESS, ("a/b",), None),
]


@pytest.mark.parametrize(("authorizer", "claims", "scopes", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_mismatched_claim(authorizer: Any, claims: dict, scopes: tuple[str, ...], expected: dict | None) -> None:
    assert mismatched_claim(authorizer, claims, NOW, scopes) == expected


def test_identity_header() -> None:
    assert identity_header(JWT) == "Authorization"
    assert identity_header(COGNITO) == "X-Token"
    assert identity_header(JwtAuthorizer("q", ("$request.querystring.t",), ISS, ())) is None
