"""Calling a user pool's Lambda triggers: the event AWS sends (common fields around each trigger's `request`
and empty `response`), the invocation through the runtime's one invoker (rt.lambdas) under AWS's 5-second
limit, the call recorded in the decisions log, and AWS's errors when the trigger fails.

The per-trigger meaning of a response is the caller's (signup.py, signin.py, issuance.py, codes.py ...);
this module only gets the `response` back or raises."""

from __future__ import annotations

import copy
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from emulator.cognito.errors import CognitoError, reject
from emulator.lambdas.outcomes import BadPayload, FunctionError, Outcome, Returned, TimedOut, Unreachable, describe
from emulator.model import UserPool
from emulator.state import UserRecord

if TYPE_CHECKING:
    from emulator.runtime import Runtime

# Cognito waits 5 s for a user pool trigger, whatever the function's own timeout ("Amazon Cognito ... calls
# Lambda functions synchronously ... must respond within 5 seconds", the developer guide's Lambda triggers page).
TRIGGER_TIMEOUT_SECONDS = 5.0
# callerContext.clientId of operations that have no app client (AdminCreateUser, AdminConfirmSignUp ...).
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
# callerContext.awsSdkVersion: AWS sends the caller's SDK; the emulator cannot know it.
SDK_VERSION = "aws-sdk-unknown-unknown"
# The text AWS gives for a trigger that did not answer in time (UnexpectedLambdaException), quoted from real
# responses in furaiev/amazon-cognito-identity-dart-2#204 and anomalyco/sst#1815.
TIMEOUT_DETAIL = "Socket timeout while invoking Lambda function"

# The ClientMetadata of the operation being handled; the operations set it, triggers get it as
# request.clientMetadata (or validationData, where AWS passes it so).
CLIENT_METADATA: ContextVar[dict[str, str] | None] = ContextVar("client_metadata", default=None)

# Request and response fields that carry secrets: masked in the decisions log and the log line.
SECRET_FIELDS = frozenset({"password", "challengeAnswer", "privateChallengeParameters", "code"})


def configured(pool: UserPool, trigger: str) -> str | None:
    """The function a pool names for `trigger` (an ARN or a local target), or None."""
    value = pool.lambda_config.get(trigger)
    return value if isinstance(value, str) and value else None


def client_metadata() -> dict[str, str]:
    return dict(CLIENT_METADATA.get() or {})


def user_attributes(user: UserRecord | None) -> dict[str, str]:
    """request.userAttributes as Cognito sends them: the attributes, sub and cognito:user_status."""
    if user is None:
        return {}
    return {**user.attributes, "sub": user.sub, "cognito:user_status": user.status}


def trigger_event(pool: UserPool, source: str, user_name: str | None, client_id: str | None,
                  request: dict[str, Any], response: dict[str, Any], version: str = "1") -> dict[str, Any]:
    """The event AWS sends a user pool trigger (the developer guide's common parameters)."""
    return {
        "version": version,
        "triggerSource": source,
        "region": pool.region,
        "userPoolId": pool.id,
        "userName": user_name,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id or NO_CLIENT},
        "request": copy.deepcopy(request),
        "response": copy.deepcopy(response),
    }


def masked(value: Any) -> Any:
    """`value` with every secret field's value replaced by '***' (for logs)."""
    if isinstance(value, dict):
        return {k: ("***" if k in SECRET_FIELDS and v else masked(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value


def failure(trigger: str, label: str, outcome: Outcome) -> CognitoError | None:
    """AWS's error for a trigger invocation that did not return (None when it did)."""
    why = f"{trigger} ({label}) {describe(outcome)}"
    if isinstance(outcome, FunctionError):
        return reject("lambda_failed", why, trigger=trigger, detail=outcome.message)
    if isinstance(outcome, TimedOut):
        return reject("lambda_unexpected", f"{why}; Cognito waits {TRIGGER_TIMEOUT_SECONDS:g} s for a trigger",
                      trigger=trigger, detail=TIMEOUT_DETAIL)
    if isinstance(outcome, BadPayload):
        return reject("lambda_bad_output", why)
    if isinstance(outcome, Unreachable):
        return reject("lambda_unexpected", why, trigger=trigger, detail=outcome.code)
    return None


def fire(rt: Runtime, pool: UserPool, trigger: str, source: str, user_name: str | None, client_id: str | None,
         request: dict[str, Any], response: dict[str, Any], version: str = "1",
         reference: str | None = None, reads_response: bool = True) -> dict[str, Any]:
    """Invoke the pool's `trigger` with AWS's event; its `response` object, or AWS's error. `reference`
    overrides the LambdaConfig entry (Pre Token Generation names its function in its own config);
    `reads_response` False: Cognito ignores what the function returns (custom senders), {} is returned."""
    function = reference or configured(pool, trigger)
    assert function, f"fire() called for {trigger}, which pool {pool.id} does not configure"
    event = trigger_event(pool, source, user_name, client_id, request, response, version)
    label, outcome = rt.lambdas.invoke(function, event, TRIGGER_TIMEOUT_SECONDS)
    answered = outcome.payload if isinstance(outcome, Returned) else None
    component = f"trigger {trigger} {pool.id}"
    rt.decisions.invocation(component, f"{source}: {describe(outcome)}", f"{function} runs as {label}",
                            {"event": masked(event), "response": masked(answered)})
    error = failure(trigger, label, outcome)
    if error is not None:
        raise error
    if not reads_response:
        return {}
    result = answered.get("response") if isinstance(answered, dict) else None
    if not isinstance(result, dict):
        raise reject("lambda_bad_output", f"{trigger} ({label}) returned {type(answered).__name__}, not the event "
                                          "with its 'response' filled in (return the event, as Cognito expects)")
    return result
