"""Remembered devices through boto3, with the device SRP maths of pycognito (the same as
amazon-cognito-identity-js's AuthenticationHelper): NewDeviceMetadata, ConfirmDevice, DEVICE_SRP_AUTH and
DEVICE_PASSWORD_VERIFIER, a remembered device skipping TOTP MFA, and the device operations."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyotp
import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device, long_to_hex

from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse1"
JS = Path(__file__).resolve().parent / "js"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def setup(idp: Any) -> dict[str, Any]:
    pool = idp.create_user_pool(PoolName="devices", DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False})["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="app",
                                         ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username="dev", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="dev", Password=PASSWORD, Permanent=True)
    return {"pool": pool, "client": client}


def _password_sign_in(idp: Any, setup: dict[str, Any]) -> dict[str, Any]:
    return idp.initiate_auth(ClientId=setup["client"], AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "dev", "PASSWORD": PASSWORD})


def _device_sign_in(idp: Any, setup: dict[str, Any], device: dict[str, str]) -> dict[str, Any]:
    """USER_SRP_AUTH with DEVICE_KEY, then the device's own SRP proof, as pycognito computes both."""
    helper = AWSSRP(username="dev", password=PASSWORD, pool_id=setup["pool"], client_id=setup["client"], client=idp,
                    device_key=device["key"], device_group_key=device["group"], device_password=device["password"])
    params = helper.get_auth_params()
    first = idp.initiate_auth(ClientId=setup["client"], AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    second = idp.respond_to_auth_challenge(ClientId=setup["client"], ChallengeName="PASSWORD_VERIFIER",
                                           Session=first["Session"],
                                           ChallengeResponses=helper.process_challenge(first["ChallengeParameters"],
                                                                                       params))
    assert second["ChallengeName"] == "DEVICE_SRP_AUTH"
    third = idp.respond_to_auth_challenge(ClientId=setup["client"], ChallengeName="DEVICE_SRP_AUTH",
                                          Session=second["Session"], ChallengeResponses={
                                              "USERNAME": "dev", "DEVICE_KEY": device["key"],
                                              "SRP_A": long_to_hex(helper.large_a_value)})
    assert third["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    return idp.respond_to_auth_challenge(ClientId=setup["client"], ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                         Session=third["Session"],
                                         ChallengeResponses=helper.process_device_challenge(third["ChallengeParameters"]))


def test_confirm_remember_and_skip_mfa_with_the_device(idp: Any, setup: dict[str, Any], server: Any) -> None:
    first = _password_sign_in(idp, setup)["AuthenticationResult"]
    metadata = first["NewDeviceMetadata"]
    assert metadata["DeviceKey"].startswith("us-east-1_") and metadata["DeviceGroupKey"]
    password, verifier = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    confirmed = idp.confirm_device(AccessToken=first["AccessToken"], DeviceKey=metadata["DeviceKey"],
                                   DeviceSecretVerifierConfig=verifier, DeviceName="laptop")
    assert confirmed["UserConfirmationNecessary"] is False
    listed = idp.list_devices(AccessToken=first["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [metadata["DeviceKey"]]
    assert {"Name": "device_name", "Value": "laptop"} in listed[0]["DeviceAttributes"]
    assert {"Name": "dev:device_remembered_status", "Value": "remembered"} in listed[0]["DeviceAttributes"]
    # TOTP on: a sign-in without the device must answer it.
    secret = idp.associate_software_token(AccessToken=first["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=first["AccessToken"],
                              UserCode=pyotp.TOTP(secret).at(server.runtime.clock()))
    idp.set_user_mfa_preference(AccessToken=first["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert _password_sign_in(idp, setup)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    device = {"key": metadata["DeviceKey"], "group": metadata["DeviceGroupKey"], "password": password}
    done = _device_sign_in(idp, setup, device)["AuthenticationResult"]
    assert done["AccessToken"] and "NewDeviceMetadata" not in done  # remembered: no MFA, no new device
    # Not remembered any more: the device proof is still asked, then MFA follows.
    idp.update_device_status(AccessToken=done["AccessToken"], DeviceKey=device["key"],
                             DeviceRememberedStatus="not_remembered")
    assert _device_sign_in(idp, setup, device)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    idp.admin_update_device_status(UserPoolId=setup["pool"], Username="dev", DeviceKey=device["key"],
                                   DeviceRememberedStatus="remembered")
    got = idp.admin_get_device(UserPoolId=setup["pool"], Username="dev", DeviceKey=device["key"])["Device"]
    assert {"Name": "dev:device_remembered_status", "Value": "remembered"} in got["DeviceAttributes"]
    # A wrong device password is refused.
    with pytest.raises(Exception) as wrong:
        _device_sign_in(idp, setup, {**device, "password": "not-the-device-password"})
    assert "NotAuthorizedException" in str(wrong.value)
    # Forgotten: the key no longer leads to DEVICE_SRP_AUTH.
    idp.admin_forget_device(UserPoolId=setup["pool"], Username="dev", DeviceKey=device["key"])
    assert idp.admin_list_devices(UserPoolId=setup["pool"], Username="dev")["Devices"] == []
    name, _, _ = refused(lambda: idp.get_device(AccessToken=done["AccessToken"], DeviceKey=device["key"]))
    assert name == "ResourceNotFoundException"


def test_confirm_an_unknown_device_is_refused(idp: Any, setup: dict[str, Any]) -> None:
    idp.admin_create_user(UserPoolId=setup["pool"], Username="dev2", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=setup["pool"], Username="dev2", Password=PASSWORD, Permanent=True)
    access = idp.initiate_auth(ClientId=setup["client"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "dev2", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    unknown = "us-east-1_00000000-0000-0000-0000-000000000000"
    name, _, _ = refused(lambda: idp.confirm_device(AccessToken=access, DeviceKey=unknown, DeviceSecretVerifierConfig={
        "PasswordVerifier": "AA==", "Salt": "AA=="}))
    assert name == "ResourceNotFoundException"


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_amazon_cognito_identity_js_remembers_a_device_and_skips_mfa(idp: Any, setup: dict[str, Any],
                                                                      server: Any) -> None:
    if not (JS / "node_modules" / "amazon-cognito-identity-js").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True,
                       capture_output=True, timeout=600)
    pool, client = setup["pool"], setup["client"]
    idp.admin_create_user(UserPoolId=pool, Username="jsdev", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username="jsdev", Password=PASSWORD, Permanent=True)
    access = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "jsdev", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=access)["SecretCode"]
    idp.verify_software_token(AccessToken=access, UserCode=pyotp.TOTP(secret).at(server.runtime.clock()))
    idp.set_user_mfa_preference(AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    server.runtime.clock.advance(30)  # the next TOTP step: the setup's code is spent
    code = pyotp.TOTP(secret).at(server.runtime.clock())
    result = subprocess.run(["node", "device_session.mjs", server.url, pool, client, "jsdev", PASSWORD, code],
                            cwd=JS, capture_output=True, text=True, timeout=120)
    steps = {entry["step"]: entry for entry in map(json.loads, filter(None, result.stdout.splitlines()))}
    assert "error" not in steps, (steps.get("error"), result.stderr[-2000:])
    assert steps["first"]["ok"] and steps["first"]["mfaAsked"] and steps["stored"]["deviceKey"]
    assert steps["second"]["ok"] and steps["second"]["mfaAsked"] is False
    devices = idp.admin_list_devices(UserPoolId=pool, Username="jsdev")["Devices"]
    assert [d["DeviceKey"] for d in devices] == [steps["stored"]["deviceKey"]]


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_amplify_signs_up_confirms_signs_in_and_remembers_the_device(idp: Any, server: Any) -> None:
    if not (JS / "node_modules" / "aws-amplify").is_dir():
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=JS, check=True,
                       capture_output=True, timeout=600)
    pool = idp.create_user_pool(PoolName="amplify-devices", UsernameAttributes=["email"],
                                AutoVerifiedAttributes=["email"], DeviceConfiguration={
                                    "ChallengeRequiredOnNewDevice": False,
                                    "DeviceOnlyRememberedOnUserPrompt": True})["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="amplify",
                                         ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    result = subprocess.run(["node", "amplify_device.mjs", server.url, pool, client, "amy@example.com", PASSWORD],
                            cwd=JS, capture_output=True, text=True, timeout=120)
    steps = {entry["step"]: entry for entry in map(json.loads, filter(None, result.stdout.splitlines()))}
    assert "error" not in steps, (steps.get("error"), result.stderr[-1500:])
    assert steps["signUp"]["next"] == "CONFIRM_SIGN_UP" and steps["confirmSignUp"]["next"] == "DONE"
    assert steps["signIn"]["next"] == "DONE"
    assert steps["devices"]["count"] == 1
    user = steps["signUp"]["userId"]
    listed = idp.admin_list_devices(UserPoolId=pool, Username=user)["Devices"]
    assert [d["DeviceKey"] for d in listed] == [steps["devices"]["id"]]
    assert {"Name": "dev:device_remembered_status", "Value": "remembered"} in listed[0]["DeviceAttributes"]
    assert steps["refresh"]["newAccessToken"] is True and "signOut" in steps


def test_a_config_pool_with_device_configuration_hands_out_device_keys() -> None:
    config = {"UserPools": [{"Id": "us-east-1_DevConfig1", "Name": "devices",
                             "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": False,
                                                     "DeviceOnlyRememberedOnUserPrompt": False},
                             "Users": [{"Username": "cfg", "Password": PASSWORD}],
                             "Clients": [{"ClientName": "app", "ClientId": "devconfigapp",
                                          "ExplicitAuthFlows": FLOWS}]}]}
    with running_emulator(config) as emulator:
        idp = cognito_client(emulator.url)
        result = idp.initiate_auth(ClientId="devconfigapp", AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "cfg", "PASSWORD": PASSWORD})["AuthenticationResult"]
        assert result["NewDeviceMetadata"]["DeviceKey"].startswith("us-east-1_")
        described = idp.describe_user_pool(UserPoolId="us-east-1_DevConfig1")["UserPool"]
        assert described["DeviceConfiguration"]["DeviceOnlyRememberedOnUserPrompt"] is False
