"""Custom sender triggers as tables: which configs are refused at load (with the key path) and by the API,
which trigger takes a message and under which triggerSource, the event's request, the local KMS's keys and
blobs, the Encryption SDK message Cognito's shape, and the environment Node workers get."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from aws_encryption_sdk import EncryptionSDKClient
from aws_encryption_sdk.identifiers import CommitmentPolicy

from emulator.cognito.custom_sender_rules import config_problem, sender_of, sender_request, sender_source
from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.kms.envelopes import LocalKmsMasterKey, decrypt_secret, encrypt_secret
from emulator.kms.keys import CiphertextError, LocalKms, key_arn_of
from emulator.lambdas.environment import lambda_environment
from emulator.state import Kind, Store

SENDER = "arn:aws:lambda:us-east-1:123456789012:function:sender"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
FUNCTIONS = {"sender": "node:tests/lambdas/custom_sender.cjs:handler"}
V1 = {"LambdaVersion": "V1_0", "LambdaArn": SENDER}


def _load(lambda_config: dict[str, Any]) -> Any:
    return parse_config({"Functions": FUNCTIONS, "UserPools": [{"Name": "p", "LambdaConfig": lambda_config}]})


@pytest.mark.parametrize(("lambda_config", "path", "why"), [
    ({"CustomEmailSender": V1}, "LambdaConfig.KMSKeyID", "CustomEmailSender needs a KMS key ARN"),
    ({"CustomEmailSender": V1, "CustomSMSSender": V1}, "LambdaConfig.KMSKeyID",
     "CustomEmailSender and CustomSMSSender need a KMS key ARN"),
    ({"CustomSMSSender": {"LambdaVersion": "V2_0", "LambdaArn": SENDER}, "KMSKeyID": KEY},
     "LambdaConfig.CustomSMSSender.LambdaVersion", "'V2_0' is not one of V1_0"),
    ({"CustomSMSSender": {"LambdaArn": SENDER}, "KMSKeyID": KEY}, "LambdaConfig.CustomSMSSender.LambdaVersion", ""),
    ({"CustomEmailSender": {"LambdaVersion": "V1_0"}, "KMSKeyID": KEY}, "LambdaConfig.CustomEmailSender.LambdaArn",
     ""),
    ({"CustomEmailSender": {**V1, "Extra": 1}, "KMSKeyID": KEY}, "LambdaConfig.CustomEmailSender", "Extra"),
    ({"CustomEmailSender": SENDER, "KMSKeyID": KEY}, "LambdaConfig.CustomEmailSender", ""),
    ({"CustomEmailSender": {**V1, "LambdaArn": SENDER + "x"}, "KMSKeyID": KEY},
     "LambdaConfig.CustomEmailSender.LambdaArn", "no entry in Functions"),
    ({"CustomEmailSender": V1, "KMSKeyID": "1234abcd-12ab-34cd-56ef-1234567890ab"}, "LambdaConfig.KMSKeyID",
     "not a KMS key ARN"),
])
def test_custom_sender_config_refused_at_load(lambda_config: dict[str, Any], path: str, why: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(lambda_config)
    assert path in str(info.value) and why in str(info.value)


def test_custom_sender_config_kept_as_aws_shapes_it() -> None:
    config = _load({"CustomEmailSender": V1, "CustomSMSSender": V1, "KMSKeyID": KEY})
    assert config.pools[0].pool.lambda_config == {"CustomEmailSender": V1, "CustomSMSSender": V1, "KMSKeyID": KEY}


@pytest.mark.parametrize(("lambda_config", "key", "why"), [
    ({"CustomEmailSender": V1, "KMSKeyID": KEY}, None, None),
    ({"KMSKeyID": KEY}, None, None),
    ({"CustomEmailSender": V1}, "custom_sender_needs_kms_key", "CustomEmailSender needs KMSKeyID"),
    ({"CustomEmailSender": V1, "CustomSMSSender": V1}, "custom_sender_needs_kms_key", "and CustomSMSSender need "),
    ({"CustomSMSSender": V1, "KMSKeyID": "arn:aws:lambda:us-east-1:123456789012:function:x"}, "kms_key_id_invalid",
     "not a KMS key ARN"),
])
def test_api_lambda_config_problems(lambda_config: dict[str, Any], key: str | None, why: str | None) -> None:
    found = config_problem(lambda_config)
    assert (found is None) if key is None else (found is not None and found[0] == key and why in found[1])


@pytest.mark.parametrize(("lambda_config", "medium", "expected"), [
    ({"CustomEmailSender": V1, "KMSKeyID": KEY}, "EMAIL", ("CustomEmailSender", SENDER)),
    ({"CustomEmailSender": V1, "KMSKeyID": KEY}, "SMS", None),
    ({"CustomSMSSender": V1, "KMSKeyID": KEY}, "SMS", ("CustomSMSSender", SENDER)),
    ({"CustomMessage": SENDER}, "EMAIL", None),
    ({}, "EMAIL", None),
])
def test_which_trigger_takes_a_message(lambda_config: dict[str, Any], medium: str, expected: Any) -> None:
    assert sender_of(lambda_config, medium) == expected


@pytest.mark.parametrize(("trigger", "custom_message_source", "expected"), [
    ("CustomEmailSender", "CustomMessage_SignUp", "CustomEmailSender_SignUp"),
    ("CustomEmailSender", "CustomMessage_ResendCode", "CustomEmailSender_ResendCode"),
    ("CustomEmailSender", "CustomMessage_ForgotPassword", "CustomEmailSender_ForgotPassword"),
    ("CustomEmailSender", "CustomMessage_UpdateUserAttribute", "CustomEmailSender_UpdateUserAttribute"),
    ("CustomEmailSender", "CustomMessage_VerifyUserAttribute", "CustomEmailSender_VerifyUserAttribute"),
    ("CustomEmailSender", "CustomMessage_AdminCreateUser", "CustomEmailSender_AdminCreateUser"),
    ("CustomEmailSender", "CustomMessage_Authentication", "CustomEmailSender_Authentication"),
    ("CustomSMSSender", "CustomMessage_Authentication", "CustomSMSSender_Authentication"),
    ("CustomSMSSender", "CustomMessage_SignUp", "CustomSMSSender_SignUp"),
])
def test_sender_trigger_sources(trigger: str, custom_message_source: str, expected: str) -> None:
    assert sender_source(trigger, custom_message_source) == expected


@pytest.mark.parametrize(("trigger", "metadata", "expected"), [
    ("CustomEmailSender", {}, {"type": "customEmailSenderRequestV1", "code": "AYAD", "clientMetadata": None,
                               "userAttributes": {"email": "a@example.com"}}),
    ("CustomSMSSender", {"k": "v"}, {"type": "customSMSSenderRequestV1", "code": "AYAD", "clientMetadata": {"k": "v"},
                                     "userAttributes": {"email": "a@example.com"}}),
])
def test_sender_request(trigger: str, metadata: dict[str, str], expected: dict[str, Any]) -> None:
    assert sender_request(trigger, "AYAD", {"email": "a@example.com"}, metadata) == expected


@pytest.mark.parametrize(("reference", "expected"), [
    (KEY, KEY),
    ("arn:aws:kms:eu-west-1:123456789012:alias/cognito", "arn:aws:kms:eu-west-1:123456789012:key/"),
    ("alias/cognito", None),
    ("1234abcd-12ab-34cd-56ef-1234567890ab", None),
    ("arn:aws:lambda:us-east-1:123456789012:function:x", None),
])
def test_key_arns(reference: str, expected: str | None) -> None:
    found = key_arn_of(reference)
    assert found == expected if expected in (None, KEY) else (found or "").startswith(expected)


def test_local_kms_blobs_and_persistence(tmp_path: Path) -> None:
    store = Store(tmp_path / "state.sqlite3")
    kms = LocalKms(store)
    key = kms.ensure(KEY)
    store.delete(Kind.KMS_KEY, "", KEY)  # the store was reset: the key in use is stored again, not replaced
    assert kms.ensure(KEY) == key and store.get(Kind.KMS_KEY, "", KEY) is not None
    blob = kms.encrypt(key, b"secret", {"userpool-id": "us-east-1_X"})
    assert kms.decrypt(blob, {"userpool-id": "us-east-1_X"}) == (key, b"secret")
    with pytest.raises(CiphertextError, match="encryption context"):
        kms.decrypt(blob, {"userpool-id": "other"})
    with pytest.raises(CiphertextError, match="not one this local KMS made"):
        kms.decrypt(b"\x01\x02\x00junk")
    # The emulator restarted on the same state directory: the same key, so old blobs still decrypt.
    store.close()
    again = LocalKms(Store(tmp_path / "state.sqlite3"))
    assert again.find(key.key_id) == key and again.decrypt(blob, {"userpool-id": "us-east-1_X"})[1] == b"secret"
    assert LocalKms(Store(None)).find(KEY) is None
    assert LocalKms(Store(None), declared=lambda: [KEY]).find(KEY) is not None  # a pool names it: made on demand


def test_the_code_is_an_encryption_sdk_message_of_cognitos_shape() -> None:
    kms = LocalKms(Store(None))
    key = kms.ensure(KEY)
    code = encrypt_secret(kms, key, "123456", "us-east-1_Pool")
    message = base64.b64decode(code)
    # Format version 1, customer authenticated encrypted data, algorithm 0x0378, as Cognito's codes.
    assert message[:4] == bytes.fromhex("01800378")
    assert b"aws-kms" in message and KEY.encode() in message and b"userpool-id" in message
    assert decrypt_secret(kms, key, code) == "123456"
    # What AWS's Python sample does (REQUIRE_ENCRYPT_ALLOW_DECRYPT), with the local KMS behind the master key.
    plaintext, header = EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT).decrypt(
        source=message, key_provider=LocalKmsMasterKey(key_id=KEY, kms=kms, key=key))
    assert plaintext == b"123456" and header.encryption_context["userpool-id"] == "us-east-1_Pool"


class _Pair:
    access_key_id, secret_access_key = "AKIDCONFIG", "configsecret"


@pytest.mark.parametrize(("current", "credentials", "expected"), [
    ({}, (), {"AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:9229", "AWS_REGION": "eu-west-1",
              "AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}),
    ({"AWS_ACCESS_KEY_ID": "mine", "AWS_REGION": "us-west-2"}, (),
     {"AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:9229", "AWS_DEFAULT_REGION": "us-west-2"}),
    ({"AWS_ENDPOINT_URL_KMS": "http://elsewhere", "AWS_ACCESS_KEY_ID": "a", "AWS_REGION": "r",
      "AWS_DEFAULT_REGION": "r"}, (), {}),
    ({"AWS_REGION": "r", "AWS_DEFAULT_REGION": "r"}, (_Pair(),),
     {"AWS_ENDPOINT_URL_KMS": "http://127.0.0.1:9229", "AWS_ACCESS_KEY_ID": "AKIDCONFIG",
      "AWS_SECRET_ACCESS_KEY": "configsecret"}),
])
def test_node_worker_environment(current: dict[str, str], credentials: Any, expected: dict[str, str]) -> None:
    assert lambda_environment("http://127.0.0.1:9229", "eu-west-1", credentials, current) == expected
