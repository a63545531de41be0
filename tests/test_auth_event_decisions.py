"""Which address an auth event names and which challenge results a failed answer records, as tables."""

from __future__ import annotations

import pytest

from emulator.cognito.auth_event_log import event_context, failed_challenges


@pytest.mark.parametrize(("params", "propagates", "expected"), [
    ({}, False, "10.0.0.1"),
    ({"ContextData": {"IpAddress": "203.0.113.7"}}, False, "203.0.113.7"),
    ({"UserContextData": {"IpAddress": "198.51.100.9"}}, False, "10.0.0.1"),
    ({"UserContextData": {"IpAddress": "198.51.100.9"}}, True, "198.51.100.9"),
    ({"UserContextData": {"EncodedData": "x"}}, True, "10.0.0.1"),
    ({"ContextData": "not a map"}, True, "10.0.0.1"),
])
def test_event_context(params: dict, propagates: bool, expected: str) -> None:
    assert event_context("10.0.0.1", params, propagates) == {"IpAddress": expected}


MFA_FAILED = (("Password", "Success"), ("Mfa", "Failure"))


@pytest.mark.parametrize(("challenge", "error", "expected"), [
    ("SOFTWARE_TOKEN_MFA", "CodeMismatchException", MFA_FAILED),
    ("SMS_MFA", "CodeMismatchException", MFA_FAILED),
    ("EMAIL_OTP", "ExpiredCodeException", MFA_FAILED),
    ("SOFTWARE_TOKEN_MFA", "NotAuthorizedException", None),  # a spent session, not a wrong code
    ("PASSWORD_VERIFIER", "NotAuthorizedException", None),  # counted (and recorded) by lockout.py
    ("NEW_PASSWORD_REQUIRED", "InvalidPasswordException", None),
])
def test_failed_challenges(challenge: str, error: str, expected: tuple | None) -> None:
    assert failed_challenges(challenge, error) == expected
