"""User pool triggers end to end: real Node.js handlers (tests/lambdas, run by the system `node`), a Python one,
and one served over the Lambda Invoke API, driven by boto3 and the hosted login page; tokens verified with
PyJWT against the pool's JWKS."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest

from emulator.cognito import triggers
from emulator.oauth2.testing import callback_params, hosted_sign_in
from emulator.server import EmulatorServer
from emulator.testing import free_port
from tests import trigger_functions
from tests.conftest import refused

pytestmark = pytest.mark.e2e

ARN = "arn:aws:lambda:us-east-1:123456789012:function:"
PASSWORD = "Correct-Horse1"
CALLBACK = "http://localhost:3000/callback"
INVOKE_PORT = free_port()
SIGNUP, TOKENS, MACHINE, MIGRATE, FAILING, REMOTE = (
    "us-east-1_TrigSign01", "us-east-1_TrigToken1", "us-east-1_TrigM2M01", "us-east-1_TrigMigr1",
    "us-east-1_TrigFail1", "us-east-1_TrigHttp1")
PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _pool(pool_id: str, lambdas: dict[str, Any], clients: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"Id": pool_id, "Name": pool_id.split("_")[1], "LambdaConfig": lambdas, "Clients": clients, **extra}


CONFIG = {
    "Functions": {
        "preSignUp": "node:tests/lambdas/pre_signup.js:handler",
        f"{ARN}customMessage": "node:tests/lambdas/custom_message.mjs:handler",
        "preTokenV2": "node:tests/lambdas/pre_token_v2.mjs:handler",
        "migrateUser": "node:tests/lambdas/migrate_user.js:handler",
        "gate": f"invoke:http://127.0.0.1:{INVOKE_PORT}:gate",
    },
    "UserPools": [
        _pool(SIGNUP, {"PreSignUp": f"{ARN}preSignUp", "CustomMessage": f"{ARN}customMessage",
                       "PostConfirmation": "python:tests.trigger_functions:post_confirmation"},
              [{"ClientName": "signup", "ClientId": "signupapp", "ExplicitAuthFlows": PASSWORD_FLOWS}],
              AutoVerifiedAttributes=["email"]),
        _pool(TOKENS, {"PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": f"{ARN}preTokenV2"}},
              [{"ClientName": "app", "ClientId": "tokensapp", "ExplicitAuthFlows": PASSWORD_FLOWS},
               {"ClientName": "hosted", "ClientId": "tokenshosted", "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthFlows": ["implicit"], "AllowedOAuthScopes": ["openid", "email"],
                "CallbackURLs": [CALLBACK]}],
              Users=[{"Username": "ann", "Password": PASSWORD,
                      "UserAttributes": {"email": "ann@example.com", "email_verified": "true"}}]),
        _pool(MACHINE, {"PreTokenGenerationConfig": {"LambdaVersion": "V3_0",
                                                     "LambdaArn": "node:tests/lambdas/pre_token_v3.cjs:handler"}},
              [{"ClientName": "machine", "ClientId": "machineapp", "ClientSecret": "machinesecret" * 3,
                "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["api/read"]}],
              ResourceServers=[{"Identifier": "api", "Name": "API", "Scopes": [{"ScopeName": "read",
                                                                                "ScopeDescription": "Read"}]}]),
        _pool(MIGRATE, {"UserMigration": f"{ARN}migrateUser"},
              [{"ClientName": "app", "ClientId": "migrateapp", "ExplicitAuthFlows": PASSWORD_FLOWS}]),
        _pool(FAILING, {"PreAuthentication": "node:tests/lambdas/misbehaving.mjs:handler"},
              [{"ClientName": "app", "ClientId": "failingapp", "ExplicitAuthFlows": PASSWORD_FLOWS}],
              Users=[{"Username": "bob", "Password": PASSWORD}]),
        _pool(REMOTE, {"PreAuthentication": f"{ARN}gate"},
              [{"ClientName": "app", "ClientId": "remoteapp", "ExplicitAuthFlows": PASSWORD_FLOWS}],
              Users=[{"Username": "bob", "Password": PASSWORD}, {"Username": "blocked", "Password": PASSWORD}]),
    ],
}


class _InvokeApi(BaseHTTPRequestHandler):
    """A minimal Lambda Invoke API (as sam local start-lambda serves it) running the function `gate`."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path != "/2015-03-31/functions/gate/invocations":
            return self._send(404, {"Type": "User", "Message": "Function not found"},
                              {"x-amzn-ErrorType": "ResourceNotFoundException"})
        if event["userName"] == "blocked":
            return self._send(200, {"errorType": "Error", "errorMessage": "blocked by policy"},
                              {"X-Amz-Function-Error": "Unhandled"})
        return self._send(200, event, {})

    def _send(self, status: int, body: Any, headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(data)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module", autouse=True)
def invoke_api() -> Iterator[None]:
    httpd = ThreadingHTTPServer(("127.0.0.1", INVOKE_PORT), _InvokeApi)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield
    httpd.shutdown()


def verified(server: EmulatorServer, pool_id: str, token: str) -> dict[str, Any]:
    """The token's claims, its signature checked against the pool's published JWKS."""
    jwks = httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").json()
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False})


