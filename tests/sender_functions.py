"""A custom sender trigger in Python, as AWS's Python sample decrypts: the AWS Encryption SDK with a strict KMS
master key provider over the key ARN, its KMS client made by boto3 (so AWS_ENDPOINT_URL_KMS points it at the
emulator). "Sending" appends the decrypted code to the file SENDER_OUTBOX names."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import aws_encryption_sdk
from aws_encryption_sdk.identifiers import CommitmentPolicy

CLIENT = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)


def custom_sender(event: dict[str, Any], context: Any) -> None:
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[os.environ["KEY_ID"]])
    plaintext, _ = CLIENT.decrypt(source=base64.b64decode(event["request"]["code"]), key_provider=provider)
    with open(os.environ["SENDER_OUTBOX"], "a", encoding="utf-8") as outbox:
        outbox.write(json.dumps({"triggerSource": event["triggerSource"], "userName": event["userName"],
                                 "code": plaintext.decode(), "runtime": "python"}) + "\n")


def keep_ciphertext(event: dict[str, Any], context: Any) -> None:
    """A sender that 'sends' the code still encrypted (to decrypt it later, after the emulator restarted)."""
    with open(os.environ["SENDER_OUTBOX"], "a", encoding="utf-8") as outbox:
        outbox.write(json.dumps({"userName": event["userName"], "ciphertext": event["request"]["code"]}) + "\n")
