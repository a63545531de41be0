"""Custom sender triggers end to end: a real Node.js handler (tests/lambdas/custom_sender.cjs) decrypting the
code with @aws-crypto/client-node exactly as AWS's sample does, its KMS calls answered by the emulator's local
KMS, and a Python one using aws-encryption-sdk with boto3's KMS; driven by boto3 (SignUp, ResendConfirmationCode,
ForgotPassword, AdminCreateUser, AdminUpdateUserAttributes, CreateUserPool), each decrypted code checked
against /_emulator/codes and then used."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_encryption_sdk
import boto3
import httpx
import pytest
from aws_encryption_sdk.identifiers import CommitmentPolicy

from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import refused

JS = Path(__file__).resolve().parent / "js"
pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None,
                                 reason="Node.js and npm are not installed")]

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
KEY = "arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
NODE_POOL, PYTHON_POOL = "us-east-1_Senders01", "us-east-1_Senders02"
PASSWORD = "Correct-Horse1"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
SENDER = {"LambdaVersion": "V1_0", "LambdaArn": f"{ARN}sender"}

CONFIG = {
    "Functions": {"sender": "node:tests/lambdas/custom_sender.cjs:handler",
                  "pySender": "python:tests.sender_functions:custom_sender"},
    "UserPools": [
        {"Id": NODE_POOL, "Name": "senders", "AutoVerifiedAttributes": ["email"], "MfaConfiguration": "OPTIONAL",
         "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}},
         "LambdaConfig": {"CustomEmailSender": SENDER, "CustomSMSSender": SENDER, "KMSKeyID": KEY},
         "Clients": [{"ClientName": "app", "ClientId": "sendersapp", "ExplicitAuthFlows": [*FLOWS, "ALLOW_USER_AUTH"]}],
         "Users": [{"Username": "otto", "Password": PASSWORD, "UserAttributes": {
             "email": "otto@example.com", "email_verified": "true", "phone_number": "+15555550123",
             "phone_number_verified": "true"}}]},
        {"Id": PYTHON_POOL, "Name": "pysenders", "AutoVerifiedAttributes": ["email"],
         "LambdaConfig": {"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": f"{ARN}pySender"},
                          "KMSKeyID": KEY},
         "Clients": [{"ClientName": "app", "ClientId": "pysendersapp", "ExplicitAuthFlows": FLOWS}],
         "Users": [{"Username": "pia", "Password": PASSWORD,
                    "UserAttributes": {"email": "pia@example.com", "email_verified": "true"}}]},
    ],
}


@pytest.fixture(scope="module")
def outbox(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The file the senders append what they 'sent' to; the handlers read the key ARN from KEY_ID as AWS's
    samples do, and the Python one reaches KMS through AWS_ENDPOINT_URL_KMS (Node workers get it from the
    emulator itself)."""
    if not (JS / "node_modules" / "@aws-crypto" / "client-node").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True,
                       timeout=600)
    path = tmp_path_factory.mktemp("senders") / "outbox.jsonl"
    path.touch()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KEY_ID", KEY)
        patch.setenv("SENDER_OUTBOX", str(path))
        patch.setenv("AWS_ENDPOINT_URL_KMS", server.url)
        yield path


def sent(outbox: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in outbox.read_text().splitlines() if line.strip()]


def last_sent(outbox: Path, user: str) -> dict[str, Any]:
    return [m for m in sent(outbox) if m["userName"] == user][-1]


def kept_code(server: EmulatorServer, pool: str, user: str, purpose: str | None = None) -> dict[str, Any]:
    params = {"pool_id": pool, "username": user, **({"purpose": purpose} if purpose else {})}
    return httpx.get(f"{server.url}/_emulator/codes/latest", params=params).json()


