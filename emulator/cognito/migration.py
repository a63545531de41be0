"""UserMigration: a sign-in by password or a ForgotPassword for a user the pool does not have asks the pool's
UserMigration trigger, and the user it returns is created then and there (UserMigration_Authentication with
the typed password, UserMigration_ForgotPassword without one)."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any

from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.passwords import set_password
from emulator.cognito.sign_in_names import name_shape
from emulator.cognito.triggers import client_metadata, configured, fire
from emulator.model import AppClient, UserPool
from emulator.state import UserRecord

if TYPE_CHECKING:
    from emulator.runtime import Runtime

USER_MIGRATION = "UserMigration"
FINAL_STATUSES = ("CONFIRMED", "RESET_REQUIRED")
_EMPTY_RESPONSE = {"userAttributes": None, "finalUserStatus": None, "messageAction": None,
                   "desiredDeliveryMediums": None, "forceAliasCreation": None, "enableSMSMFA": None}


def migrated_attributes(response: dict[str, Any]) -> dict[str, str] | str:
    """response.userAttributes as the new user's attributes (pure), or why they cannot be used. `sub` and
    `username` are the pool's to assign and are dropped."""
    raw = response.get("userAttributes")
    if not isinstance(raw, dict) or not raw:
        return "response.userAttributes is missing or empty"
    attributes: dict[str, str] = {}
    for name, value in raw.items():
        if name in ("sub", "username") or value is None:
            continue
        if isinstance(value, dict | list):
            return f"response.userAttributes.{name} is not a string"
        attributes[str(name)] = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return attributes


def final_status(response: dict[str, Any], forgot_password: bool) -> str | None:
    """The new user's status: RESET_REQUIRED for a ForgotPassword migration, else finalUserStatus (CONFIRMED by
    default); None for a value AWS does not accept."""
    if forgot_password:
        return "RESET_REQUIRED"
    status = response.get("finalUserStatus") or "CONFIRMED"
    return status if status in FINAL_STATUSES else None


def migrate(rt: Runtime, pool: UserPool, client: AppClient, typed_name: str, password: str | None) -> UserRecord | None:
    """The user UserMigration brings in for `typed_name`, stored; None when the pool has no such trigger."""
    if not configured(pool, USER_MIGRATION):
        return None
    forgot = password is None
    request: dict[str, Any] = {"validationData": client_metadata() or None, "clientMetadata": client_metadata()}
    if not forgot:
        request = {"password": password, **request}
    source = f"{USER_MIGRATION}_{'ForgotPassword' if forgot else 'Authentication'}"
    try:
        response = fire(rt, pool, USER_MIGRATION, source, typed_name, client.client_id, request, _EMPTY_RESPONSE)
    except CognitoError as error:
        if error.type != "UserLambdaValidationException":
            raise
        # The function said no (threw): AWS answers with its migration text, not the generic trigger one.
        raise reject("migration_failed", f"{USER_MIGRATION} refused '{typed_name}': {error.reason}",
                     client_id=client.client_id) from None
    attributes = migrated_attributes(response)
    status = final_status(response, forgot)
    if isinstance(attributes, str) or status is None:
        why = attributes if isinstance(attributes, str) else f"finalUserStatus {response.get('finalUserStatus')!r} " \
                                                               f"is not one of {', '.join(FINAL_STATUSES)}"
        raise reject("lambda_bad_output", f"{USER_MIGRATION}: {why}")
    username = typed_name
    if pool.username_attributes:  # the typed e-mail/phone becomes that attribute; the username is a UUID
        shape = name_shape(typed_name)
        if shape in pool.username_attributes:
            attributes.setdefault(shape, typed_name)
        username = str(uuid.uuid4())
    now = rt.clock()
    sub = username if pool.username_attributes else str(uuid.uuid4())
    user = UserRecord(pool_id=pool.id, username=username, sub=sub, attributes={**attributes, "sub": sub},
                      status=status, created=now, modified=now)
    set_password(user, pool.id, password if password is not None else secrets.token_urlsafe(24))
    rt.store.put_user(pool, user)
    return user
