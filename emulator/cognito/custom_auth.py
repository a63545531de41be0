"""CUSTOM_AUTH: sign-in driven by the pool's DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse triggers, and the CUSTOM_CHALLENGE responder.

The triggers run through the runtime's one invoker (triggers.fire): Python, Node.js or a Lambda Invoke API
endpoint, named in the pool's LambdaConfig, with the event AWS sends (version, triggerSource, region,
userPoolId, userName, callerContext, request, response). They answer with the event's `response` filled in.

The flow: Define sees the session so far and decides (fail, issue tokens, or the next challenge);
for CUSTOM_CHALLENGE, Create makes it and Verify checks the ANSWER; Define decides again.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from emulator.cognito import mfa, password_verifier
from emulator.cognito.challenges import Authenticated, Challenge, Outcome, open_challenge, session_user
from emulator.cognito.errors import reject
from emulator.cognito.lookup import require_param
from emulator.cognito.sessions import ChallengeSession, CustomState, OpenSession
from emulator.cognito.triggers import CLIENT_METADATA, client_metadata, configured, fire, user_attributes
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

log = logging.getLogger("cognito_emulator")

DEFINE = "DefineAuthChallenge"
CREATE = "CreateAuthChallenge"
VERIFY = "VerifyAuthChallengeResponse"

__all__ = ["CLIENT_METADATA", "begin", "decide", "respond_custom_challenge", "user_attributes"]

# Challenges DefineAuthChallenge may name (the Cognito developer guide's list, less the device ones).
_NEXT_CHALLENGES = ("CUSTOM_CHALLENGE", "PASSWORD_VERIFIER", "SMS_MFA", "SOFTWARE_TOKEN_MFA")

_EMPTY_RESPONSE = {
    DEFINE: {"challengeName": None, "issueTokens": None, "failAuthentication": None},
    CREATE: {"publicChallengeParameters": None, "privateChallengeParameters": None, "challengeMetadata": None},
    VERIFY: {"answerCorrect": None},
}


# -- calling a trigger ---------------------------------------------------------------------------


def require_triggers(pool: UserPool) -> None:
    """AWS refuses CUSTOM_AUTH outright when the pool has no DefineAuthChallenge trigger."""
    if not configured(pool, DEFINE):
        raise reject("custom_auth_not_configured", f"pool {pool.id} has no LambdaConfig.{DEFINE}; CUSTOM_AUTH "
                                                   "needs Define, Create and Verify auth-challenge triggers")


def invoke_trigger(rt: Runtime, pool: UserPool, client: AppClient, trigger: str, user_name: str,
                   request: dict[str, Any]) -> dict[str, Any]:
    """Call one custom-auth trigger with AWS's event and return its `response`; AWS's errors when it fails."""
    if not configured(pool, trigger):
        if trigger == DEFINE:
            require_triggers(pool)
        raise reject("custom_auth_not_configured", f"pool {pool.id} has no LambdaConfig.{trigger}")
    metadata = client_metadata()
    full_request = {**request, **({"clientMetadata": metadata} if metadata else {})}
    if client.prevent_user_existence_errors != "ENABLED":
        # AWS fills userNotFound only for clients that hide user existence.
        full_request.pop("userNotFound", None)
    return fire(rt, pool, trigger, f"{trigger}_Authentication", user_name, client.client_id, full_request,
                _EMPTY_RESPONSE[trigger])


def _string_map(value: Any, trigger: str, field: str) -> dict[str, str]:
    """A trigger's string map (public/private challenge parameters); scalars become strings as in JSON."""
    if value is None:
        return {}
    if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
        raise reject("lambda_bad_output", f"{trigger} response.{field} must be a map of strings, got {value!r}")
    return {str(k): v if isinstance(v, str) else _scalar(v) for k, v in value.items() if v is not None}


