"""The local KMS's API (TrentService, JSON 1.1, on the Cognito port): the calls an AWS Encryption SDK KMS
keyring makes (Decrypt, GenerateDataKey, Encrypt) and DescribeKey, over the keys custom sender triggers use.
cognito/app.py hands it every TrentService.* request; the operations never hold the store's transaction
(a trigger calls Decrypt while the Cognito operation that invoked it holds the store)."""

from __future__ import annotations

import base64
import binascii
import functools
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.loaders import Loader

from emulator.cognito import admin_guard
from emulator.cognito.protocol import json_params, validated
from emulator.cognito.sigv4 import SignedRequest
from emulator.kms.errors import refuse
from emulator.kms.keys import CiphertextError, LocalKey, LocalKms

if TYPE_CHECKING:
    from emulator.runtime import Runtime

TARGET_PREFIX = "TrentService."
SERVICE = "kms"
ALGORITHM = "SYMMETRIC_DEFAULT"
KEY_SPEC_BYTES = {"AES_256": 32, "AES_128": 16}


@functools.cache
def service_model() -> dict:
    """botocore's bundled KMS model: the operations, their input shapes and which need a signature."""
    return Loader().load_service_model(SERVICE, "service-2")


def is_kms_target(target: str | None) -> bool:
    """Does this X-Amz-Target name the KMS API?"""
    return bool(target) and target.startswith(TARGET_PREFIX)  # type: ignore[union-attr]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _blob(params: dict[str, Any], name: str) -> bytes:
    try:
        return base64.b64decode(params[name], validate=True)
    except (binascii.Error, ValueError):
        raise refuse("bad_ciphertext", f"{name} is not base64") from None


def _key(kms: LocalKms, params: dict[str, Any]) -> LocalKey:
    reference = params["KeyId"]
    key = kms.find(reference)
    if key is None and "alias/" in reference:
        raise refuse("alias_not_found", f"the local KMS knows only the aliases user pools name as KMSKeyID, not "
                                        f"'{reference}'", alias=reference)
    if key is None:
        raise refuse("key_not_found", f"the local KMS has no key '{reference}': its keys are the KMSKeyIDs of "
                                      "user pools (LambdaConfig.KMSKeyID), made on first use", key=reference)
    return key


def decrypt(kms: LocalKms, params: dict[str, Any]) -> dict[str, Any]:
    blob = _blob(params, "CiphertextBlob")
    try:
        key, plaintext = kms.decrypt(blob, params.get("EncryptionContext"))
    except CiphertextError as exc:
        raise refuse("bad_ciphertext", f"Decrypt: {exc}") from None
    if params.get("KeyId") and kms.find(params["KeyId"]) != key:
        raise refuse("incorrect_key", f"Decrypt: KeyId '{params['KeyId']}' is not the key the ciphertext was "
                                      f"encrypted under ({key.arn})")
    return {"KeyId": key.arn, "Plaintext": _b64(plaintext), "EncryptionAlgorithm": ALGORITHM}


def encrypt(kms: LocalKms, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(kms, params)
    plaintext = _blob(params, "Plaintext")
    blob = kms.encrypt(key, plaintext, params.get("EncryptionContext"))
    return {"CiphertextBlob": _b64(blob), "KeyId": key.arn, "EncryptionAlgorithm": ALGORITHM}


def generate_data_key(kms: LocalKms, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(kms, params)
    size = params.get("NumberOfBytes") or KEY_SPEC_BYTES.get(params.get("KeySpec") or "")
    if not size or (params.get("NumberOfBytes") and params.get("KeySpec")):
        raise refuse("data_key_size", "GenerateDataKey takes exactly one of KeySpec (AES_256, AES_128) and "
                                      "NumberOfBytes")
    plaintext = os.urandom(size)
    blob = kms.encrypt(key, plaintext, params.get("EncryptionContext"))
    return {"CiphertextBlob": _b64(blob), "Plaintext": _b64(plaintext), "KeyId": key.arn}


def describe_key(kms: LocalKms, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(kms, params)
    _, region, account = key.arn.split(":")[2:5]
    return {"KeyMetadata": {
        "AWSAccountId": account, "KeyId": key.key_id, "Arn": key.arn, "Enabled": True, "KeyState": "Enabled",
        "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "EncryptionAlgorithms": [ALGORITHM], "KeyManager": "CUSTOMER", "Origin": "AWS_KMS", "MultiRegion": False,
        "Description": f"local key of the cognito emulator ({region})"}}


OPERATIONS: dict[str, Callable[[LocalKms, dict[str, Any]], dict[str, Any]]] = {
    "Decrypt": decrypt, "Encrypt": encrypt, "GenerateDataKey": generate_data_key, "DescribeKey": describe_key,
}


def answer(rt: Runtime, request: SignedRequest, target: str) -> dict[str, Any]:
    """The operation's result, or the CognitoError (in KMS's words) AWS would answer with."""
    operation = target[len(TARGET_PREFIX):]
    if operation not in service_model()["operations"]:
        raise refuse("unknown_operation", f"'{operation}' is not an operation of the KMS API")
    params = json_params(request.body)
    refused = admin_guard.refusal(operation, request, rt.config.credentials, service_model(), SERVICE)
    if refused is not None:
        raise refused
    params = validated(operation, params, service_model())
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise refuse("not_emulated", f"the local KMS serves only {', '.join(OPERATIONS)} (what custom sender "
                                     f"triggers' Encryption SDK calls), not {operation}", operation=operation)
    return handler(rt.kms, params)
