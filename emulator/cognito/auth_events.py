"""AdminListUserAuthEvents, AdminUpdateAuthEventFeedback, UpdateAuthEventFeedback over the events
auth_event_log.py records for sign-ins. AWS answers these only with threat protection on
(UserPoolAddOnNotEnabledException otherwise); risk itself is not evaluated."""

from __future__ import annotations

import hmac
from typing import Any

from emulator.cognito import auth_event_log
from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_pool
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.cognito.risk_configuration import require_threat_protection
from emulator.cognito.users import require_user
from emulator.runtime import Runtime

SHOWN = ("EventId", "EventType", "CreationDate", "EventResponse", "EventRisk", "ChallengeResponses",
         "EventContextData", "EventFeedback")


def _shown(event: dict[str, Any]) -> dict[str, Any]:
    return {k: event[k] for k in SHOWN if k in event}


def admin_list_user_auth_events(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    require_threat_protection(rt.store, pool.id, call.operation)
    user = require_user(rt, pool, params["Username"])
    newest_first = auth_event_log.events(rt.store, pool.id, user.username)
    # page() sorts by key ascending: number the events so the newest comes first.
    items = [(f"{i:08d}", _shown(event)) for i, (_, event) in enumerate(newest_first)]
    listing = f"auth-events:{pool.id}:{user.username}"
    items_page, token = page(items, params.get("NextToken"), params.get("MaxResults") or 60, listing)
    return {"AuthEvents": items_page, **({"NextToken": token} if token else {})}


def _set_feedback(rt: Runtime, params: dict, call: Call, provider: str, token: str | None) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    require_threat_protection(rt.store, pool.id, call.operation)
    user = require_user(rt, pool, params["Username"])
    found = next(((key, event) for key, event in auth_event_log.events(rt.store, pool.id, user.username)
                  if event["EventId"] == params["EventId"]), None)
    if found is None:
        raise reject("auth_event_not_found", f"user '{user.username}' has no auth event {params['EventId']} "
                     "(AdminListUserAuthEvents lists them)", event_id=params["EventId"])
    key, event = found
    if token is not None and not hmac.compare_digest(token.encode(), event["FeedbackToken"].encode()):
        raise reject("feedback_token_invalid", f"FeedbackToken is not event {params['EventId']}'s (AWS sends it in "
                     "the risk notification e-mail; the emulator logs it when it records the event)")
    event["EventFeedback"] = {"FeedbackValue": params["FeedbackValue"], "Provider": provider,
                              "FeedbackDate": rt.clock()}
    auth_event_log.save(rt.store, pool.id, key, event)
    return {}


def admin_update_auth_event_feedback(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    # Provider names who gave the feedback; "Admin" for the admin API (UNCONFIRMED: AWS's docs name the
    # console's feedback "Admin").
    return _set_feedback(rt, params, call, "Admin", None)


def update_auth_event_feedback(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    return _set_feedback(rt, params, call, "User", params["FeedbackToken"])  # UNCONFIRMED Provider value


OPERATIONS = {
    "AdminListUserAuthEvents": admin_list_user_auth_events,
    "AdminUpdateAuthEventFeedback": admin_update_auth_event_feedback,
    "UpdateAuthEventFeedback": update_auth_event_feedback,
}
