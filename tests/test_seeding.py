"""Seeding the store from the YAML: what the YAML says wins when it changes, what happened at run
time stays while it does not, and pools that sign in by email name users by UUID."""

from __future__ import annotations

import copy
from pathlib import Path

import jwt
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.testing import running_emulator
from tests.conftest import cognito_client

pytestmark = pytest.mark.e2e

POOL = "us-east-1_Seeding01"
CONFIG = {"UserPools": [{
    "Id": POOL, "Name": "seeding", "UsernameAttributes": ["email"],
    "Users": [{"Username": "mail@example.com", "Password": "Passw0rd!", "UserAttributes": {"name": "Mail"}}],
    "Clients": [{"ClientName": "app", "ClientId": "seedingapp", "GenerateSecret": True,
                 "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
}]}


def admin_sign_in(idp, password: str) -> dict:
    client = idp.describe_user_pool_client(UserPoolId=POOL, ClientId="seedingapp")["UserPoolClient"]
    user = idp.admin_get_user(UserPoolId=POOL, Username="mail@example.com")
    return idp.admin_initiate_auth(UserPoolId=POOL, ClientId="seedingapp", AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "mail@example.com", "PASSWORD": password,
                                                   "SECRET_HASH": secret_hash(client["ClientSecret"],
                                                                              user["Username"], "seedingapp")})


def test_email_sign_in_pool_names_seed_users_by_uuid() -> None:
    with running_emulator(CONFIG) as server:
        idp = cognito_client(server.url)
        user = idp.admin_get_user(UserPoolId=POOL, Username="mail@example.com")
        attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        assert user["Username"] == attrs["sub"] and attrs["email"] == "mail@example.com"
        token = admin_sign_in(idp, "Passw0rd!")["AuthenticationResult"]["IdToken"]
        assert jwt.decode(token, options={"verify_signature": False})["cognito:username"] == attrs["sub"]


def test_runtime_changes_survive_restart_until_the_yaml_entry_changes(tmp_path: Path) -> None:
    with running_emulator(CONFIG, state_dir=tmp_path) as server:
        idp = cognito_client(server.url)
        secret = idp.describe_user_pool_client(UserPoolId=POOL, ClientId="seedingapp")["UserPoolClient"][
            "ClientSecret"]
        sub = idp.admin_get_user(UserPoolId=POOL, Username="mail@example.com")["Username"]
        idp.admin_set_user_password(UserPoolId=POOL, Username="mail@example.com", Password="Changed-1!",
                                    Permanent=True)
    with running_emulator(CONFIG, state_dir=tmp_path) as server:
        idp = cognito_client(server.url)
        assert idp.describe_user_pool_client(UserPoolId=POOL, ClientId="seedingapp")["UserPoolClient"][
            "ClientSecret"] == secret
        assert admin_sign_in(idp, "Changed-1!")["AuthenticationResult"]
    edited = copy.deepcopy(CONFIG)
    edited["UserPools"][0]["Users"][0]["Password"] = "From-Yaml-2!"
    with running_emulator(edited, state_dir=tmp_path) as server:
        idp = cognito_client(server.url)
        assert idp.admin_get_user(UserPoolId=POOL, Username="mail@example.com")["Username"] == sub
        assert admin_sign_in(idp, "From-Yaml-2!")["AuthenticationResult"]
