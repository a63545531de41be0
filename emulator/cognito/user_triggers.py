"""The user-lifecycle triggers and what AWS does with their answers: PreSignUp (auto-confirm, auto-verify),
PostConfirmation, PreAuthentication and PostAuthentication. Each is a no-op for a pool without it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from emulator.cognito.errors import reject
from emulator.cognito.triggers import client_metadata, configured, fire, user_attributes
from emulator.model import UserPool
from emulator.state import UserRecord

if TYPE_CHECKING:
    from emulator.runtime import Runtime

PRE_SIGN_UP = "PreSignUp"
POST_CONFIRMATION = "PostConfirmation"
PRE_AUTHENTICATION = "PreAuthentication"
POST_AUTHENTICATION = "PostAuthentication"


@dataclass(frozen=True)
class SignUpVerdict:
    """PreSignUp's answer (the developer guide's response fields)."""

    auto_confirm: bool = False
    auto_verify_email: bool = False
    auto_verify_phone: bool = False


def sign_up_verdict(response: dict[str, Any], attributes: dict[str, str]) -> SignUpVerdict | str:
    """PreSignUp's response read as AWS reads it (pure), or why AWS would not accept it. Auto-verifying an
    attribute the user does not have is an error ("the email attribute must have a valid, non-null value",
    the PreSignUp page of the developer guide)."""
    flags = {key: response.get(key) for key in ("autoConfirmUser", "autoVerifyEmail", "autoVerifyPhone")}
    for key, value in flags.items():
        if value is not None and not isinstance(value, bool):
            return f"response.{key} is {value!r}, not true or false"
    if flags["autoVerifyEmail"] and not attributes.get("email"):
        return "response.autoVerifyEmail is true but the user has no email"
    if flags["autoVerifyPhone"] and not attributes.get("phone_number"):
        return "response.autoVerifyPhone is true but the user has no phone_number"
    return SignUpVerdict(bool(flags["autoConfirmUser"]), bool(flags["autoVerifyEmail"]),
                         bool(flags["autoVerifyPhone"]))


def pre_sign_up(rt: Runtime, pool: UserPool, source: str, client_id: str | None, username: str,
                attributes: dict[str, str], validation_data: dict[str, str]) -> SignUpVerdict:
    """PreSignUp_SignUp / PreSignUp_AdminCreateUser, before the user is stored; nothing to do without it."""
    if not configured(pool, PRE_SIGN_UP):
        return SignUpVerdict()
    response = fire(rt, pool, PRE_SIGN_UP, source, username, client_id, {
        "userAttributes": dict(attributes), "validationData": validation_data or None,
        "clientMetadata": client_metadata(),
    }, {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False})
    verdict = sign_up_verdict(response, attributes)
    if isinstance(verdict, str):
        raise reject("lambda_bad_output", f"{PRE_SIGN_UP}: {verdict}")
    return verdict


def apply_verdict(user: UserRecord, verdict: SignUpVerdict, confirm: bool) -> None:
    """The user as PreSignUp's answer leaves them: verified contacts, and CONFIRMED when `confirm` applies."""
    if verdict.auto_verify_email:
        user.attributes["email_verified"] = "true"
    if verdict.auto_verify_phone:
        user.attributes["phone_number_verified"] = "true"
    if confirm and verdict.auto_confirm:
        user.status = "CONFIRMED"


def post_confirmation(rt: Runtime, pool: UserPool, source: str, client_id: str | None, user: UserRecord) -> None:
    """PostConfirmation_ConfirmSignUp / _ConfirmForgotPassword, after the user is saved; its failure is the
    operation's error, but the confirmation stands (as on AWS)."""
    if configured(pool, POST_CONFIRMATION):
        fire(rt, pool, POST_CONFIRMATION, source, user.username, client_id,
             {"userAttributes": user_attributes(user), "clientMetadata": client_metadata()}, {})


def pre_authentication(rt: Runtime, pool: UserPool, client_id: str, user: UserRecord) -> None:
    """PreAuthentication_Authentication, before the first factor is checked. InitiateAuth's ClientMetadata
    reaches it as validationData (the InitiateAuth API reference)."""
    if configured(pool, PRE_AUTHENTICATION):
        fire(rt, pool, PRE_AUTHENTICATION, f"{PRE_AUTHENTICATION}_Authentication", user.username, client_id,
             {"userAttributes": user_attributes(user), "validationData": client_metadata() or None,
              "userNotFound": False}, {})


def post_authentication(rt: Runtime, pool: UserPool, client_id: str, user: UserRecord) -> None:
    """PostAuthentication_Authentication, once the user is authenticated and before tokens are made."""
    if configured(pool, POST_AUTHENTICATION):
        fire(rt, pool, POST_AUTHENTICATION, f"{POST_AUTHENTICATION}_Authentication", user.username, client_id,
             {"userAttributes": user_attributes(user), "newDeviceUsed": False,
              "clientMetadata": client_metadata()}, {})