# -- PreSignUp, CustomMessage, PostConfirmation ----------------------------------------------------------------


def test_pre_sign_up_auto_confirms_and_verifies(idp: Any, server: EmulatorServer) -> None:
    done = idp.sign_up(ClientId="signupapp", Username="carol", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "carol@example.com"}])
    assert done["UserConfirmed"] is True and "CodeDeliveryDetails" not in done
    user = idp.admin_get_user(UserPoolId=SIGNUP, Username="carol")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]
    tokens = idp.initiate_auth(ClientId="signupapp", AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD})["AuthenticationResult"]
    assert verified(server, SIGNUP, tokens["IdToken"])["email_verified"] is True
    calls = [d for d in httpx.get(f"{server.url}/_emulator/decisions").json()["decisions"]
             if d["component"] == f"trigger PreSignUp {SIGNUP}"]
    assert calls[0]["details"]["event"]["triggerSource"] == "PreSignUp_SignUp"
    assert calls[0]["details"]["response"]["response"]["autoConfirmUser"] is True
    assert "node:tests/lambdas/pre_signup.js:handler" in calls[0]["reason"]


def test_custom_message_is_the_message_sent_and_post_confirmation_runs(idp: Any, server: EmulatorServer) -> None:
    trigger_functions.EVENTS.clear()
    done = idp.sign_up(ClientId="signupapp", Username="dora", Password=PASSWORD, ClientMetadata={"from": "test"},
                       UserAttributes=[{"Name": "email", "Value": "dora@elsewhere.org"},
                                       {"Name": "name", "Value": "Dora"}])
    assert done["UserConfirmed"] is False
    sent = httpx.get(f"{server.url}/_emulator/codes/latest",
                     params={"pool_id": SIGNUP, "username": "dora"}).json()
    assert sent["message"] == f"Hi Dora, your code is {sent['code']}"
    assert sent["subject"] == "Welcome to Example"
    idp.confirm_sign_up(ClientId="signupapp", Username="dora", ConfirmationCode=sent["code"],
                        ClientMetadata={"step": "confirm"})
    event = trigger_functions.EVENTS[-1]
    assert event["triggerSource"] == "PostConfirmation_ConfirmSignUp"
    assert event["callerContext"]["clientId"] == "signupapp"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["clientMetadata"] == {"step": "confirm"}


# -- Pre Token Generation ---------------------------------------------------------------------------------------