def test_sign_up_hands_the_encrypted_code_to_the_node_sender(server: EmulatorServer, idp: Any, outbox: Path) -> None:
    result = idp.sign_up(ClientId="sendersapp", Username="ann", Password=PASSWORD,
                         UserAttributes=[{"Name": "email", "Value": "ann@example.com"}])
    assert result["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    message = last_sent(outbox, "ann")
    kept = kept_code(server, NODE_POOL, "ann", "confirm_sign_up")
    assert message["triggerSource"] == "CustomEmailSender_SignUp" and message["version"] == "1"
    assert message["type"] == "customEmailSenderRequestV1" and message["clientId"] == "sendersapp"
    assert message["userAttributes"]["email"] == "ann@example.com"
    assert message["code"] == kept["code"] and kept["sender"] == "CustomEmailSender"
    assert "handed to CustomEmailSender" in kept["message"]
    idp.confirm_sign_up(ClientId="sendersapp", Username="ann", ConfirmationCode=message["code"])
    assert idp.admin_get_user(UserPoolId=NODE_POOL, Username="ann")["UserStatus"] == "CONFIRMED"
    # The decisions log shows the invocation with the code masked.
    decisions = httpx.get(f"{server.url}/_emulator/decisions").json()["decisions"]
    call = next(d for d in decisions if "CustomEmailSender_SignUp" in json.dumps(d))
    assert message["code"] not in json.dumps(call)


def test_resend_and_forgot_password_codes_go_to_the_sender(server: EmulatorServer, idp: Any, outbox: Path) -> None:
    idp.sign_up(ClientId="sendersapp", Username="bob", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    idp.resend_confirmation_code(ClientId="sendersapp", Username="bob")
    resent = last_sent(outbox, "bob")
    assert resent["triggerSource"] == "CustomEmailSender_ResendCode"
    idp.confirm_sign_up(ClientId="sendersapp", Username="bob", ConfirmationCode=resent["code"])
    idp.forgot_password(ClientId="sendersapp", Username="bob")
    forgot = last_sent(outbox, "bob")
    assert forgot["triggerSource"] == "CustomEmailSender_ForgotPassword"
    assert forgot["code"] == kept_code(server, NODE_POOL, "bob", "forgot_password")["code"]
    idp.confirm_forgot_password(ClientId="sendersapp", Username="bob", ConfirmationCode=forgot["code"],
                                Password="Another-Horse2")
    idp.initiate_auth(ClientId="sendersapp", AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "bob", "PASSWORD": "Another-Horse2"})


def test_admin_create_user_hands_the_temporary_password_to_each_medium(server: EmulatorServer, idp: Any,
                                                                        outbox: Path) -> None:
    idp.admin_create_user(UserPoolId=NODE_POOL, Username="cid", DesiredDeliveryMediums=["EMAIL", "SMS"],
                          UserAttributes=[{"Name": "email", "Value": "cid@example.com"},
                                          {"Name": "phone_number", "Value": "+15555550100"}])
    messages = [m for m in sent(outbox) if m["userName"] == "cid"]
    assert {m["triggerSource"] for m in messages} == {"CustomEmailSender_AdminCreateUser",
                                                      "CustomSMSSender_AdminCreateUser"}
    assert {m["type"] for m in messages} == {"customEmailSenderRequestV1", "customSMSSenderRequestV1"}
    password = messages[-1]["code"]
    assert password == kept_code(server, NODE_POOL, "cid", "invitation")["code"]
    challenge = idp.initiate_auth(ClientId="sendersapp", AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "cid", "PASSWORD": password})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_suppressed_invitations_and_attribute_updates(server: EmulatorServer, idp: Any, outbox: Path) -> None:
    before = len(sent(outbox))
    idp.admin_create_user(UserPoolId=NODE_POOL, Username="dee", MessageAction="SUPPRESS",
                          TemporaryPassword="Temp-Passw0rd!",
                          UserAttributes=[{"Name": "email", "Value": "dee@example.com"}])
    assert len(sent(outbox)) == before  # SUPPRESS: nothing is sent, so no sender is invoked
    idp.admin_update_user_attributes(UserPoolId=NODE_POOL, Username="dee",
                                     UserAttributes=[{"Name": "email", "Value": "dee2@example.com"}])
    update = last_sent(outbox, "dee")
    assert update["triggerSource"] == "CustomEmailSender_UpdateUserAttribute"
    assert update["userAttributes"]["email"] == "dee2@example.com"
    assert update["code"] == kept_code(server, NODE_POOL, "dee", "verify:email")["code"]


