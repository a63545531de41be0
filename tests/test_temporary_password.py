"""An administrator's temporary password works for the pool's TemporaryPasswordValidityDays: after that every
sign-in with it (USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, SRP through pycognito, the hosted login page)
is refused with AWS's NotAuthorizedException, until RESEND or AdminSetUserPassword gives a new one. Seed users
from the config never expire. The emulator's clock is moved instead of waiting."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pycognito import Cognito
from pycognito.exceptions import ForceChangePasswordException

from emulator.oauth2.testing import page_error
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import refused

pytestmark = pytest.mark.e2e

POOL = "us-east-1_TempPass01"
SHORT_POOL = "us-east-1_TempPass02"
TEMP, NEW_TEMP, FINAL = "Temp-Passw0rd!", "Other-Temp-Passw0rd!", "Final-Passw0rd!"
DAY = 86400
EXPIRED = "Temporary password has expired and must be reset by an administrator."
CALLBACK = "http://localhost:3000/callback"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]

CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "temporary",
    "Users": [{"Username": "seeded", "TemporaryPassword": TEMP}],
    "Clients": [
        {"ClientName": "app", "ClientId": "tempapp", "ExplicitAuthFlows": FLOWS},
        {"ClientName": "hosted", "ClientId": "temphosted", "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK]},
    ],
}, {
    "Id": SHORT_POOL, "Name": "short", "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 1}},
    "Clients": [{"ClientName": "short", "ClientId": "tempshort", "ExplicitAuthFlows": FLOWS}],
}]}

# The emulator's clock is real time plus this offset: users are created "days ago", then signed in now
# (SRP checks the client's TIMESTAMP against the clock, so sign-ins happen at real time).
OFFSET = {"seconds": 0.0}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG, clock=lambda: time.time() + OFFSET["seconds"]) as emu:
        yield emu


@pytest.fixture(autouse=True)
def _clock_back_to_now() -> Iterator[None]:
    yield
    OFFSET["seconds"] = 0.0


def created_days_ago(idp: Any, username: str, days: float, pool: str = POOL) -> None:
    """AdminCreateUser with a temporary password, `days` ago."""
    OFFSET["seconds"] = -days * DAY
    idp.admin_create_user(UserPoolId=pool, Username=username, TemporaryPassword=TEMP, MessageAction="SUPPRESS")
    OFFSET["seconds"] = 0.0


def password_sign_in(idp: Any, username: str, password: str = TEMP, client: str = "tempapp") -> dict[str, Any]:
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_within_its_validity_the_temporary_password_asks_for_a_new_one(idp: Any) -> None:
    created_days_ago(idp, "fresh", 6.9)
    assert password_sign_in(idp, "fresh")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH"])
def test_an_expired_temporary_password_is_refused(idp: Any, flow: str) -> None:
    username = f"expired-{flow.lower()}"
    created_days_ago(idp, username, 7.01)
    call = (lambda: password_sign_in(idp, username)) if flow == "USER_PASSWORD_AUTH" else \
        (lambda: idp.admin_initiate_auth(UserPoolId=POOL, ClientId="tempapp", AuthFlow=flow,
                                         AuthParameters={"USERNAME": username, "PASSWORD": TEMP}))
    error, message, reason = refused(call)
    assert (error, message) == ("NotAuthorizedException", EXPIRED)
    assert "7 days (TemporaryPasswordValidityDays)" in reason and "RESEND" in reason
    assert idp.admin_get_user(UserPoolId=POOL, Username=username)["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_a_wrong_password_is_wrong_before_it_is_expired(idp: Any) -> None:
    created_days_ago(idp, "wrong", 30)
    error, message, _ = refused(lambda: password_sign_in(idp, "wrong", "Not-The-Passw0rd!"))
    assert (error, message) == ("NotAuthorizedException", "Incorrect username or password.")


def test_srp_with_an_expired_temporary_password_through_pycognito(server: EmulatorServer, idp: Any) -> None:
    created_days_ago(idp, "srp-fresh", 1)
    created_days_ago(idp, "srp-expired", 8)

    def srp(username: str) -> None:
        Cognito(POOL, "tempapp", username=username,
                boto3_client_kwargs={"endpoint_url": server.url}).authenticate(password=TEMP)

    with pytest.raises(ForceChangePasswordException):
        srp("srp-fresh")
    error, message, reason = refused(lambda: srp("srp-expired"))
    assert (error, message) == ("NotAuthorizedException", EXPIRED)
    assert "TemporaryPasswordValidityDays" in reason


def test_the_hosted_login_page_refuses_an_expired_temporary_password(server: EmulatorServer, idp: Any) -> None:
    created_days_ago(idp, "hosted-expired", 10)
    query = {"client_id": "temphosted", "response_type": "code", "redirect_uri": CALLBACK}
    with httpx.Client(base_url=server.url) as http:
        form = http.get("/login", params=query)
        csrf = re.search(r'name="_csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        response = http.post("/login", params=query,
                             data={"_csrf": csrf, "username": "hosted-expired", "password": TEMP})
    assert response.status_code == 200
    assert page_error(response.text) == EXPIRED
    assert "TemporaryPasswordValidityDays" in response.headers["x-emulator-reason"]
    assert 'name="challenge"' not in response.text  # no new-password form


def test_the_pools_validity_days_count(idp: Any) -> None:
    created_days_ago(idp, "short-fresh", 0.9, pool=SHORT_POOL)
    created_days_ago(idp, "short-expired", 1.1, pool=SHORT_POOL)
    assert password_sign_in(idp, "short-fresh", client="tempshort")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    error, message, reason = refused(lambda: password_sign_in(idp, "short-expired", client="tempshort"))
    assert (error, message) == ("NotAuthorizedException", EXPIRED)
    assert "1 days" in reason


def test_resend_gives_a_new_temporary_password(idp: Any) -> None:
    created_days_ago(idp, "resent", 9)
    idp.admin_create_user(UserPoolId=POOL, Username="resent", TemporaryPassword=NEW_TEMP, MessageAction="RESEND")
    assert password_sign_in(idp, "resent", NEW_TEMP)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_admin_set_user_password_temporary_starts_its_own_validity(idp: Any) -> None:
    created_days_ago(idp, "reset-by-admin", 9)
    idp.admin_set_user_password(UserPoolId=POOL, Username="reset-by-admin", Password=NEW_TEMP, Permanent=False)
    assert password_sign_in(idp, "reset-by-admin", NEW_TEMP)["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    OFFSET["seconds"] = -8 * DAY
    idp.admin_set_user_password(UserPoolId=POOL, Username="reset-by-admin", Password=TEMP, Permanent=False)
    OFFSET["seconds"] = 0.0
    error, message, _ = refused(lambda: password_sign_in(idp, "reset-by-admin"))
    assert (error, message) == ("NotAuthorizedException", EXPIRED)
    idp.admin_set_user_password(UserPoolId=POOL, Username="reset-by-admin", Password=FINAL, Permanent=True)
    assert "AuthenticationResult" in password_sign_in(idp, "reset-by-admin", FINAL)


def test_a_password_changed_in_time_never_expires(idp: Any) -> None:
    created_days_ago(idp, "changed", 3)
    challenge = password_sign_in(idp, "changed")
    idp.respond_to_auth_challenge(ClientId="tempapp", ChallengeName="NEW_PASSWORD_REQUIRED",
                                  Session=challenge["Session"],
                                  ChallengeResponses={"USERNAME": "changed", "NEW_PASSWORD": FINAL})
    OFFSET["seconds"] = 60 * DAY
    assert "AuthenticationResult" in password_sign_in(idp, "changed", FINAL)


def test_a_seed_users_temporary_password_never_expires(idp: Any) -> None:
    OFFSET["seconds"] = 400 * DAY
    assert password_sign_in(idp, "seeded")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
