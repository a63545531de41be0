"""The runtime's one clock: set, advanced and frozen in process, and every expiry follows it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from emulator.clock import Clock, as_clock
from emulator.oauth2.testing import callback_params, hosted_sign_in
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

pytestmark = pytest.mark.e2e


class Source:
    """A source clock the test owns, so the figures are exact."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_clock_follows_its_source_plus_what_it_was_moved() -> None:
    source = Source(1000.0)
    clock = Clock(source)
    assert clock() == 1000.0 and clock.now() == 1000
    clock.advance(30)
    source.now += 5
    assert clock() == 1035.0
    clock.set(5000.5)
    assert clock() == 5000.5
    source.now += 1
    assert clock() == 5001.5
    clock.reset()
    assert clock() == source.now


def test_a_frozen_clock_stands_still_until_resumed() -> None:
    source = Source(1000.0)
    clock = Clock(source)
    clock.freeze()
    source.now += 100
    assert clock() == 1000.0
    clock.advance(10)
    clock.set(2000)
    assert clock() == 2000.0
    clock.resume()
    source.now += 1
    assert clock() == 2001.0


def test_as_clock_keeps_a_clock_and_wraps_a_callable() -> None:
    clock = Clock()
    assert as_clock(clock) is clock
    assert as_clock(lambda: 42.0)() == 42.0
    assert abs(as_clock(None)() - Clock()()) < 5


# -- every expiry of a running emulator follows it ------------------------------------------------------

POOL = "us-east-1_Clock0001"
PASSWORD = "Correct-Horse1"
CALLBACK = "http://localhost:3000/callback"
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "clock",
    "Users": [{"Username": "ann", "Password": PASSWORD}, {"Username": "newbie", "TemporaryPassword": "Temp-Passw0rd!"}],
    "Clients": [
        {"ClientName": "app", "ClientId": "clockapp", "AccessTokenValidity": 5, "TokenValidityUnits":
            {"AccessToken": "minutes"}, "RefreshTokenValidity": 1, "AuthSessionValidity": 3,
         "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
        {"ClientName": "hosted", "ClientId": "clockhosted", "AllowedOAuthFlowsUserPoolClient": True,
         "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid"], "CallbackURLs": [CALLBACK]},
    ],
}]}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> Iterator[EmulatorServer]:
    with running_emulator(CONFIG, clock=clock) as server:
        assert server.runtime.clock is clock
        yield server


def _sign_in(idp: Any, username: str = "ann", password: str = PASSWORD) -> dict:
    return idp.initiate_auth(ClientId="clockapp", AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password})


def test_an_access_token_expires_when_the_clock_passes_its_exp(emu: EmulatorServer, clock: Clock) -> None:
    idp = cognito_client(emu.url)
    token = _sign_in(idp)["AuthenticationResult"]["AccessToken"]
    assert idp.get_user(AccessToken=token)["Username"] == "ann"
    clock.advance(5 * 60 + 1)
    error, message, reason = refused(lambda: idp.get_user(AccessToken=token))
    assert (error, message) == ("NotAuthorizedException", "Access Token has expired")
    assert "expired at" in reason


def test_a_refresh_token_expires_with_its_validity(emu: EmulatorServer, clock: Clock) -> None:
    idp = cognito_client(emu.url)
    refresh = _sign_in(idp)["AuthenticationResult"]["RefreshToken"]
    clock.advance(86400 - 10)
    assert idp.initiate_auth(ClientId="clockapp", AuthFlow="REFRESH_TOKEN_AUTH",
                             AuthParameters={"REFRESH_TOKEN": refresh})["AuthenticationResult"]["AccessToken"]
    clock.advance(20)
    error, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="clockapp", AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh}))
    assert (error, message) == ("NotAuthorizedException", "Refresh Token has expired")
    assert "RefreshTokenValidity" in reason


def test_a_challenge_session_expires_with_auth_session_validity(emu: EmulatorServer, clock: Clock) -> None:
    idp = cognito_client(emu.url)
    first = _sign_in(idp, "newbie", "Temp-Passw0rd!")
    clock.advance(3 * 60 + 1)
    error, message, reason = refused(lambda: idp.respond_to_auth_challenge(
        ClientId="clockapp", ChallengeName="NEW_PASSWORD_REQUIRED", Session=first["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": "Brand-New-1!"}))
    assert (error, message) == ("NotAuthorizedException", "Invalid session for the user, session is expired.")
    assert "AuthSessionValidity" in reason


def test_an_authorization_code_expires_after_five_minutes(emu: EmulatorServer, clock: Clock) -> None:
    location = hosted_sign_in(emu.url, "ann", PASSWORD, response_type="code", client_id="clockhosted",
                              redirect_uri=CALLBACK, scope="openid")
    clock.advance(5 * 60 + 1)
    response = httpx.post(f"{emu.url}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "clockhosted", "code": callback_params(location)["code"],
        "redirect_uri": CALLBACK})
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})
    assert "expired" in response.headers["x-emulator-reason"]


def test_tokens_are_stamped_with_the_clocks_time(emu: EmulatorServer, clock: Clock) -> None:
    clock.set(2_000_000_000)
    token = _sign_in(cognito_client(emu.url))["AuthenticationResult"]["IdToken"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert 2_000_000_000 <= claims["iat"] < 2_000_000_060
    assert claims["exp"] - claims["iat"] == 3600
