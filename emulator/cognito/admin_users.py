"""Admin user operations (SigV4-signed, by pool id): AdminCreateUser, AdminGetUser, AdminSetUserPassword,
AdminConfirmSignUp, attribute updates, enable/disable/delete, sign-out, AdminResetUserPassword, ListUsers."""

from __future__ import annotations

import json
import secrets
import string
import uuid
from typing import Any

from emulator.cognito import codes, user_triggers
from emulator.cognito.errors import reject
from emulator.cognito.list_users_filter import CASE_INSENSITIVE, FilterError, parse_filter
from emulator.cognito.lookup import require_pool
from emulator.cognito.pagination import read_page
from emulator.cognito.passwords import policy_violation, set_password
from emulator.cognito.protocol import Call
from emulator.cognito.schema_rules import missing_required
from emulator.cognito.signup import check_name_free, send_recovery_code, sign_in_username
from emulator.cognito.temporary_passwords import start_temporary_password
from emulator.cognito.users import (
    apply_attributes,
    attribute_list,
    attributes_from,
    check_unique,
    check_values,
    check_writable,
    delete_user,
    mfa_fields,
    require_pool_user,
    require_user,
    save,
    send_verification_codes,
    sign_out,
    user_type,
)
from emulator.model import PasswordPolicy, UserPool
from emulator.runtime import Runtime
from emulator.state import Kind, UserRecord
from emulator.store_tables import IndexQuery

TEMPORARY_SYMBOLS = "^$*.[]{}()?!@#%&-_=+"


# -- helpers ----------------------------------------------------------------------------------