@pytest.mark.parametrize(("challenge", "source", "response_key"), [
    ("EMAIL_OTP", "CustomEmailSender_Authentication", "EMAIL_OTP_CODE"),
    ("SMS_OTP", "CustomSMSSender_Authentication", "SMS_OTP_CODE"),
])
def test_sign_in_codes_go_to_the_sender(idp: Any, outbox: Path, challenge: str, source: str,
                                        response_key: str) -> None:
    first = idp.initiate_auth(ClientId="sendersapp", AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": "otto", "PREFERRED_CHALLENGE": challenge})
    assert first["ChallengeName"] == challenge
    message = last_sent(outbox, "otto")
    assert message["triggerSource"] == source
    done = idp.respond_to_auth_challenge(ClientId="sendersapp", ChallengeName=challenge, Session=first["Session"],
                                         ChallengeResponses={"USERNAME": "otto", response_key: message["code"]})
    assert done["AuthenticationResult"]["AccessToken"]


def test_a_failing_sender_fails_the_operation_as_aws_does(idp: Any, outbox: Path) -> None:
    error_type, message, reason = refused(lambda: idp.sign_up(
        ClientId="sendersapp", Username="eve", Password=PASSWORD, ClientMetadata={"fail": "provider down"},
        UserAttributes=[{"Name": "email", "Value": "eve@example.com"}]))
    assert (error_type, message) == ("UserLambdaValidationException", "CustomEmailSender failed with error "
                                                                      "provider down.")
    assert "node:tests/lambdas/custom_sender.cjs" in reason


def test_a_python_sender_decrypts_with_aws_encryption_sdk_and_boto3_kms(server: EmulatorServer, idp: Any,
                                                                        outbox: Path) -> None:
    idp.forgot_password(ClientId="pysendersapp", Username="pia")
    message = last_sent(outbox, "pia")
    assert message == {"triggerSource": "CustomEmailSender_ForgotPassword", "userName": "pia", "runtime": "python",
                       "code": kept_code(server, PYTHON_POOL, "pia", "forgot_password")["code"]}


def test_the_local_kms_speaks_kms_to_boto3(server: EmulatorServer, outbox: Path) -> None:
    kms = boto3.client("kms", endpoint_url=server.url, region_name="us-east-1")
    metadata = kms.describe_key(KeyId=KEY)["KeyMetadata"]
    assert metadata["Arn"] == KEY and metadata["KeyState"] == "Enabled"
    blob = kms.encrypt(KeyId=KEY, Plaintext=b"hi", EncryptionContext={"a": "b"})["CiphertextBlob"]
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"] == b"hi"
    assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"}, KeyId=KEY)["KeyId"] == KEY
    data_key = kms.generate_data_key(KeyId=KEY, KeySpec="AES_256")
    assert len(data_key["Plaintext"]) == 32
    assert refused(lambda: kms.decrypt(CiphertextBlob=blob))[0] == "InvalidCiphertextException"  # context differs
    assert refused(lambda: kms.decrypt(CiphertextBlob=b"not a blob"))[0] == "InvalidCiphertextException"
    unknown = KEY[:-4] + "0000"
    assert refused(lambda: kms.describe_key(KeyId=unknown))[:2] == ("NotFoundException",
                                                                    f"Key '{unknown}' does not exist")
    assert refused(lambda: kms.create_key())[0] == "UnsupportedOperationException"
    alias = "arn:aws:kms:us-east-1:123456789012:alias/nothing"
    assert refused(lambda: kms.encrypt(KeyId=alias, Plaintext=b"x"))[:2] == ("NotFoundException",
                                                                             f"Alias {alias} is not found.")


def test_senders_set_through_the_api_are_honoured(server: EmulatorServer, idp: Any, outbox: Path) -> None:
    error_type, _, reason = refused(lambda: idp.create_user_pool(PoolName="no-key", LambdaConfig={
        "CustomEmailSender": SENDER}))
    assert error_type == "InvalidParameterException" and "KMSKeyID" in reason
    error_type, message, _ = refused(lambda: idp.create_user_pool(PoolName="v2", LambdaConfig={
        "CustomEmailSender": {**SENDER, "LambdaVersion": "V2_0"}, "KMSKeyID": KEY}))
    assert (error_type, message) == ("InvalidParameterException", "1 validation error detected: Value 'V2_0' at "
                                     "'lambdaConfig.customEmailSender.lambdaVersion' failed to satisfy constraint: "
                                     "Member must satisfy enum value set: [V1_0]")
    error_type, _, reason = refused(lambda: idp.create_user_pool(PoolName="bad-key", LambdaConfig={
        "CustomEmailSender": SENDER, "KMSKeyID": f"{ARN}sender"}))
    assert error_type == "InvalidParameterException" and "not a KMS key ARN" in reason
    pool = idp.create_user_pool(PoolName="api-senders", AutoVerifiedAttributes=["email"], LambdaConfig={
        "CustomEmailSender": SENDER, "KMSKeyID": KEY})["UserPool"]
    assert pool["LambdaConfig"] == {"CustomEmailSender": SENDER, "KMSKeyID": KEY}
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["LambdaConfig"] == pool["LambdaConfig"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app",
                                         ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client, Username="fay", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "fay@example.com"}])
    message = last_sent(outbox, "fay")
    assert message["triggerSource"] == "CustomEmailSender_SignUp"
    idp.confirm_sign_up(ClientId=client, Username="fay", ConfirmationCode=message["code"])
    # UpdateUserPool without the sender removes it (omitted settings reset, as on AWS): Cognito sends again.
    idp.update_user_pool(UserPoolId=pool["Id"], AutoVerifiedAttributes=["email"])
    assert "CustomEmailSender" not in idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["LambdaConfig"]
    before = len(sent(outbox))
    idp.forgot_password(ClientId=client, Username="fay")
    assert len(sent(outbox)) == before



