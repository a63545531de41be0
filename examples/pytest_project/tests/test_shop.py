"""The example's tests: only the cognito-emulator plugin's fixtures, no setup of their own."""

import httpx
import pytest


@pytest.fixture(autouse=True)
def fresh(cognito_reset):
    """Every test starts from the config: users, tokens, codes and the clock."""


def test_signed_in_user_reaches_the_api(cognito_tokens, cognito_api_urls):
    tokens = cognito_tokens("shopweb01", "alice", "Alice-passw0rd")
    answer = httpx.get(cognito_api_urls["shop"] + "/me", headers={"Authorization": tokens["IdToken"]})
    assert answer.json() == {"username": "alice"}


def test_expired_tokens_are_refused(cognito_tokens, cognito_api_urls, cognito_clock, cognito_idp):
    tokens = cognito_tokens("shopweb01", "alice", "Alice-passw0rd")
    cognito_clock.advance(3601)
    answer = httpx.get(cognito_api_urls["shop"] + "/me", headers={"Authorization": tokens["IdToken"]})
    assert answer.status_code == 401
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException, match="Access Token has expired"):
        cognito_idp.get_user(AccessToken=tokens["AccessToken"])


def test_machine_client_reads_orders(cognito_client_credentials, cognito_api_urls):
    token = cognito_client_credentials("shopworker01", "orders/read")["access_token"]
    answer = httpx.get(cognito_api_urls["shop"] + "/orders", headers={"Authorization": token})
    assert answer.json() == {"orders": [], "client": "shopworker01"}


def test_sign_up_with_the_code_from_the_outbox(cognito_idp, cognito_outbox, cognito_tokens):
    cognito_idp.sign_up(ClientId="shopweb01", Username="bob", Password="Bob-passw0rd",
                        UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    code = cognito_outbox.latest_code("bob", purpose="confirm_sign_up")
    cognito_idp.confirm_sign_up(ClientId="shopweb01", Username="bob", ConfirmationCode=code)
    assert cognito_tokens("shopweb01", "bob", "Bob-passw0rd")["IdToken"]


def test_users_made_by_one_test_are_gone_in_the_next(cognito_idp):
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId="us-east-1_Shop0001", Username="bob")