def _scalar(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


# -- the flow ------------------------------------------------------------------------------------


def begin(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord | None, typed_name: str,
          srp_a: str | None) -> Outcome:
    """InitiateAuth(CUSTOM_AUTH): ask Define what comes first. `user` None: unknown, existence hidden."""
    history = [{"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None}] if srp_a else []
    state = CustomState(history=history, user_name=user.username if user else typed_name, not_found=user is None,
                        srp_a=srp_a)
    return decide(rt, pool, client, user, state)


def decide(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord | None, state: CustomState) -> Outcome:
    """Call Define with the session so far and act on its answer."""
    response = invoke_trigger(rt, pool, client, DEFINE, state.user_name, {
        "userAttributes": user_attributes(user), "session": state.history, "userNotFound": user is None,
    })
    if response.get("failAuthentication") is True:
        raise reject("wrong_password", f"{DEFINE} answered failAuthentication after {_summary(state)}")
    if response.get("issueTokens") is True:
        if user is None:
            raise reject("wrong_password", f"{DEFINE} answered issueTokens for user '{state.user_name}', who "
                                           "does not exist (PreventUserExistenceErrors hides that)")
        return Authenticated(user)
    name = response.get("challengeName")
    if name not in _NEXT_CHALLENGES:
        raise reject("lambda_bad_output", f"{DEFINE} answered neither issueTokens, failAuthentication nor a "
                                          f"challengeName among {', '.join(_NEXT_CHALLENGES)} (got {name!r})")
    if name == "CUSTOM_CHALLENGE":
        return _create_challenge(rt, pool, client, user, state)
    if name == "PASSWORD_VERIFIER":
        if not state.srp_a:
            raise reject("missing_auth_parameter", f"{DEFINE} asked for PASSWORD_VERIFIER but InitiateAuth had no "
                                                   "SRP_A (send SRP_A and CHALLENGE_NAME=SRP_A)", name="SRP_A")
        carried = ChallengeSession(pool.id, client.client_id, state.user_name, name, custom=state)
        return password_verifier.start(rt, pool, client, user, state.user_name, state.srp_a, carried)
    if user is None:
        raise reject("wrong_password", f"{DEFINE} asked for {name} for a user that does not exist")
    # An MFA challenge named by Define; a right code then issues tokens.
    return mfa.factor_challenge(rt, pool, client, user, name)


def _summary(state: CustomState) -> str:
    steps = [f"{s['challengeName']}={'ok' if s['challengeResult'] else 'failed'}" for s in state.history]
    return "session [" + ", ".join(steps) + "]"


def _create_challenge(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord | None,
                      state: CustomState) -> Challenge:
    response = invoke_trigger(rt, pool, client, CREATE, state.user_name, {
        "userAttributes": user_attributes(user), "challengeName": "CUSTOM_CHALLENGE",
        "session": state.history, "userNotFound": user is None,
    })
    public = _string_map(response.get("publicChallengeParameters"), CREATE, "publicChallengeParameters")
    private = _string_map(response.get("privateChallengeParameters"), CREATE, "privateChallengeParameters")
    metadata = response.get("challengeMetadata")
    if metadata is not None and not isinstance(metadata, str):
        raise reject("lambda_bad_output", f"{CREATE} response.challengeMetadata must be a string")
    next_state = replace(state, private=private, metadata=metadata)
    carried = ChallengeSession(pool.id, client.client_id, state.user_name, "CUSTOM_CHALLENGE", custom=next_state)
    # AWS adds the user's real username to the trigger's public parameters.
    return open_challenge(rt, pool, client, state.user_name, "CUSTOM_CHALLENGE",
                          {**public, "USERNAME": state.user_name}, carried)


def respond_custom_challenge(rt: Runtime, pool: UserPool, client: AppClient, opened: OpenSession,
                             responses: dict[str, str]) -> Outcome:
    """RespondToAuthChallenge(CUSTOM_CHALLENGE): Verify checks ANSWER, then Define decides again."""
    state = opened.data.custom
    if state is None:
        raise reject("session_invalid", "this Session does not belong to a CUSTOM_AUTH sign-in")
    require_param(responses, "USERNAME", "missing_challenge_response")
    answer = require_param(responses, "ANSWER", "missing_challenge_response")
    user = None if state.not_found else session_user(rt, pool, opened.data)
    verdict = invoke_trigger(rt, pool, client, VERIFY, state.user_name, {
        "userAttributes": user_attributes(user), "privateChallengeParameters": state.private,
        "challengeAnswer": answer, "userNotFound": user is None,
    })
    correct = verdict.get("answerCorrect") is True
    history = [*state.history, {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": correct,
                                "challengeMetadata": state.metadata}]
    return decide(rt, pool, client, user, replace(state, history=history, private={}, metadata=None))


def after_password_verifier(rt: Runtime, pool: UserPool, client: AppClient, user: UserRecord,
                            state: CustomState) -> Outcome:
    """A right SRP proof inside CUSTOM_AUTH: the user's MFA comes first (as on AWS), then Define decides."""
    history = [*state.history, {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True,
                                "challengeMetadata": None}]
    # With MFA on for the user, AWS asks for the code itself after PASSWORD_VERIFIER and then issues tokens
    # without calling Define again (aws-amplify/amplify-js#3876).
    second = mfa.second_factor(rt, pool, client, user)
    if second is not None:
        return second
    return decide(rt, pool, client, user, replace(state, history=history))


# CUSTOM_AUTH adds no operation of its own (it rides on InitiateAuth / RespondToAuthChallenge in auth.py).
OPERATIONS: dict[str, Any] = {}
