"""The text of each message the emulator 'sends' (pure): AWS's default templates, and a CustomMessage
trigger's answer used instead when AWS would use it."""

from __future__ import annotations

from typing import Any

CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
LINK_PARAMETER = "{##Click Here##}"

# CustomMessage trigger sources by code purpose (the developer guide's CustomMessage page); attribute
# verification codes are `verify:<attribute>`.
SOURCES = {
    "confirm_sign_up": "CustomMessage_SignUp",
    "forgot_password": "CustomMessage_ForgotPassword",
    "verify": "CustomMessage_VerifyUserAttribute",
    "sms_mfa": "CustomMessage_Authentication",
    "email_otp": "CustomMessage_Authentication",
    "invitation": "CustomMessage_AdminCreateUser",
}
RESEND_SOURCE = "CustomMessage_ResendCode"
UPDATE_SOURCE = "CustomMessage_UpdateUserAttribute"  # a code sent because UpdateUserAttributes changed a contact

# AWS's default message and e-mail subject per kind of code (the user pool's default verification and
# invitation templates as CreateUserPool fills them in).
_VERIFICATION = ("Your verification code is {####}. ", "Your verification code")
DEFAULTS = {
    "invitation": ("Your username is {username} and temporary password is {####}. ", "Your temporary password"),
    "sms_mfa": ("Your authentication code is {####}. ", "Your authentication code"),
    "email_otp": ("Your authentication code is {####}. ", "Your authentication code"),
}


def source_of(purpose: str) -> str:
    return SOURCES.get(purpose, SOURCES.get(purpose.split(":", 1)[0], "CustomMessage_SignUp"))


def default_message(purpose: str) -> tuple[str, str]:
    """(template, e-mail subject) AWS sends for `purpose` without a CustomMessage trigger."""
    return DEFAULTS.get(purpose, _VERIFICATION)


def custom_message(response: dict[str, Any], medium: str) -> tuple[str, str | None] | str:
    """The trigger's (template, subject) for `medium` (EMAIL or SMS), or why AWS would not use it (it then
    sends its default). A message must carry the code placeholder ("emailMessage ... must contain the
    codeParameter", the CustomMessage page of the developer guide)."""
    key = "emailMessage" if medium == "EMAIL" else "smsMessage"
    message = response.get(key)
    if message is None:
        return f"response.{key} is not set"
    if not isinstance(message, str) or CODE_PARAMETER not in message:
        return f"response.{key} does not contain {CODE_PARAMETER}"
    subject = response.get("emailSubject") if medium == "EMAIL" else None
    return message, subject if isinstance(subject, str) and subject else None


def render(template: str, code: str, username: str) -> str:
    """The message as sent: the placeholders replaced by the code and the username."""
    return template.replace(CODE_PARAMETER, code).replace(USERNAME_PARAMETER, username)
