"""Self-service sign-up and password recovery: SignUp, ConfirmSignUp, ResendConfirmationCode,
ForgotPassword, ConfirmForgotPassword. All take a ClientId (and SecretHash when the client has a secret)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from emulator.cognito import auth_event_log, codes, migration, user_triggers
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import (
    check_secret_hash,
    check_secret_hash_any,
    find_user,
    missing_secret_key,
    require_client,
)
from emulator.cognito.passwords import policy_violation, set_password
from emulator.cognito.pools import pool_settings
from emulator.cognito.protocol import Call
from emulator.cognito.schema_rules import missing_required
from emulator.cognito.sign_in_names import name_shape
from emulator.cognito.users import (
    VERIFIED_FLAG,
    attributes_from,
    check_unique,
    check_values,
    check_writable,
    save,
)
from emulator.model import AppClient, UserPool
from emulator.runtime import Runtime
from emulator.state import UserRecord

# When both are auto-verified, the code goes by SMS (UNCONFIRMED: AWS prefers the phone).
CONTACT_PREFERENCE = ("phone_number", "email")
# Password recovery goes to a verified e-mail first, then a verified phone (UNCONFIRMED: the emulator has no
# AccountRecoverySetting; this is the console's default order).
RECOVERY_PREFERENCE = ("email", "phone_number")

log = logging.getLogger("cognito_emulator")


def sign_in_username(pool: UserPool, username: str, attributes: dict[str, str]) -> str:
    """The username a new user gets: a fresh UUID where e-mail/phone is the sign-in name (which is then
    stored as that attribute), else the name given. Raises AWS's error for a name of the wrong form."""
    if pool.username_attributes:
        kinds = set(pool.username_attributes)
        looks = name_shape(username)
        if looks not in kinds:
            key = ("username_should_be_either" if len(kinds) > 1 else
                   "username_should_be_email" if "email" in kinds else "username_should_be_phone")
            raise reject(key, f"pool {pool.id} signs users in by {' or '.join(sorted(kinds))} "
                              f"(UsernameAttributes), and '{username}' is not one")
        attributes[looks] = username
        return str(uuid.uuid4())
    shape = name_shape(username)
    if shape == "email" and "email" in pool.alias_attributes:
        raise reject("username_is_email_alias", f"pool {pool.id} has email as an alias, so a username may not "
                                                "look like an e-mail address")
    if shape == "phone_number" and "phone_number" in pool.alias_attributes:
        raise reject("username_is_phone_alias", f"pool {pool.id} has phone_number as an alias, so a username may "
                                                "not look like a phone number")
    return username


def check_name_free(rt: Runtime, pool: UserPool, username: str, attributes: dict[str, str],
                    taken_key: str = "username_exists") -> None:
    """UsernameExistsException for a taken username, or a taken e-mail/phone sign-in name."""
    for attribute in pool.username_attributes:
        value = attributes.get(attribute)
        if value and find_user(rt.store, pool, value) is not None:
            raise reject("username_attribute_exists", f"another user of pool {pool.id} already signs in with "
                                                      f"{attribute} '{value}'", attribute=attribute)
    if rt.store.user(pool, username) is not None:
        raise reject(taken_key, f"pool {pool.id} already has a user named '{username}'"
                                + ("" if pool.case_sensitive else " (usernames are case-insensitive here)"))


def auto_verify_contact(pool: UserPool, user: UserRecord) -> str | None:
    """The attribute a sign-up confirmation code goes to: one the pool auto-verifies and the user has."""
    return next((a for a in CONTACT_PREFERENCE if a in pool.auto_verified_attributes and user.attributes.get(a)),
                None)


def recovery_contact(user: UserRecord) -> str | None:
    """The verified e-mail or phone a password-recovery code goes to."""
    return next((a for a in RECOVERY_PREFERENCE
                 if user.attributes.get(a) and user.attributes.get(VERIFIED_FLAG[a]) == "true"), None)


def _client_user(rt: Runtime, params: dict, operation: str) -> tuple[UserPool, AppClient, UserRecord | None]:
    pool, client = require_client(rt.store, params["ClientId"])
    name = params["Username"]
    user = find_user(rt.store, pool, name)
    check_secret_hash_any(client, (name, user.username) if user else (name,), params.get("SecretHash"),
                          missing_secret_key(operation))
    return pool, client, user


def _unknown(pool: UserPool, client: AppClient, name: str, hidden: str = "code_mismatch") -> CognitoError:
    """An unknown user in the sign-up/recovery operations: 'Username/client id combination not found.', or,
    under PreventUserExistenceErrors ENABLED, a non-specific error (`hidden`): CodeMismatch, as the docs
    (cognito-user-pool-managing-errors) say for ConfirmForgotPassword; for ConfirmSignUp UNCONFIRMED."""
    if client.prevent_user_existence_errors == "ENABLED":
        return reject(hidden, f"no user '{name}' in pool {pool.id}; the client has PreventUserExistenceErrors "
                              "ENABLED, so AWS does not say so")
    return reject("username_client_not_found", f"no user '{name}' in pool {pool.id}")


