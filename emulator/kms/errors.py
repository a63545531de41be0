"""KMS's errors: key -> (__type, message), the one table of the local KMS's texts (cognito-idp's are in
cognito/errors.py). A text not confirmed from AWS's own output is marked UNCONFIRMED here."""

from __future__ import annotations

from emulator.cognito.errors import CognitoError

ERRORS: dict[str, tuple[str, str]] = {
    # Real KMS output quoted in boto/botocore#2107 and Soluto/kamus#508:
    # "NotFoundException: Key 'arn:aws:kms:us-east-1:…:key/e11f…' does not exist".
    "key_not_found": ("NotFoundException", "Key '{key}' does not exist"),
    # Real KMS output quoted in cloudposse/docs#152: "NotFoundException ... Alias arn:aws:kms:us-west-2:…:alias/
    # parameter_store_key is not found."
    "alias_not_found": ("NotFoundException", "Alias {alias} is not found."),
    # KMS answers an unreadable ciphertext with no message at all: the JS SDK v3 shows "InvalidCiphertextException:
    # UnknownError" (aws/aws-sdk-js-v3#4768), its stand-in for a missing message.
    "bad_ciphertext": ("InvalidCiphertextException", ""),
    # The exception's description in the KMS API reference (Decrypt); the wording as a message is UNCONFIRMED.
    "incorrect_key": ("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can "
                                               "perform this operation."),
    # UNCONFIRMED: GenerateDataKey needs one of KeySpec or NumberOfBytes (the API reference says so).
    "data_key_size": ("ValidationException", "Please specify either number of bytes or key spec."),
    "not_emulated": ("UnsupportedOperationException", "{operation} is not supported."),  # UNCONFIRMED
    # A model constraint broken (a length, an enum, a missing member). KMS, like the other Coral JSON services,
    # names these ValidationException, not cognito-idp's InvalidParameterException; the texts are the model
    # validator's ("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint:
    # Member must not be null"). UNCONFIRMED: no real KMS output of this shape was found to quote.
    "validation": ("ValidationException", "{detail}"),
    # An asymmetric EncryptionAlgorithm asked of a symmetric key: the API reference lists InvalidKeyUsageException
    # ("the request was rejected ... the EncryptionAlgorithm ... is not supported by the KMS key"); the wording
    # as a message is UNCONFIRMED.
    "key_usage": ("InvalidKeyUsageException", "The KMS key does not support the {algorithm} encryption algorithm."),
    "unknown_operation": ("UnknownOperationException", ""),
}


def refuse(name: str, reason: str, /, **fields: str) -> CognitoError:
    """The KMS error named `name` in ERRORS, with the plain-words reason the emulator adds."""
    error_type, template = ERRORS[name]
    return CognitoError(error_type, template.format(**fields), reason)