def test_a_code_sent_before_a_restart_decrypts_after_it(tmp_path: Path) -> None:
    config = {"Functions": {"keep": "python:tests.sender_functions:keep_ciphertext"}, "UserPools": [{
        "Id": "us-east-1_Restart01", "Name": "restart", "AutoVerifiedAttributes": ["email"],
        "LambdaConfig": {"CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": f"{ARN}keep"}, "KMSKeyID": KEY},
        "Clients": [{"ClientName": "app", "ClientId": "restartapp", "ExplicitAuthFlows": FLOWS}]}]}
    outbox = tmp_path / "outbox.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SENDER_OUTBOX", str(outbox))
        with running_emulator(config, state_dir=tmp_path / "state") as first:
            idp = boto3.client("cognito-idp", endpoint_url=first.url, region_name="us-east-1")
            idp.sign_up(ClientId="restartapp", Username="rex", Password=PASSWORD,
                        UserAttributes=[{"Name": "email", "Value": "rex@example.com"}])
            code = kept_code(first, "us-east-1_Restart01", "rex")["code"]
        ciphertext = json.loads(outbox.read_text().splitlines()[-1])["ciphertext"]
        with running_emulator(config, state_dir=tmp_path / "state") as second:
            patch.setenv("AWS_ENDPOINT_URL_KMS", second.url)
            provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[KEY])
            client = aws_encryption_sdk.EncryptionSDKClient(
                commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
            plaintext, _ = client.decrypt(source=base64.b64decode(ciphertext), key_provider=provider)
    assert plaintext.decode() == code
