"""Custom-auth triggers for tests/test_custom_auth.py, written as Cognito Lambda handlers are:
`handler(event, context)` returning the event with `response` filled in.

Every call is recorded in EVENTS (a deep copy of the event as received) so tests can check its shape."""

from __future__ import annotations

import copy
from typing import Any

EVENTS: list[dict[str, Any]] = []

ANSWER = "42"
MAX_TRIES = 3


def _record(event: dict[str, Any], context: Any) -> None:
    EVENTS.append({**copy.deepcopy(event), "_context": {"function_name": context.function_name,
                                                         "remaining_ms": context.get_remaining_time_in_millis()}})


# -- "what is 6 x 7?", three tries ---------------------------------------------------------------------


def define_42(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event, context)
    session = event["request"]["session"]
    response = event["response"]
    if session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and session[-1]["challengeResult"]:
        response.update(issueTokens=True, failAuthentication=False)
    elif len(session) >= MAX_TRIES:
        response.update(issueTokens=False, failAuthentication=True)
    else:
        response.update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    return event


def create_42(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event, context)
    attempt = len(event["request"]["session"]) + 1
    event["response"]["publicChallengeParameters"] = {"question": "6 x 7", "attempt": attempt}
    event["response"]["privateChallengeParameters"] = {"answer": ANSWER}
    event["response"]["challengeMetadata"] = f"QUESTION-{attempt}"
    return event


def verify_42(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event, context)
    expected = event["request"]["privateChallengeParameters"]["answer"]
    event["response"]["answerCorrect"] = event["request"]["challengeAnswer"] == expected
    return event


async def define_42_async(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The same decision as an async handler."""
    return define_42(event, context)


# -- SRP_A + PASSWORD_VERIFIER, then the custom question (the Cognito developer guide's sequence) -----------


def define_srp_then_question(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event, context)
    session = event["request"]["session"]
    names = [(s["challengeName"], s["challengeResult"]) for s in session]
    response = event["response"]
    if names == [("SRP_A", True)]:
        response.update(issueTokens=False, failAuthentication=False, challengeName="PASSWORD_VERIFIER")
    elif names == [("SRP_A", True), ("PASSWORD_VERIFIER", True)]:
        response.update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    elif names == [("SRP_A", True), ("PASSWORD_VERIFIER", True), ("CUSTOM_CHALLENGE", True)]:
        response.update(issueTokens=True, failAuthentication=False)
    elif not session:
        # No SRP_A sent: ask for the password proof anyway (the emulator must refuse: there is no SRP_A).
        response.update(issueTokens=False, failAuthentication=False, challengeName="PASSWORD_VERIFIER")
    else:
        response.update(issueTokens=False, failAuthentication=True)
    return event


# -- misbehaving triggers, chosen by ClientMetadata["mode"] ---------------------------------------------------


def define_by_mode(event: dict[str, Any], context: Any) -> Any:
    _record(event, context)
    mode = (event["request"].get("clientMetadata") or {}).get("mode")
    if mode == "raise":
        raise ValueError("the trigger fell over")
    if mode == "none":
        return None
    if mode == "bad-name":
        event["response"]["challengeName"] = "MAGIC_CHALLENGE"
        return event
    if mode == "totp":
        event["response"].update(issueTokens=False, failAuthentication=False, challengeName="SOFTWARE_TOKEN_MFA")
        return event
    event["response"].update(issueTokens=False, failAuthentication=False, challengeName="CUSTOM_CHALLENGE")
    return event


def create_bad_parameters(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _record(event, context)
    event["response"]["publicChallengeParameters"] = {"nested": {"not": "a string"}}
    return event