# -- operations -------------------------------------------------------------------------------


def sign_up(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, client = require_client(rt.store, params["ClientId"])
    check_secret_hash(client, params["Username"], params.get("SecretHash"), missing=missing_secret_key("SignUp"))
    if pool_settings(rt.store, pool.id)["AdminCreateUserConfig"].get("AllowAdminCreateUserOnly"):
        raise reject("sign_up_not_permitted", f"pool {pool.id} has AdminCreateUserConfig.AllowAdminCreateUserOnly "
                                              "true: only an administrator creates users (AdminCreateUser)")
    attributes = {k: v for k, v in attributes_from(params.get("UserAttributes")).items() if v}
    check_writable(pool, attributes, client, self_service=True, creating=True)
    check_values(attributes)
    username = sign_in_username(pool, params["Username"], attributes)
    missing = missing_required(pool, attributes)
    if missing is not None:
        raise missing
    password = params.get("Password") or ""
    problem = policy_violation(pool.password_policy, password)
    if problem:
        raise reject("invalid_password", f"the password breaks pool {pool.id}'s password policy: {problem}",
                     detail=problem)
    check_name_free(rt, pool, username, attributes)  # AWS refuses a taken name before PreSignUp runs
    verdict = user_triggers.pre_sign_up(rt, pool, "PreSignUp_SignUp", client.client_id, username, attributes,
                                        attributes_from(params.get("ValidationData")))
    now = rt.clock()
    sub = username if pool.username_attributes else str(uuid.uuid4())
    user = UserRecord(pool_id=pool.id, username=username, sub=sub, attributes={"sub": sub, **attributes},
                      status="UNCONFIRMED", created=now, modified=now)
    user_triggers.apply_verdict(user, verdict, confirm=True)
    set_password(user, pool.id, password)
    with rt.store.transaction():
        check_name_free(rt, pool, username, attributes)
        rt.store.put_user(pool, user)
    result: dict[str, Any] = {"UserConfirmed": user.status == "CONFIRMED", "UserSub": sub}
    auth_event_log.record_activity(rt.store, pool.id, user.username, rt.clock(), "SignUp")
    contact = auto_verify_contact(pool, user)
    if contact and user.status == "UNCONFIRMED":  # an auto-confirmed user is sent no code
        result["CodeDeliveryDetails"] = codes.send_code(rt, pool, user, codes.CONFIRM_SIGN_UP, attribute=contact,
                                                        client_id=client.client_id).to_aws()
    return result


def confirm_sign_up(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, client, user = _client_user(rt, params, "ConfirmSignUp")
    if user is None:
        raise _unknown(pool, client, params["Username"], "verification_code_mismatch")
    if user.status != "UNCONFIRMED":
        raise reject("cannot_confirm", f"user '{user.username}' is {user.status}; only UNCONFIRMED users confirm "
                                       "sign-up", status=user.status)
    codes.require_code(rt, pool, user, codes.CONFIRM_SIGN_UP, params["ConfirmationCode"], consume=False)
    sent = codes.latest_code(rt, pool.id, user.username, codes.CONFIRM_SIGN_UP)
    contact = sent["attribute"] if sent else None
    if contact in VERIFIED_FLAG and user.attributes.get(contact) == (sent or {}).get("address"):
        # The code proved the address it was sent to.
        user.attributes[VERIFIED_FLAG[contact]] = "true"
    check_unique(rt, pool, user, {}, force_alias=bool(params.get("ForceAliasCreation")))
    # Spent only once all else passed, so a refusal above leaves the code usable.
    codes.require_code(rt, pool, user, codes.CONFIRM_SIGN_UP, params["ConfirmationCode"])
    user.status = "CONFIRMED"
    save(rt, pool, user)
    user_triggers.post_confirmation(rt, pool, "PostConfirmation_ConfirmSignUp", client.client_id, user)
    return {}


def resend_confirmation_code(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, client, user = _client_user(rt, params, "ResendConfirmationCode")
    if user is None:
        if client.prevent_user_existence_errors == "ENABLED":
            return {"CodeDeliveryDetails": codes.simulated_delivery(params["Username"]).to_aws()}
        raise _unknown(pool, client, params["Username"])
    if user.status != "UNCONFIRMED":
        raise reject("already_confirmed", f"user '{user.username}' is {user.status}; there is nothing to confirm")
    contact = auto_verify_contact(pool, user)
    if contact is None:
        raise reject("auto_verification_off", f"pool {pool.id} auto-verifies "
                     f"{', '.join(pool.auto_verified_attributes) or 'nothing'} (AutoVerifiedAttributes), and user "
                     f"'{user.username}' has no such attribute; confirm with AdminConfirmSignUp")
    delivery = codes.send_code(rt, pool, user, codes.CONFIRM_SIGN_UP, attribute=contact,
                               source=codes.RESEND_SOURCE, client_id=client.client_id)
    auth_event_log.record_activity(rt.store, pool.id, user.username, rt.clock(), "ResendConfirmationCode")
    return {"CodeDeliveryDetails": delivery.to_aws()}


def send_recovery_code(rt: Runtime, pool: UserPool, user: UserRecord) -> codes.CodeDelivery:
    """A forgot-password code to the user's verified e-mail or phone (ForgotPassword, AdminResetUserPassword)."""
    contact = recovery_contact(user)
    if contact is None:
        raise reject("no_verified_contact", f"user '{user.username}' has no verified email or phone_number "
                                            "to send a password-reset code to")
    return codes.send_code(rt, pool, user, codes.FORGOT_PASSWORD, attribute=contact)


def forgot_password(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, client, user = _client_user(rt, params, "ForgotPassword")
    if user is None:  # UserMigration_ForgotPassword may bring the user in
        user = migration.migrate(rt, pool, client, params["Username"], None)
    hidden = client.prevent_user_existence_errors == "ENABLED"
    if user is None:
        if hidden:
            return {"CodeDeliveryDetails": codes.simulated_delivery(params["Username"]).to_aws()}
        raise _unknown(pool, client, params["Username"])
    # Under PreventUserExistenceErrors ENABLED, AWS answers a disabled user, or one without a verified contact,
    # as it answers an unknown one: a simulated CodeDeliveryDetails (docs: cognito-user-pool-managing-errors).
    if hidden and (not user.enabled or recovery_contact(user) is None):
        why = "is disabled" if not user.enabled else "has no verified email or phone_number"
        log.info("cognito-idp %s: %s", "ForgotPassword",
                 f"user '{user.username}' {why}: no code sent; the client has PreventUserExistenceErrors "
                 "ENABLED, so AWS answers with a simulated CodeDeliveryDetails")
        return {"CodeDeliveryDetails": codes.simulated_delivery(params["Username"]).to_aws()}
    if not user.enabled:  # LEGACY: UNCONFIRMED, the sign-in text
        raise reject("user_disabled", f"user '{user.username}' is disabled")
    if user.status == "FORCE_CHANGE_PASSWORD":  # amplify-flutter#3048 (a raw SDK exception); AWS_EVIDENCE.md §1
        raise reject("password_reset_wrong_state", f"user '{user.username}' is FORCE_CHANGE_PASSWORD: they sign in "
                     "with the temporary password and set a new one (NEW_PASSWORD_REQUIRED), or an administrator "
                     "sets one (AdminSetUserPassword)")
    delivery = send_recovery_code(rt, pool, user)
    auth_event_log.record_activity(rt.store, pool.id, user.username, rt.clock(), "ForgotPassword")
    return {"CodeDeliveryDetails": delivery.to_aws()}


def confirm_forgot_password(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, client, user = _client_user(rt, params, "ConfirmForgotPassword")
    if user is None:
        raise _unknown(pool, client, params["Username"], "verification_code_mismatch")
    if not user.enabled:
        if client.prevent_user_existence_errors == "ENABLED":  # docs: CodeMismatch for unknown or disabled users
            raise reject("verification_code_mismatch", f"user '{user.username}' is disabled; the client has "
                         "PreventUserExistenceErrors ENABLED, so AWS answers as for a wrong code")
        raise reject("user_disabled", f"user '{user.username}' is disabled")  # LEGACY: UNCONFIRMED, the sign-in text
    code = params["ConfirmationCode"]
    codes.require_code(rt, pool, user, codes.FORGOT_PASSWORD, code, consume=False)
    problem = policy_violation(pool.password_policy, params["Password"])
    if problem:
        raise reject("invalid_password", f"the new password breaks pool {pool.id}'s password policy: {problem}",
                     detail=problem)
    codes.require_code(rt, pool, user, codes.FORGOT_PASSWORD, code)  # spent only once all else passed
    set_password(user, pool.id, params["Password"])
    if user.status in ("RESET_REQUIRED", "FORCE_CHANGE_PASSWORD"):
        user.status = "CONFIRMED"
    save(rt, pool, user)
    user_triggers.post_confirmation(rt, pool, "PostConfirmation_ConfirmForgotPassword", client.client_id, user)
    return {}


OPERATIONS = {
    "SignUp": sign_up,
    "ConfirmSignUp": confirm_sign_up,
    "ResendConfirmationCode": resend_confirmation_code,
    "ForgotPassword": forgot_password,
    "ConfirmForgotPassword": confirm_forgot_password,
}
