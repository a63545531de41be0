"""Triggers set through CreateUserPool as AWS takes them: a PreTokenGenerationConfig's version decides the event
and the token customisation, as it does from the config file."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

pytestmark = pytest.mark.e2e

ARN = "arn:aws:lambda:us-east-1:123456789012:function:tokens"
CONFIG = {"Functions": {"tokens": "python:tests.trigger_functions:pre_token_every_path"}, "UserPools": []}


def test_a_v3_pre_token_generation_config_set_through_the_api_is_fired(idp: Any) -> None:
    pool = idp.create_user_pool(PoolName="api-triggers", LambdaConfig={
        "PreTokenGenerationConfig": {"LambdaVersion": "V3_0", "LambdaArn": ARN}})["UserPool"]
    assert pool["LambdaConfig"]["PreTokenGenerationConfig"] == {"LambdaVersion": "V3_0", "LambdaArn": ARN}
    assert pool["LambdaConfig"]["PreTokenGeneration"] == ARN
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="app", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="ann", MessageAction="SUPPRESS",
                          TemporaryPassword="Temp-Passw0rd!")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ann", Password="Correct-Horse1", Permanent=True)
    tokens = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "ann", "PASSWORD": "Correct-Horse1"})["AuthenticationResult"]
    access = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    assert access["minted_by"] == "TokenGeneration_Authentication"  # V2/V3 customise access tokens; V1 cannot
