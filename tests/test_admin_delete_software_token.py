"""AdminDeleteSoftwareToken through boto3: a user whose TOTP factor an administrator removed signs in without
the SOFTWARE_TOKEN_MFA challenge (pool MFA OPTIONAL) and no longer lists the factor."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_DelTotp001"
SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "Correct-Horse1"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "totp-removal", "MfaConfiguration": "OPTIONAL",
    "Users": [{"Username": "lost-phone", "Password": PASSWORD,
               "MFA": {"SoftwareTokenSecret": SEED, "PreferredMfa": "SOFTWARE_TOKEN_MFA"}}],
    "Clients": [{"ClientName": "app", "ClientId": "totpapp", "ExplicitAuthFlows": FLOWS}],
}]}


def sign_in(idp: Any) -> dict[str, Any]:
    return idp.initiate_auth(ClientId="totpapp", AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "lost-phone", "PASSWORD": PASSWORD})


def test_removed_totp_is_no_longer_asked_for(idp: Any) -> None:
    assert sign_in(idp)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    idp.admin_delete_software_token(UserPoolId=POOL, Username="lost-phone")
    assert "AuthenticationResult" in sign_in(idp)
    user = idp.admin_get_user(UserPoolId=POOL, Username="lost-phone")
    assert "SOFTWARE_TOKEN_MFA" not in user.get("UserMFASettingList", [])
    idp.admin_delete_software_token(UserPoolId=POOL, Username="lost-phone")  # nothing left: no error


def test_unknown_user(idp: Any) -> None:
    code, _, _ = refused(lambda: idp.admin_delete_software_token(UserPoolId=POOL, Username="nobody"))
    assert code == "UserNotFoundException"
