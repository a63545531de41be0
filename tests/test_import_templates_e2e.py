"""The founding stories through imported templates: `cdk synth` output, a SAM template (expanded by
aws-sam-translator) and a `serverless package` style template, each imported, served, and driven with
boto3 and httpx. Story 1: client A's ID token passes the JWT authorizer listing A and gets 401 with
AWS's www-authenticate where only B is listed. Story 2: a client_credentials token with the resource
server's scope passes the REST Cognito authorizer that requires it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.cognito.lookup import secret_hash
from emulator.importers.cfn_template import Options
from emulator.importers.config_merge import merge
from emulator.importers.template_sources import combine
from emulator.testing import free_port, running_emulator
from tests.conftest import cognito_client

pytestmark = pytest.mark.e2e

FIXTURES = Path(__file__).parent / "fixtures_templates"
REPO = Path(__file__).parent.parent
USER = {"Username": "peroper@hoge.com", "Password": "munyamunya",
        "UserAttributes": {"email": "peroper@hoge.com", "email_verified": "true"}}
SLS_IDS = {"BackendClient": "piyopiyo", "ManagedLoginClient": "managedlogin01"}  # as --id pins them
SLS_SETS = {"ssm:/cognito/client-id/dev": "managedlogin01", "ssm:/cognito/client-id-backend/dev": "piyopiyo"}


def imported(template: Path, pool_id: str, targets: dict[str, dict[str, str]] | None = None,
             sets: dict[str, str] | None = None, ids: dict[str, str] | None = None) -> dict[str, Any]:
    """The template imported (python targets relative to the repository), plus the local YAML a team
    keeps beside it: a seed user, and handler mappings for functions whose code is not on disk."""
    config = combine([template], None, Options(stack_name="stories", outside=sets or {}, ids=ids or {}), REPO).config
    overlay: dict[str, Any] = {"UserPools": [{"Id": pool_id, "Users": [USER]}]}
    if targets:
        overlay["Apis"] = [{"Name": name, "Routes": [{"RouteKey": k, "Target": v} for k, v in routes.items()]}
                           for name, routes in targets.items()]
    return merge(config, overlay)


def client(config: dict[str, Any], client_id: str) -> dict[str, Any]:
    return next(c for p in config["UserPools"] for c in p["Clients"] if c["ClientId"] == client_id)


def api_named(config: dict[str, Any], protocol: str) -> str:
    return next(a["Name"] for a in config["Apis"] if a["ProtocolType"] == protocol)


def story_1(config: dict[str, Any], ok_path: str, before_fix_path: str) -> None:
    secret = client(config, "piyopiyo")["ClientSecret"]
    with running_emulator(config) as server:
        id_token = cognito_client(server.url).initiate_auth(
            ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USER["Username"], "PASSWORD": USER["Password"],
                            "SECRET_HASH": secret_hash(secret, USER["Username"], "piyopiyo")},
        )["AuthenticationResult"]["IdToken"]
        api = server.api_url(api_named(config, "HTTP"))
        headers = {"Authorization": f"Bearer {id_token}"}
        ok = httpx.get(f"{api}{ok_path}", headers=headers)
        assert ok.status_code == 200, ok.headers.get("x-emulator-reason")
        if before_fix_path:
            refused = httpx.get(f"{api}{before_fix_path}", headers=headers)
            assert refused.status_code == 401 and refused.json() == {"message": "Unauthorized"}
            assert refused.headers["www-authenticate"].startswith("Bearer ")
            assert 'error_description="the token does not have a valid audience"' in refused.headers["www-authenticate"]
            assert "token aud 'piyopiyo' is not in authorizer" in refused.headers["x-emulator-reason"]


def story_2(config: dict[str, Any], stage: str) -> None:
    secret = client(config, "testserver01")["ClientSecret"]
    with running_emulator(config) as server:
        token = httpx.post(f"{server.url}/oauth2/token", auth=("testserver01", secret),
                           data={"grant_type": "client_credentials", "scope": "test_resource/test"})
        assert token.status_code == 200, token.text
        access = token.json()["access_token"]
        api = server.api_url(api_named(config, "REST"))
        passed = httpx.post(f"{api}/{stage}/access", headers={"Authorization": access}, json={})
        assert passed.status_code == 200, passed.headers.get("x-emulator-reason")
        assert passed.json()["claims"]["scope"] == "test_resource/test"
        assert httpx.post(f"{api}/{stage}/access", json={}).status_code == 401


CDK = FIXTURES / "cdk" / "StoriesStack.template.json"
# The CDK app's function has inline code; the local YAML maps its routes to the example handlers.
CDK_TARGETS = {"mogemoge": {"GET /mogemoge": "python:examples.backend:mogemoge",
                            "GET /before-fix": "python:examples.backend:mogemoge"},
               "test-api": {"POST /access": "python:examples.backend:access"}}


def test_cdk_story_1() -> None:
    config = imported(CDK, "us-east-1_CdkStory1", CDK_TARGETS)
    story_1(config, "/mogemoge", "/before-fix")


def test_cdk_story_2() -> None:
    story_2(imported(CDK, "us-east-1_CdkStory1", CDK_TARGETS), "dev")


SAM = FIXTURES / "sam" / "template.yaml"


def test_sam_story_1() -> None:
    config = imported(SAM, "us-east-1_SamStory1")
    assert config["Apis"][0]["Routes"][0]["Target"] == "python:examples.backend:mogemoge"
    story_1(config, "/mogemoge", "/before-fix")


def test_sam_story_2() -> None:
    story_2(imported(SAM, "us-east-1_SamStory1"), "dev")


SLS = FIXTURES / "serverless_package" / "cloudformation-template-update-stack.json"
SLS_TARGETS = {"dev-mogemoge": {"GET /mogemoge": "python:examples.backend:mogemoge"}}


def test_serverless_package_story_1_with_both_ssm_values() -> None:
    config = imported(SLS, "us-east-1_SlsStory1", SLS_TARGETS, SLS_SETS, SLS_IDS)
    story_1(config, "/mogemoge", "")


def test_serverless_package_before_the_fix_gets_401() -> None:
    sets = {**SLS_SETS, "ssm:/cognito/client-id-backend/dev": "managedlogin01"}  # the article's broken state
    config = imported(SLS, "us-east-1_SlsStory1", SLS_TARGETS, sets, SLS_IDS)
    secret = client(config, "piyopiyo")["ClientSecret"]
    with running_emulator(config) as server:
        id_token = cognito_client(server.url).initiate_auth(
            ClientId="piyopiyo", AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": USER["Username"], "PASSWORD": USER["Password"],
                            "SECRET_HASH": secret_hash(secret, USER["Username"], "piyopiyo")},
        )["AuthenticationResult"]["IdToken"]
        response = httpx.get(f"{server.api_url('dev-mogemoge')}/mogemoge",
                             headers={"Authorization": f"Bearer {id_token}"})
        assert response.status_code == 401
        assert "www-authenticate" in response.headers


def test_serverless_yml_with_cognito_resources_story_1(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FIXTURES / "serverless_yml"
    monkeypatch.syspath_prepend(str(folder))  # python: targets load beside serverless.yml
    config = combine([folder / "serverless.yml"], None, Options(), folder).config
    pool = config["UserPools"][0]
    clients = {c["ClientName"]: c["ClientId"] for c in pool["Clients"]}
    assert config["Apis"][0]["Authorizers"][0]["JwtConfiguration"] == {
        "Issuer": f"https://cognito-idp.us-east-1.amazonaws.com/{pool['Id']}", "Audience": [clients["backend"]]}
    pool["Users"] = [{"Username": "peroper@hoge.com", "Password": "munyamunya"}]
    config["Apis"][0]["Port"] = free_port()
    with running_emulator(config) as server:
        idp = cognito_client(server.url)
        gateway = next(listener.url for listener in server.listeners if listener.name.startswith("api "))

        def id_token(client_id: str) -> str:
            return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
                "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya"})["AuthenticationResult"]["IdToken"]

        allowed = httpx.get(f"{gateway}/mogemoge", headers={"Authorization": f"Bearer {id_token(clients['backend'])}"})
        refused_ = httpx.get(f"{gateway}/mogemoge",
                             headers={"Authorization": f"Bearer {id_token(clients['managed-login'])}"})
    assert (allowed.status_code, allowed.text) == (200, "hello peroper@hoge.com")
    assert refused_.status_code == 401
    assert "does not have a valid audience" in refused_.headers["www-authenticate"]
