"""The standing hostile-input suite for the local KMS (TrentService on the Cognito port): every KMS operation's
input generated from botocore's `kms` model (as tests/hostile.py does for cognito-idp), wrong key ids, garbage,
truncated, oversized, forged and tampered ciphertext, a real blob of another key, missing or forged SigV4.
Whatever arrives, the answer is KMS's error shape with a reason, never a 5xx, never a decrypt under a wrong key."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import boto3
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.kms.api import service_model as kms_model
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import refused
from tests.hostile import SIGNED, assert_aws_answer, for_shape

pytestmark = pytest.mark.e2e

REGION, ACCOUNT = "us-east-1", "123456789012"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
ALIAS = f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/senders"
SENDER = {"LambdaVersion": "V1_0", "LambdaArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:sender"}
CONFIG = {"Region": REGION, "Functions": {"sender": "python:tests.sender_functions:custom_sender"}, "UserPools": [
    {"Id": f"{REGION}_Kms00001", "Name": "a", "LambdaConfig": {"CustomEmailSender": SENDER, "KMSKeyID": KEY}},
    {"Id": f"{REGION}_Kms00002", "Name": "b", "LambdaConfig": {"CustomEmailSender": SENDER, "KMSKeyID": OTHER_KEY}},
    {"Id": f"{REGION}_Kms00003", "Name": "c", "LambdaConfig": {"CustomEmailSender": SENDER, "KMSKeyID": ALIAS}}]}


def _forged(arn: str, tail: bytes) -> str:
    """A blob in the local format that names `arn` but was never sealed by it."""
    return base64.b64encode(b"\x01" + len(arn).to_bytes(2, "big") + arn.encode() + tail).decode()


KNOWN = {
    "KeyId": [KEY, OTHER_KEY, ALIAS, KEY.rsplit("/", 1)[1], "alias/senders", KEY[:-4] + "0000", "alias/aws/ssm",
              f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "\u0661" * 12, ""],
    "CiphertextBlob": [_forged(KEY, b"\x00" * 40), _forged(KEY, b""), _forged(OTHER_KEY, b"x" * 28),
                       _forged(f"arn:aws:kms:{REGION}:\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660"
                               f"\u0661\u0662:key/k", b"\x00" * 40), "AQ==", "AQAA", "AQ//" * 10, "=" * 8],
    "EncryptionContext": [{"userpool-id": f"{REGION}_Kms00001"}],
    "GrantTokens": [["a" * 8192]],
}
EXAMPLES_PER_OPERATION = 25
OPERATIONS = sorted(kms_model()["operations"])


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG) as emu:
        yield emu


@pytest.fixture(scope="module")
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def kms(server: EmulatorServer) -> object:
    return boto3.client("kms", endpoint_url=server.url, region_name=REGION)


def _headers(operation: str, signed: bool = True) -> dict[str, str]:
    return {"X-Amz-Target": f"TrentService.{operation}", "Content-Type": "application/x-amz-json-1.1",
            **(SIGNED if signed else {})}


def _post(http: httpx.Client, operation: str, body: object, signed: bool = True) -> httpx.Response:
    response = http.post("/", content=json.dumps(body).encode(), headers=_headers(operation, signed))
    assert_aws_answer(response, f"{operation} {json.dumps(body)[:300]}")
    return response


@pytest.mark.parametrize("operation", ["Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey", "ReEncrypt",
                                       "CreateKey", "ScheduleKeyDeletion", "GenerateDataKeyWithoutPlaintext"])
def test_generated_kms_input_never_gets_a_5xx(operation: str, http: httpx.Client) -> None:
    shape = kms_model()["operations"][operation]["input"]["shape"]

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(params=for_shape(shape, model=kms_model(), known=KNOWN),
           mistyped=for_shape(shape, wrong_types=True, model=kms_model(), known=KNOWN),
           unsigned=st.sampled_from([False, False, False, True]))
    def post(params: dict, mistyped: dict, unsigned: bool) -> None:
        for body in (params, mistyped):
            response = _post(http, operation, body, signed=not unsigned)
            if response.status_code == 200 and operation == "Decrypt":
                # Only a blob this KMS sealed decrypts, and generated input never holds one.
                raise AssertionError(f"generated ciphertext decrypted: {body}")

    post()


def test_every_kms_operation_is_answered_in_kms_shape(http: httpx.Client) -> None:
    for operation in OPERATIONS:
        for body in ({}, [], "x", None):
            response = _post(http, operation, body)
            assert response.status_code == 400


@pytest.mark.parametrize("target", ["TrentService.", "TrentService.Nope", "TrentService." + "A" * 50_000,
                                    "TrentService.decrypt", "TrentService.\u00e9"])
def test_unknown_kms_targets(target: str, http: httpx.Client) -> None:
    response = http.post("/", content=b"{}", headers={**_headers("x"), "X-Amz-Target": target.encode()})
    assert_aws_answer(response, target[:40])
    assert response.json()["__type"] == "UnknownOperationException"


@pytest.mark.parametrize("authorization", [None, "", "AWS4-HMAC-SHA256", "Bearer x", "AWS4-HMAC-SHA256 Credential=/"])
def test_kms_needs_a_signature(authorization: str | None, http: httpx.Client) -> None:
    headers = _headers("DescribeKey", signed=False)
    if authorization is not None:
        headers.update({"Authorization": authorization, "X-Amz-Date": "20260101T000000Z"})
    response = http.post("/", content=json.dumps({"KeyId": KEY}).encode(), headers=headers)
    assert_aws_answer(response, repr(authorization))
    assert response.json()["__type"] in ("MissingAuthenticationTokenException", "IncompleteSignatureException")


def test_kms_checks_the_signature_against_configured_credentials() -> None:
    config = {**CONFIG, "Credentials": [{"AccessKeyId": "AKIDLOCAL", "SecretAccessKey": "s3cret"}]}
    with running_emulator(config) as emu:
        forged = boto3.client("kms", endpoint_url=emu.url, region_name=REGION, aws_access_key_id="AKIDLOCAL",
                              aws_secret_access_key="wrong")
        assert refused(lambda: forged.describe_key(KeyId=KEY))[0] == "InvalidSignatureException"
        stranger = boto3.client("kms", endpoint_url=emu.url, region_name=REGION, aws_access_key_id="AKIDOTHER",
                                aws_secret_access_key="s3cret")
        assert refused(lambda: stranger.describe_key(KeyId=KEY))[0] == "UnrecognizedClientException"
        good = boto3.client("kms", endpoint_url=emu.url, region_name=REGION, aws_access_key_id="AKIDLOCAL",
                            aws_secret_access_key="s3cret")
        assert good.describe_key(KeyId=KEY)["KeyMetadata"]["Arn"] == KEY


def _tampered(blob: bytes) -> list[bytes]:
    """The blob with one bit flipped at the start, in the key ARN, the nonce, the ciphertext and the tag;
    truncated; and extended."""
    arn_end = 3 + int.from_bytes(blob[1:3], "big")
    flips = [0, 1, 5, arn_end - 1, arn_end, arn_end + 12, len(blob) - 17, len(blob) - 1]
    out = [blob[:i] + bytes([blob[i] ^ 1]) + blob[i + 1:] for i in flips]
    return [*out, blob[:-1], blob[:arn_end + 12], blob[:3], blob + b"\x00", blob * 2]


def test_a_blob_decrypts_only_whole_and_under_its_own_key(kms: object) -> None:
    blob = kms.encrypt(KeyId=KEY, Plaintext=b"secret", EncryptionContext={"a": "b"})["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"] == b"secret"
    for bad in _tampered(blob):
        assert refused(lambda b=bad: kms.decrypt(CiphertextBlob=b, EncryptionContext={"a": "b"}))[0] in (
            "InvalidCiphertextException", "IncorrectKeyException", "ValidationException"), bad
    for context in ({}, {"a": "c"}, {"a": "b", "x": "y"}, {"A": "b"}):
        assert refused(lambda c=context: kms.decrypt(CiphertextBlob=blob, EncryptionContext=c))[0] == \
            "InvalidCiphertextException"
    # A real blob of another key: named with either key id, refused; with no key id, decrypts as its own key only.
    other = kms.encrypt(KeyId=OTHER_KEY, Plaintext=b"other")["CiphertextBlob"]
    assert refused(lambda: kms.decrypt(CiphertextBlob=other, KeyId=KEY))[0] == "IncorrectKeyException"
    assert refused(lambda: kms.decrypt(CiphertextBlob=blob, KeyId=OTHER_KEY,
                                       EncryptionContext={"a": "b"}))[0] == "IncorrectKeyException"
    assert kms.decrypt(CiphertextBlob=other)["KeyId"] == OTHER_KEY
    # The other key's ARN spliced into this key's blob: sealed by the wrong key, never opened.
    spliced = blob.replace(KEY.encode(), OTHER_KEY.encode())
    assert refused(lambda: kms.decrypt(CiphertextBlob=spliced, EncryptionContext={"a": "b"}))[0] == \
        "InvalidCiphertextException"


@pytest.mark.parametrize("key_id", ["alias/senders", "nope", KEY[:-4] + "0000", "arn:aws:kms:us-east-1:1:key/x",
                                    "alias/" + "a" * 300, "\u0661" * 12, " " + KEY])
def test_wrong_key_ids_are_refused_in_kms_words(key_id: str, kms: object) -> None:
    code, _, reason = refused(lambda: kms.describe_key(KeyId=key_id))
    assert code in ("NotFoundException", "ValidationException") and reason
    code, _, reason = refused(lambda: kms.encrypt(KeyId=key_id, Plaintext=b"x"))
    assert code in ("NotFoundException", "ValidationException") and reason


def test_a_decrypt_naming_an_unknown_key_is_not_found(kms: object) -> None:
    blob = kms.encrypt(KeyId=KEY, Plaintext=b"x")["CiphertextBlob"]
    unknown = KEY[:-4] + "0000"
    assert refused(lambda: kms.decrypt(CiphertextBlob=blob, KeyId=unknown))[:2] == (
        "NotFoundException", f"Key '{unknown}' does not exist")


@pytest.mark.parametrize(("body", "why"), [
    ({"KeyId": KEY, "Plaintext": base64.b64encode(b"x" * 4097).decode()}, "oversized plaintext"),
    ({"KeyId": KEY, "Plaintext": ""}, "empty plaintext"),
    ({"KeyId": KEY, "Plaintext": "not base64!"}, "not base64"),
    ({"KeyId": KEY, "Plaintext": "\u00e9\u00e9\u00e9\u00e9"}, "non-ASCII"),
    ({"KeyId": KEY, "Plaintext": "eA==", "EncryptionContext": {"a": 1}}, "context of a number"),
])
def test_bad_encrypt_input(body: dict, why: str, http: httpx.Client) -> None:
    assert _post(http, "Encrypt", body).status_code == 400, why


@pytest.mark.parametrize("blob", ["", "A", "AQ", base64.b64encode(b"\x01" * 7000).decode(), "\x00" * 10,
                                  "A" * 200_000])
def test_garbage_ciphertext(blob: str, http: httpx.Client) -> None:
    assert _post(http, "Decrypt", {"CiphertextBlob": blob}).status_code in (400, 413)


@pytest.mark.parametrize(("operation", "body", "expected", "why"), [
    ("Decrypt", {}, "ValidationException", "no CiphertextBlob"),
    ("Encrypt", {"KeyId": KEY, "Plaintext": ""}, "ValidationException", "0 bytes"),
    ("Encrypt", {"KeyId": KEY, "Plaintext": base64.b64encode(b"x" * 4097).decode()}, "ValidationException",
     "4097 bytes"),
    ("DescribeKey", {"KeyId": ""}, "ValidationException", "keyId"),
    ("Encrypt", {"KeyId": KEY, "Plaintext": "eA==", "DryRun": True}, "UnsupportedOperationException", "DryRun"),
    ("Decrypt", {"CiphertextBlob": "AQ==", "Recipient": {"AttestationDocument": "eA=="}},
     "UnsupportedOperationException", "Recipient"),
    ("Encrypt", {"KeyId": KEY, "Plaintext": "eA==", "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"},
     "InvalidKeyUsageException", "symmetric"),
])
def test_kms_refusals_name_kms_errors(operation: str, body: dict, expected: str, why: str,
                                      http: httpx.Client) -> None:
    response = _post(http, operation, body)
    assert response.json()["__type"] == expected and why in response.headers["x-emulator-reason"]