def test_v2_adds_a_claim_and_a_scope_and_suppresses_one(idp: Any, server: EmulatorServer) -> None:
    tokens = idp.initiate_auth(ClientId="tokensapp", AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "ann", "PASSWORD": PASSWORD})["AuthenticationResult"]
    access = verified(server, TOKENS, tokens["AccessToken"])
    assert access["tenant"] == "acme" and access["plan"] == {"tier": "gold"}
    assert access["scope"] == "api/write"  # aws.cognito.signin.user.admin suppressed
    assert access["sub"] != "not-allowed"  # sub cannot be modified
    identity = verified(server, TOKENS, tokens["IdToken"])
    assert identity["tenant"] == "acme" and "email" not in identity


def test_v2_on_the_hosted_login_page(server: EmulatorServer) -> None:
    location = hosted_sign_in(server.url, "ann", PASSWORD, response_type="token", client_id="tokenshosted",
                              redirect_uri=CALLBACK, scope="openid email")
    access = verified(server, TOKENS, callback_params(location)["access_token"])
    assert access["tenant"] == "acme" and access["scope"].split() == ["openid", "email", "api/write"]


def test_v3_customizes_a_client_credentials_token(server: EmulatorServer) -> None:
    answer = httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "client_credentials", "scope": "api/read"},
                        auth=("machineapp", "machinesecret" * 3))
    access = verified(server, MACHINE, answer.json()["access_token"])
    assert access["caller"] == "machine:machineapp"
    assert access["source"] == "TokenGeneration_ClientCredentials"
    assert access["scope"] == "api/read"


# -- UserMigration ---------------------------------------------------------------------------------------------


def test_unknown_user_is_migrated_on_sign_in(idp: Any, server: EmulatorServer) -> None:
    code, message, reason = refused(lambda: idp.initiate_auth(
        ClientId="migrateapp", AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "old.timer", "PASSWORD": "wrong"}))
    assert (code, message) == ("UserNotFoundException", "Exception migrating user in app client migrateapp")
    assert "Bad password" in reason
    tokens = idp.initiate_auth(ClientId="migrateapp", AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "old.timer", "PASSWORD": "Legacy-Passw0rd"})
    claims = verified(server, MIGRATE, tokens["AuthenticationResult"]["IdToken"])
    assert claims["cognito:username"] == "old.timer" and claims["email"] == "old.timer@example.com"
    assert idp.admin_get_user(UserPoolId=MIGRATE, Username="old.timer")["UserStatus"] == "CONFIRMED"


# -- failures, as AWS reports them -----------------------------------------------------------------------------


def _sign_in_bob(idp: Any, client_id: str, mode: str = "") -> Any:
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", ClientMetadata={"mode": mode},
                             AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD})


@pytest.mark.parametrize(("mode", "code", "message", "why"), [
    ("throw", "UserLambdaValidationException", "PreAuthentication failed with error no entry today.",
     "threw Error: no entry today"),
    ("slow", "UnexpectedLambdaException",
     "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function.", "timed out"),
    ("bad", "InvalidLambdaResponseException", "Unrecognizable lambda output", "returned str"),
])
def test_failing_trigger(idp: Any, mode: str, code: str, message: str, why: str,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(triggers, "TRIGGER_TIMEOUT_SECONDS", 1.0)  # AWS's 5 s, shortened for the test
    got = refused(lambda: _sign_in_bob(idp, "failingapp", mode))
    assert got[:2] == (code, message)
    assert why in got[2] and "node:tests/lambdas/misbehaving.mjs:handler" in got[2]
    assert _sign_in_bob(idp, "failingapp")["AuthenticationResult"]  # the worker serves the next sign-in


def test_invoke_api_function(idp: Any) -> None:
    assert _sign_in_bob(idp, "remoteapp")["AuthenticationResult"]
    got = refused(lambda: idp.initiate_auth(ClientId="remoteapp", AuthFlow="USER_PASSWORD_AUTH",
                                            AuthParameters={"USERNAME": "blocked", "PASSWORD": PASSWORD}))
    assert got[:2] == ("UserLambdaValidationException", "PreAuthentication failed with error blocked by policy.")
    assert f"invoke:http://127.0.0.1:{INVOKE_PORT}:gate" in got[2]
