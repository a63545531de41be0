"""Encrypting a secret as Cognito does for custom sender triggers: an AWS Encryption SDK message whose data
key comes from the local KMS, so the message names provider `aws-kms` and the key ARN and a trigger's own
KMS keyring (`KmsKeyringNode`, `StrictAwsKmsMasterKeyProvider`) decrypts it by calling KMS Decrypt here.

The message's shape is Cognito's, as a real code sent to a CustomEmailSender shows (awslabs/aws-sdk-rust#1250
quotes one; decoded: format version 1, algorithm 0x0378 AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384, one
`aws-kms` data key, encryption context `userpool-id` = the pool id beside the signing key): a non-committing
suite, which is why AWS's samples decrypt with CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT."""

from __future__ import annotations

import base64
import functools
import os
from typing import Any

import attr
import aws_encryption_sdk
from aws_encryption_sdk.identifiers import Algorithm, CommitmentPolicy
from aws_encryption_sdk.key_providers.base import MasterKey, MasterKeyConfig
from aws_encryption_sdk.structures import DataKey, EncryptedDataKey, MasterKeyInfo

from emulator.kms.keys import LocalKey, LocalKms

PROVIDER_ID = "aws-kms"  # the provider id of AWS KMS data keys, which KMS keyrings look for
ALGORITHM = Algorithm.AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384
POOL_CONTEXT = "userpool-id"


@attr.s(hash=True)
class _LocalKmsKeyConfig(MasterKeyConfig):
    provider_id = PROVIDER_ID
    kms = attr.ib(hash=False, eq=False)
    key = attr.ib(hash=False, eq=False)


class LocalKmsMasterKey(MasterKey):
    """A master key whose data keys the local KMS makes and wraps, as KMS GenerateDataKey would."""

    provider_id = PROVIDER_ID
    _config_class = _LocalKmsKeyConfig

    def _wrap(self, plaintext: bytes, encryption_context: dict[str, str] | None) -> bytes:
        kms: LocalKms = self.config.kms
        return kms.encrypt(self.config.key, plaintext, encryption_context)

    def _generate_data_key(self, algorithm: Any, encryption_context: Any = None) -> DataKey:
        plaintext = os.urandom(algorithm.kdf_input_len)
        return DataKey(key_provider=MasterKeyInfo(PROVIDER_ID, self.config.key.arn), data_key=plaintext,
                       encrypted_data_key=self._wrap(plaintext, encryption_context))

    def _encrypt_data_key(self, data_key: Any, algorithm: Any, encryption_context: Any = None) -> EncryptedDataKey:
        return EncryptedDataKey(key_provider=MasterKeyInfo(PROVIDER_ID, self.config.key.arn),
                                encrypted_data_key=self._wrap(data_key.data_key, encryption_context))

    def _decrypt_data_key(self, encrypted_data_key: Any, algorithm: Any, encryption_context: Any = None) -> DataKey:
        kms: LocalKms = self.config.kms
        _, plaintext = kms.decrypt(encrypted_data_key.encrypted_data_key, encryption_context)
        return DataKey(key_provider=encrypted_data_key.key_provider, data_key=plaintext,
                       encrypted_data_key=encrypted_data_key.encrypted_data_key)


@functools.cache
def _client() -> aws_encryption_sdk.EncryptionSDKClient:
    # A non-committing suite can only be written under FORBID_ENCRYPT_ALLOW_DECRYPT.
    return aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)


def encrypt_secret(kms: LocalKms, key: LocalKey, secret: str, pool_id: str) -> str:
    """`secret` as request.code carries it: the Encryption SDK message under `key`, base64."""
    master_key = LocalKmsMasterKey(key_id=key.arn, kms=kms, key=key)
    message, _ = _client().encrypt(source=secret.encode(), key_provider=master_key, algorithm=ALGORITHM,
                                   encryption_context={POOL_CONTEXT: pool_id})
    return base64.b64encode(message).decode()


def decrypt_secret(kms: LocalKms, key: LocalKey, code: str) -> str:
    """The secret back from request.code (for tests and the emulator's own checks)."""
    master_key = LocalKmsMasterKey(key_id=key.arn, kms=kms, key=key)
    plaintext, _ = _client().decrypt(source=base64.b64decode(code), key_provider=master_key)
    return plaintext.decode()
