"""Python triggers for tests/test_triggers.py and tests/test_pre_token_paths.py; each call is kept in EVENTS."""

from __future__ import annotations

import copy
import threading
from typing import Any

EVENTS: list[dict[str, Any]] = []


def post_confirmation(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(copy.deepcopy(event))
    return event


def pre_token_every_path(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """V3_0: names the trigger source in both tokens, so a test sees which path minted them."""
    EVENTS.append(copy.deepcopy(event))
    claims = {"claimsToAddOrOverride": {"minted_by": event["triggerSource"]}}
    event["response"]["claimsAndScopeOverrideDetails"] = {"idTokenGeneration": claims,
                                                          "accessTokenGeneration": claims}
    return event


# A PreAuthentication trigger that waits until a test releases it (tests/test_loop_calls.py).
GATE_ENTERED = threading.Event()
GATE_RELEASE = threading.Event()


def waiting_pre_authentication(event: dict[str, Any], context: Any) -> dict[str, Any]:
    EVENTS.append(copy.deepcopy(event))
    GATE_ENTERED.set()
    GATE_RELEASE.wait(30)
    return event
