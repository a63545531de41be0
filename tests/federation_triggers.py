"""Triggers for the federation tests, written as Cognito Lambda handlers: each call is recorded in EVENTS."""

from __future__ import annotations

import copy
from typing import Any

EVENTS: list[dict[str, Any]] = []


def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(copy.deepcopy(event))
    if event["request"].get("userAttributes", {}).get("email", "").startswith("blocked@"):
        raise Exception("blocked by the test's PreSignUp")
    return event
