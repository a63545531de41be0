"""Session decisions as tables: SessionId's shape, which refresh tokens make a session, the SSO reuse window."""

from __future__ import annotations

import re

import pytest

from emulator.cognito.session_limits import session_id, token_sessions
from emulator.refresh_tokens import RefreshRecord


def _record(origin: str, auth_time: int, revoked: bool = False, issued: float = 0.0) -> RefreshRecord:
    return RefreshRecord(pool_id="p", client_id="app", username="u", sub="s", auth_time=auth_time,
                         origin_jti=origin, expires=10_000, scope="openid", revoked=revoked, issued=issued)


@pytest.mark.parametrize("seed", ["a", "origin-jti", "x" * 200, ""])
def test_session_ids_match_the_model_pattern_and_are_stable(seed: str) -> None:
    for prefix in ("tkn", "sso"):
        assert re.fullmatch(rf"{prefix}[a-z0-9]{{25}}", session_id(prefix, seed))
        assert session_id(prefix, seed) == session_id(prefix, seed)
    assert session_id("tkn", seed) != session_id("tkn", seed + "!")


@pytest.mark.parametrize(("records", "expected"), [
    ([], []),
    # one sign-in, rotated: one session, last active when its newest token was minted
    ([_record("o1", 100, issued=100.2), _record("o1", 100, issued=500.5)], [("o1", 100, 500.5)]),
    # oldest first; a revoked token of a family does not hide the family's live one
    ([_record("o2", 300), _record("o1", 100, revoked=True), _record("o1", 100)], [("o1", 100, 100), ("o2", 300, 300)]),
    ([_record("o1", 100, revoked=True)], []),
    # sign-ins in one second keep the order they were minted in
    ([_record("b", 100, issued=100.7), _record("a", 100, issued=100.3)], [("a", 100, 100.3), ("b", 100, 100.7)]),
])
def test_token_sessions(records: list, expected: list) -> None:
    sessions = token_sessions(records)
    assert [(s["_origin"], s["CreateDate"], s["LastActiveDate"]) for s in sessions] == expected
    assert all(s["SessionType"] == "TOKEN" and s["SessionId"] == session_id("tkn", s["_origin"]) for s in sessions)
