"""The rules of custom sender triggers (CustomEmailSender, CustomSMSSender), pure: when a pool configures one
for a message's medium, Cognito sends nothing itself and invokes the function instead, with the code (or
temporary password) encrypted under the pool's KMSKeyID with the AWS Encryption SDK, base64, as request.code.

Sources: the developer guide's "Custom email sender Lambda trigger" and "Custom SMS sender Lambda trigger"
pages (trigger sources, `LambdaVersion=V1_0`, "Amazon Cognito sends the base64 encoded ciphertext to your
Lambda functions"); request.type `customEmailSenderRequestV1` / `customSMSSenderRequestV1` and
CustomEmailSender_Authentication (e-mail MFA codes) as the Powertools for AWS Lambda parser schema has them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from emulator.kms.keys import key_arn_of

KMS_KEY_ID = "KMSKeyID"
LAMBDA_VERSIONS = ("V1_0",)  # CustomEmailSenderLambdaVersionType / CustomSMSSenderLambdaVersionType
# The trigger that takes a message, by its medium; and the request type AWS gives it.
SENDER_OF = {"EMAIL": "CustomEmailSender", "SMS": "CustomSMSSender"}
SENDERS = tuple(SENDER_OF.values())
REQUEST_TYPE = {"CustomEmailSender": "customEmailSenderRequestV1", "CustomSMSSender": "customSMSSenderRequestV1"}
CUSTOM_MESSAGE_PREFIX = "CustomMessage_"


def sender_of(lambda_config: Mapping[str, Any], medium: str) -> tuple[str, str] | None:
    """(trigger, function) that takes a message sent by `medium` (EMAIL or SMS), or None: Cognito sends it."""
    trigger = SENDER_OF.get(medium)
    structure = lambda_config.get(trigger or "")
    if not isinstance(structure, Mapping) or not structure.get("LambdaArn"):
        return None
    return trigger, str(structure["LambdaArn"])  # type: ignore[return-value]


def sender_source(trigger: str, custom_message_source: str) -> str:
    """The sender's triggerSource for a message CustomMessage would know as `custom_message_source`: the same
    event under the sender's prefix (CustomMessage_SignUp -> CustomEmailSender_SignUp, ...)."""
    return trigger + "_" + custom_message_source.removeprefix(CUSTOM_MESSAGE_PREFIX)


def sender_request(trigger: str, code: str, attributes: dict[str, str],
                   metadata: dict[str, str]) -> dict[str, Any]:
    """The request object of a custom sender event (`code` already encrypted)."""
    return {"type": REQUEST_TYPE[trigger], "code": code, "clientMetadata": metadata or None,
            "userAttributes": attributes}


def config_problem(lambda_config: Mapping[str, Any]) -> tuple[str, str] | None:
    """(errors.py key, reason) when CreateUserPool/UpdateUserPool would be refused for its custom senders: a
    sender needs KMSKeyID, which must name a KMS key. LambdaVersion is checked by the service model's enum."""
    senders = [name for name in SENDERS if lambda_config.get(name) is not None]
    key = lambda_config.get(KMS_KEY_ID)
    if senders and not key:
        return "custom_sender_needs_kms_key", f"{' and '.join(senders)} need{'s' if len(senders) == 1 else ''} " \
                                              f"{KMS_KEY_ID} (the KMS key ARN Cognito encrypts the codes with)"
    if key and key_arn_of(str(key)) is None:
        return "kms_key_id_invalid", f"{KMS_KEY_ID} '{key}' is not a KMS key ARN " \
                                     "(arn:aws:kms:<region>:<account>:key/<key id>) or alias ARN"
    return None
