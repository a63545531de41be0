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

from emulator.botocore_models import service_model as service_model_of
from emulator.cognito import admin_guard
from emulator.cognito.errors import CognitoError
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
    return service_model_of(SERVICE)


def is_kms_target(target: str | None) -> bool:
    """Does this X-Amz-Target name the KMS API?"""
    return bool(target) and target.startswith(TARGET_PREFIX)  # type: ignore[union-attr]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _blob(params: dict[str, Any], name: str, operation: str) -> bytes:
    """The member's bytes, within the model's length for them (the model validator checks a blob's type only:
    its length is of the decoded bytes)."""
    try:
        data = base64.b64decode(params[name], validate=True)
    except (binascii.Error, ValueError):
        raise refuse("bad_ciphertext", f"{name} is not base64") from None
    member = service_model()["shapes"][f"{operation}Request"]["members"][name]["shape"]
    shape = service_model()["shapes"][member]
    for bound, broken, words in (("min", len(data) < shape.get("min", 0), "greater than or equal to"),
                                 ("max", len(data) > shape.get("max", len(data)), "less than or equal to")):
        if broken:
            detail = (f"1 validation error detected: Value at '{name[0].lower()}{name[1:]}' failed to satisfy "
                      f"constraint: Member must have length {words} {shape[bound]}")
            raise refuse("validation", f"{operation}: {name} is {len(data)} bytes; the model allows "
                                       f"{shape.get('min', 0)} to {shape['max']}", detail=detail)
    return data


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
    if params.get("CiphertextBlob") is None:  # optional in the model, but a Decrypt of nothing decrypts nothing
        detail = ("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: "
                  "Member must not be null")
        raise refuse("validation", "Decrypt was sent no CiphertextBlob", detail=detail)
    asked = _key(kms, params) if params.get("KeyId") else None
    blob = _blob(params, "CiphertextBlob", "Decrypt")
    try:
        key, plaintext = kms.decrypt(blob, params.get("EncryptionContext"))
    except CiphertextError as exc:
        raise refuse("bad_ciphertext", f"Decrypt: {exc}") from None
    if asked is not None and asked != key:
        raise refuse("incorrect_key", f"Decrypt: KeyId '{params['KeyId']}' is not the key the ciphertext was "
                                      f"encrypted under ({key.arn})")
    return {"KeyId": key.arn, "Plaintext": _b64(plaintext), "EncryptionAlgorithm": ALGORITHM}


def encrypt(kms: LocalKms, params: dict[str, Any]) -> dict[str, Any]:
    key = _key(kms, params)
    plaintext = _blob(params, "Plaintext", "Encrypt")
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
    try:
        params = validated(operation, params, service_model())
    except CognitoError as error:  # the model validator speaks cognito-idp; KMS calls a broken constraint this
        if error.type != "InvalidParameterException":
            raise
        raise refuse("validation", error.reason, detail=error.message) from None
    handler = OPERATIONS.get(operation)
    if handler is None:
        raise refuse("not_emulated", f"the local KMS serves only {', '.join(OPERATIONS)} (what custom sender "
                                     f"triggers' Encryption SDK calls), not {operation}", operation=operation)
    _refuse_unemulated_parameters(operation, params)
    return handler(rt.kms, params)


def _refuse_unemulated_parameters(operation: str, params: dict[str, Any]) -> None:
    """Parameters that would change what the answer means are refused, never ignored: a Recipient (Nitro
    enclave attestation) wants the plaintext sealed for the enclave, a DryRun wants no answer at all, and an
    asymmetric algorithm is not one of a symmetric key's."""
    for name in ("Recipient", "DryRun", "DryRunModifiers"):
        if params.get(name):
            raise refuse("not_emulated", f"the local KMS does not emulate {operation}'s {name} parameter (it "
                                         "would answer as if it were not there)", operation=f"{operation} {name}")
    algorithm = params.get("EncryptionAlgorithm")
    if algorithm not in (None, ALGORITHM):
        raise refuse("key_usage", f"the local KMS's keys are symmetric (SYMMETRIC_DEFAULT only), not {algorithm}",
                     algorithm=algorithm)