def temporary_password(policy: PasswordPolicy) -> str:
    """A generated temporary password that meets any policy: every character class, long enough."""
    rng = secrets.SystemRandom()
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, TEMPORARY_SYMBOLS]
    chars = [rng.choice(c) for c in classes]
    alphabet = string.ascii_letters + string.digits
    chars += [rng.choice(alphabet) for _ in range(max(policy.minimum_length, 12) - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def _check_password(pool: UserPool, password: str, what: str) -> None:
    problem = policy_violation(pool.password_policy, password)
    if problem:
        raise reject("invalid_password", f"{what} breaks pool {pool.id}'s password policy: {problem}",
                     detail=problem)


def _invite(rt: Runtime, pool: UserPool, user: UserRecord, password: str, params: dict) -> None:
    """AdminCreateUser's welcome message carrying the temporary password. With SUPPRESS nothing is 'sent',
    but the emulator still keeps the password readable at /_emulator/codes (tests need generated ones)."""
    validity = pool.password_policy.temporary_password_validity_days * 86400
    mediums = params.get("DesiredDeliveryMediums") or ["SMS"]  # AWS's default medium is SMS
    sent = False
    if params.get("MessageAction") != "SUPPRESS":
        for medium in mediums:
            attribute = codes.ATTRIBUTE_OF.get(medium)
            if attribute and user.attributes.get(attribute):
                codes.send_code(rt, pool, user, codes.INVITATION, medium, code=password, validity_seconds=validity)
                sent = True
    if not sent:  # kept for /_emulator/codes only: AWS sends nothing, and no custom sender is invoked
        codes.send_code(rt, pool, user, codes.INVITATION, "EMAIL", code=password, validity_seconds=validity,
                        deliver=False)


# -- operations -------------------------------------------------------------------------------


def admin_create_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    attributes = {k: v for k, v in attributes_from(params.get("UserAttributes")).items() if v}
    check_writable(pool, attributes, admin=True, creating=True)
    check_values(attributes)
    password = params.get("TemporaryPassword") or temporary_password(pool.password_policy)
    if params.get("TemporaryPassword"):
        _check_password(pool, password, "TemporaryPassword")
    if params.get("MessageAction") == "RESEND":
        return _resend_invitation(rt, pool, params, password)
    username = sign_in_username(pool, params["Username"], attributes)
    missing = missing_required(pool, attributes)
    if missing is not None:
        raise missing
    check_name_free(rt, pool, username, attributes, taken_key="admin_username_exists")
    verdict = user_triggers.pre_sign_up(rt, pool, "PreSignUp_AdminCreateUser", None, username, attributes,
                                        attributes_from(params.get("ValidationData")))
    now = rt.clock()
    sub = username if pool.username_attributes else _new_sub()
    user = UserRecord(pool_id=pool.id, username=username, sub=sub, attributes={"sub": sub, **attributes},
                      status="FORCE_CHANGE_PASSWORD", created=now, modified=now)
    user_triggers.apply_verdict(user, verdict, confirm=False)  # an invited user confirms by a new password
    set_password(user, pool.id, password)
    with rt.store.transaction():
        check_name_free(rt, pool, username, attributes, taken_key="admin_username_exists")
        check_unique(rt, pool, user, {}, force_alias=bool(params.get("ForceAliasCreation")))
        rt.store.put_user(pool, user)
        start_temporary_password(rt, pool, user)
    _invite(rt, pool, user, password, params)
    return {"User": user_type(user)}


def _new_sub() -> str:
    return str(uuid.uuid4())


def _resend_invitation(rt: Runtime, pool: UserPool, params: dict, password: str) -> dict[str, Any]:
    user = require_user(rt, pool, params["Username"])
    if user.status != "FORCE_CHANGE_PASSWORD":
        raise reject("resend_wrong_state", f"user '{user.username}' is {user.status}; RESEND only re-invites "
                                           "users who have not yet set their password", username=user.username)
    set_password(user, pool.id, password)
    save(rt, pool, user)
    start_temporary_password(rt, pool, user)  # RESEND is how an expired one is renewed
    _invite(rt, pool, user, password, params)
    return {"User": user_type(user)}


def admin_get_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    _, user = require_pool_user(rt, params)
    return {"Username": user.username, "UserAttributes": attribute_list(user), "UserCreateDate": user.created,
            "UserLastModifiedDate": user.modified, "Enabled": user.enabled, "UserStatus": user.status,
            **mfa_fields(user)}


def admin_set_user_password(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    _check_password(pool, params["Password"], "the password")
    set_password(user, pool.id, params["Password"])
    user.status = "CONFIRMED" if params.get("Permanent") else "FORCE_CHANGE_PASSWORD"
    save(rt, pool, user)
    if not params.get("Permanent"):
        # "If the user doesn't sign in before it expires, the user won't be able to sign in" (the API docs).
        start_temporary_password(rt, pool, user)
    return {}


def admin_confirm_sign_up(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    if user.status != "UNCONFIRMED":
        raise reject("cannot_confirm", f"user '{user.username}' is {user.status}; only UNCONFIRMED users confirm "
                                       "sign-up", status=user.status)
    user.status = "CONFIRMED"
    save(rt, pool, user)
    user_triggers.post_confirmation(rt, pool, "PostConfirmation_ConfirmSignUp", None, user)
    return {}


def admin_update_user_attributes(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    changes = attributes_from(params["UserAttributes"])
    check_writable(pool, changes, admin=True)
    check_values(changes)
    contacts = apply_attributes(user, changes)
    check_unique(rt, pool, user, changes)
    save(rt, pool, user)
    send_verification_codes(rt, pool, user, contacts)
    return {}


def admin_delete_user_attributes(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    names = params["UserAttributeNames"]
    check_writable(pool, dict.fromkeys(names, ""), admin=True)
    apply_attributes(user, dict.fromkeys(names, ""))
    save(rt, pool, user)
    return {}


def admin_disable_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    user.enabled = False
    save(rt, pool, user)
    sign_out(rt, pool, user)  # AWS: "Deactivates a user and revokes all access tokens for the user."
    return {}


def admin_enable_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    user.enabled = True
    save(rt, pool, user)
    return {}


def admin_delete_user(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    delete_user(rt, pool, user)
    return {}


def admin_user_global_sign_out(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    sign_out(rt, pool, user)
    return {}


def admin_reset_user_password(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool, user = require_pool_user(rt, params)
    send_recovery_code(rt, pool, user)
    user.status = "RESET_REQUIRED"
    save(rt, pool, user)
    return {}


def list_users(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    try:
        user_filter = parse_filter(params.get("Filter"))
    except FilterError as exc:
        raise reject(exc.key, exc.reason, name=exc.name) from None
    index = None if user_filter is None else IndexQuery(
        user_filter.attribute,
        user_filter.value.lower() if user_filter.attribute in CASE_INSENSITIVE else user_filter.value,
        user_filter.prefix)
    query = json.dumps([pool.id, params.get("Filter") or ""])
    found, token = read_page(lambda after, n: rt.store.page(Kind.USER, pool.id, index, after, n),
                             params.get("PaginationToken"), params.get("Limit"), query)
    wanted = params.get("AttributesToGet")
    users = [UserRecord(**data) for data in found]
    result: dict[str, Any] = {"Users": [user_type(u, wanted) for u in users]}
    if token:
        result["PaginationToken"] = token
    return result


OPERATIONS = {
    "AdminCreateUser": admin_create_user,
    "AdminGetUser": admin_get_user,
    "AdminSetUserPassword": admin_set_user_password,
    "AdminConfirmSignUp": admin_confirm_sign_up,
    "AdminUpdateUserAttributes": admin_update_user_attributes,
    "AdminDeleteUserAttributes": admin_delete_user_attributes,
    "AdminDisableUser": admin_disable_user,
    "AdminEnableUser": admin_enable_user,
    "AdminDeleteUser": admin_delete_user,
    "AdminUserGlobalSignOut": admin_user_global_sign_out,
    "AdminResetUserPassword": admin_reset_user_password,
    "ListUsers": list_users,
}
