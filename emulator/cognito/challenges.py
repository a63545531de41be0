"""What one step of a sign-in ends in (`Outcome`): another challenge, or an authenticated user whom the
caller then mints tokens for (the API) or sends back to the app with a code (the hosted login page).
Also the checks of a user's status that every step makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.cognito.errors import reject
from emulator.cognito.sessions import ChallengeSession, open_session
from emulator.issuance import Grant
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord


@dataclass(frozen=True)
class Challenge:
    """The next challenge to answer, with its Session."""

    name: str
    parameters: dict[str, str]
    session: str
    available: tuple[str, ...] = ()  # SELECT_CHALLENGE's AvailableChallenges (USER_AUTH)

    def to_aws(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ChallengeName": self.name, "Session": self.session,
                                "ChallengeParameters": self.parameters}
        if self.available:
            data["AvailableChallenges"] = list(self.available)
        return data


@dataclass(frozen=True)
class Authenticated:
    """The user proved who they are; `grant` says how, for the token path."""

    user: UserRecord
    grant: Grant = Grant.AUTHENTICATION
    device: str | None = None  # the remembered device the sign-in proved (no NewDeviceMetadata then)
    factors: tuple[str, ...] = ("Password",)  # the auth event's ChallengeResponses (Password, Mfa)


Outcome = Challenge | Authenticated


def open_challenge(rt: Runtime, pool: UserPool, client: AppClient, username: str, name: str,
                   parameters: dict[str, str], session: ChallengeSession | None = None) -> Challenge:
    """Answer with a challenge, keeping what its answer will need in a new session."""
    data = session or ChallengeSession(pool.id, client.client_id, username, name)
    data.pool_id, data.client_id, data.username, data.challenge = pool.id, client.client_id, username, name
    token = open_session(rt.store, data, client.auth_session_validity, rt.clock())
    return Challenge(name, parameters, token)


def check_user_can_sign_in(pool: UserPool, user: UserRecord) -> None:
    """The status checks AWS makes before it looks at the password."""
    if not user.enabled:
        raise reject("user_disabled", f"user '{user.username}' is disabled (AdminDisableUser or Enabled: false)")
    if user.status == "UNCONFIRMED":
        raise reject("user_not_confirmed", f"user '{user.username}' has not confirmed sign-up "
                                           "(ConfirmSignUp or AdminConfirmSignUp)")
    if user.status == "RESET_REQUIRED":
        raise reject("password_reset_required", f"user '{user.username}' is RESET_REQUIRED; "
                                                "ForgotPassword/ConfirmForgotPassword first")


def session_user(rt: Runtime, pool: UserPool, session: ChallengeSession) -> UserRecord:
    """The user a challenge session was opened for, still allowed to sign in."""
    user = rt.store.user(pool, session.username)
    if user is None:
        raise reject("session_invalid", f"user '{session.username}' of this session no longer exists")
    check_user_can_sign_in(pool, user)
    return user
