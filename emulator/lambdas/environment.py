"""The environment Node.js workers run in, beside the emulator's own (pure): what Lambda would give a function
and what its AWS SDK needs to reach this emulator's KMS, so a custom sender trigger's Encryption SDK decrypts
the codes it is handed. Values already set in the emulator's environment win (they are the user's choice)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Protocol

# Dummy credentials when there are none: the SDKs refuse to sign without some, and the emulator accepts any
# well-formed signature unless the config lists Credentials.
DUMMY_KEY = ("local", "local")


class KeyPair(Protocol):
    access_key_id: str
    secret_access_key: str


def lambda_environment(base_url: str, region: str, credentials: Sequence[KeyPair],
                       current: Mapping[str, str] | None = None) -> dict[str, str]:
    """The variables to add: AWS_ENDPOINT_URL_KMS (the AWS SDKs' service-specific endpoint variable, honoured
    by botocore and the JavaScript SDK v3), the region Lambda sets, and credentials to sign with."""
    current = os.environ if current is None else current
    extra: dict[str, str] = {}
    if not current.get("AWS_ENDPOINT_URL_KMS"):
        extra["AWS_ENDPOINT_URL_KMS"] = base_url
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):  # Lambda sets both
        if not current.get(name):
            extra[name] = current.get("AWS_REGION") or current.get("AWS_DEFAULT_REGION") or region
    if not current.get("AWS_ACCESS_KEY_ID"):
        key, secret = ((credentials[0].access_key_id, credentials[0].secret_access_key) if credentials
                       else DUMMY_KEY)
        extra.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret)
    return extra
