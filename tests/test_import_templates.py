"""Template import without a server: the intrinsic resolver as a table, ids, merging, the refusals
(logical id + property path, exit 1, nothing on stdout) and configs with placeholders refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from emulator.cli import main
from emulator.config import parse_config
from emulator.config_fields import ConfigError
from emulator.importers.cfn_errors import ImportRefused, Unresolved
from emulator.importers.cfn_ids import physical_id
from emulator.importers.cfn_intrinsics import Scope, resolve
from emulator.importers.cfn_template import Options
from emulator.importers.cfn_yaml import load_template
from emulator.importers.config_merge import merge
from emulator.importers.template_sources import combine
from emulator.testing import running_emulator
from tests.conftest import cognito_client, refused

FIXTURES = Path(__file__).parent / "fixtures_templates"
REPO = Path(__file__).parent.parent
SCOPE = dict(parameters={"Stage": "dev", "AWS::Region": "eu-west-1", "Ids": ["a", "b"]},
             refs={"Pool": "eu-west-1_Abc", "Api": "abc123"}, conditions={"IsDev": {"Fn::Equals": [{"Ref": "Stage"},
                                                                                                    "dev"]}},
             mappings={"M": {"dev": {"Client": "c1"}}}, outside={"ssm:/x": "from-ssm", "ImportValue:Out": "imp"})


@pytest.mark.parametrize(("value", "expected"), [
    ({"Ref": "Stage"}, "dev"),
    ({"Ref": "Pool"}, "eu-west-1_Abc"),
    ({"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"},
     "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc"),
    ({"Fn::Sub": ["${A}-${Stage}-${!Literal}", {"A": {"Ref": "Api"}}]}, "abc123-dev-${Literal}"),
    ({"Fn::Join": ["/", ["a", {"Ref": "Stage"}]]}, "a/dev"),
    ({"Fn::Select": [1, {"Ref": "Ids"}]}, "b"),
    ({"Fn::Select": [0, {"Fn::Split": [",", "x,y"]}]}, "x"),
    ({"Fn::If": ["IsDev", "yes", "no"]}, "yes"),
    ({"Fn::If": [{"Fn::Not": [{"Condition": "IsDev"}]}, "yes", "no"]}, "no"),
    ({"Fn::If": [{"Fn::And": [{"Condition": "IsDev"}, {"Fn::Or": [{"Fn::Equals": ["a", "b"]},
                                                                   {"Fn::Equals": ["a", "a"]}]}]}, 1, 2]}, 1),
    ({"k": {"Fn::If": ["IsDev", {"Ref": "AWS::NoValue"}, 1]}, "j": 2}, {"j": 2}),
    ({"Fn::FindInMap": ["M", {"Ref": "Stage"}, "Client"]}, "c1"),
    ({"Fn::ImportValue": "Out"}, "imp"),
    ("{{resolve:ssm:/x}}", "from-ssm"),
    ("{{resolve:ssm:/x:3}}", "from-ssm"),
])
def test_intrinsics(value: Any, expected: Any) -> None:
    assert resolve(value, Scope(**SCOPE)) == expected


@pytest.mark.parametrize(("value", "reason"), [
    ({"Ref": "Nope"}, "dangling Ref"),
    ({"Fn::ImportValue": "Other"}, "--set 'ImportValue:Other=<value>'"),
    ("{{resolve:ssm:/y}}", "--set 'ssm:/y=<value>'"),
    ({"Fn::GetAtt": ["Pool", "Arn"]}, "not known offline"),
    ({"Fn::If": ["Missing", 1, 2]}, "not in the template's Conditions"),
    ({"Fn::Transform": {}}, "not evaluated"),
])
def test_unresolvable_values_say_why(value: Any, reason: str) -> None:
    with pytest.raises(Unresolved, match=None) as excinfo:
        resolve(value, Scope(**SCOPE))
    assert reason in str(excinfo.value)


def test_short_tags_load_as_long_forms() -> None:
    doc = load_template("A: !GetAtt Pool.Arn\nB: !Sub x-${Stage}\nC: !If [C, !Ref X, 2]\nD: 2012-10-17\n")
    assert doc == {"A": {"Fn::GetAtt": ["Pool", "Arn"]}, "B": {"Fn::Sub": "x-${Stage}"},
                   "C": {"Fn::If": ["C", {"Ref": "X"}, 2]}, "D": "2012-10-17"}


def test_ids_are_stable_aws_shaped_and_overridable() -> None:
    pool = {"Type": "AWS::Cognito::UserPool"}
    first = physical_id("stack", "eu-west-1", "Pool", pool, {})
    assert first == physical_id("stack", "eu-west-1", "Pool", pool, {})
    assert first.startswith("eu-west-1_") and len(first.split("_")[1]) == 9
    assert first != physical_id("other", "eu-west-1", "Pool", pool, {})
    client = physical_id("stack", "us-east-1", "Client", {"Type": "AWS::Cognito::UserPoolClient"}, {})
    assert len(client) == 26 and client.isalnum() and client.islower()
    assert physical_id("s", "us-east-1", "Pool", pool, {"Pool": "us-east-1_Pinned"}) == "us-east-1_Pinned"
    assert physical_id("s", "us-east-1", "Pool", {**pool, "Metadata": {"emulator:id": "us-east-1_Meta"}}, {}) \
        == "us-east-1_Meta"


def test_merge_matches_entries_by_their_names() -> None:
    base = {"UserPools": [{"Id": "p", "Clients": [{"ClientName": "a", "ClientId": "1"}]}],
            "Apis": [{"Name": "api", "Port": 8080, "Routes": [{"RouteKey": "GET /x", "Target": "http://h"}]}]}
    overlay = {"UserPools": [{"Id": "p", "Users": [{"Username": "u", "Password": "p"}]}],
               "Apis": [{"Name": "api", "Routes": [{"RouteKey": "GET /x", "Target": "python:m:f"}]}]}
    merged = merge(base, overlay)
    assert merged["UserPools"][0]["Clients"] == [{"ClientName": "a", "ClientId": "1"}]
    assert merged["UserPools"][0]["Users"] == [{"Username": "u", "Password": "p"}]
    assert merged["Apis"][0] == {"Name": "api", "Port": 8080,
                                 "Routes": [{"RouteKey": "GET /x", "Target": "python:m:f"}]}


@pytest.mark.parametrize(("fixture", "where", "why"), [
    ("unsupported_authorizer.yaml", "Auth.Properties.AuthorizerType", "'COGNITO' is not an HTTP API authorizer"),
    ("dangling_ref.yaml", "Client.Properties.UserPoolId", "Ref PoolThatIsNotThere names no parameter or resource"),
    ("unresolved_ssm.yaml", "Auth.Properties.JwtConfiguration.Audience[0]",
     "pass --set 'ssm:/cognito/client-id/dev=<value>'"),
])
def test_what_cannot_be_honoured_stops_the_import(fixture: str, where: str, why: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "negative" / fixture
    with pytest.raises(ImportRefused) as excinfo:
        combine([path], None, Options(), REPO)
    assert str(excinfo.value).startswith(f"{where}: ") and why in str(excinfo.value)
    assert main(["import", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and where in err and why in err


def test_aws_iam_routes_are_imported_as_aws_iam(tmp_path: Path) -> None:
    template = tmp_path / "iam.yaml"
    template.write_text("""Resources:
  Api: {Type: AWS::ApiGatewayV2::Api, Properties: {Name: a, ProtocolType: HTTP}}
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Api, IntegrationType: HTTP_PROXY, IntegrationUri: "http://127.0.0.1:3000",
                 IntegrationMethod: ANY}
  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Api, RouteKey: GET /admin, AuthorizationType: AWS_IAM,
                 Target: !Sub "integrations/${Integration}"}
""")
    (route,) = combine([template], None, Options(), REPO).config["Apis"][0]["Routes"]
    assert route["AuthorizationType"] == "AWS_IAM" and "AuthorizerName" not in route


def test_unresolved_ssm_given_with_set_imports() -> None:
    combined = combine([FIXTURES / "negative" / "unresolved_ssm.yaml"], None,
                       Options(outside={"ssm:/cognito/client-id/dev": "abc"}), REPO)
    assert combined.config["Apis"][0]["Authorizers"][0]["JwtConfiguration"]["Audience"] == ["abc"]


@pytest.mark.parametrize(("properties", "where"), [
    ({"UserPoolAddOns": {"AdvancedSecurityMode": "ENFORCED"}}, "Pool.Properties.UserPoolAddOns.AdvancedSecurityMode"),
    ({"LambdaConfig": {"PreAuthentication": "arn:aws:lambda:us-east-1:1:function:f"}},
     "Pool.Properties.LambdaConfig.PreAuthentication"),
    ({"MfaConfiguration": "ON", "EnabledMfas": ["WEBAUTHN_MFA"]}, "Pool.Properties.EnabledMfas"),
])
def test_pool_settings_that_change_who_may_sign_in_are_refused(properties: dict[str, Any], where: str,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Resources": {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": properties}}}))
    with pytest.raises(ImportRefused, match=f"^{where.replace('.', '[.]')}: "):
        combine([path], None, Options(), tmp_path)


def test_sign_in_policy_mfa_factors_and_devices_are_imported(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Resources": {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {
        "MfaConfiguration": "OPTIONAL", "EnabledMfas": ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"],
        "EmailAuthenticationMessage": "Code {####}", "EmailAuthenticationSubject": "Your code",
        "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
        "DeviceConfiguration": {"ChallengeRequiredOnNewDevice": True}}}}}))
    pool = combine([path], None, Options(), tmp_path).config["UserPools"][0]
    assert pool["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    assert pool["SoftwareTokenMfaConfiguration"] == {"Enabled": True} and "SmsMfaConfiguration" not in pool
    assert pool["EmailMfaConfiguration"] == {"Message": "Code {####}", "Subject": "Your code"}
    assert pool["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": True}
    parsed = parse_config({"UserPools": [pool]}, base_dir=tmp_path).pools[0].pool  # the emulator takes it as is
    assert parsed.email_mfa == {"Message": "Code {####}", "Subject": "Your code"} and not parsed.sms_mfa


def test_custom_senders_and_their_kms_key_are_imported(tmp_path: Path) -> None:
    (tmp_path / "sender.py").write_text("def handler(event, context):\n    return None\n")
    path = tmp_path / "t.json"
    sender = {"LambdaVersion": "V1_0", "LambdaArn": {"Fn::GetAtt": ["Sender", "Arn"]}}
    path.write_text(json.dumps({"Resources": {
        "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
        "Sender": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12",
                                                                    "Handler": "sender.handler"}},
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"LambdaConfig": {
            "CustomEmailSender": sender, "CustomSMSSender": sender, "KMSKeyID": {"Fn::GetAtt": ["Key", "Arn"]}}}}}}))
    pool = combine([path], None, Options(), tmp_path).config["UserPools"][0]
    expected = {"LambdaVersion": "V1_0", "LambdaArn": "python:sender:handler"}
    assert pool["LambdaConfig"]["CustomEmailSender"] == pool["LambdaConfig"]["CustomSMSSender"] == expected
    assert pool["LambdaConfig"]["KMSKeyID"].startswith("arn:aws:kms:us-east-1:")
    parsed = parse_config({"UserPools": [pool]}, base_dir=tmp_path).pools[0].pool  # the emulator takes it as is
    assert parsed.lambda_config["KMSKeyID"] == pool["LambdaConfig"]["KMSKeyID"]


@pytest.mark.e2e
def test_a_pool_closed_to_sign_up_imports_and_refuses_sign_up(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"Resources": {
        "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True}}},
        "Client": {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "Pool"}}}}}))
    config = combine([path], None, Options(), tmp_path).config
    assert config["UserPools"][0]["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    with running_emulator(config) as server:
        client_id = config["UserPools"][0]["Clients"][0]["ClientId"]
        error, message, reason = refused(lambda: cognito_client(server.url).sign_up(
            ClientId=client_id, Username="someone", Password="Correct-Horse1"))
    assert (error, message) == ("NotAuthorizedException", "SignUp is not permitted for this user pool")
    assert "AllowAdminCreateUserOnly" in reason


def test_other_resources_are_listed_in_one_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "serverless_package" / "cloudformation-template-update-stack.json"
    assert main(["import", str(path), "--set", "ssm:/cognito/client-id/dev=a",
                 "--set", "ssm:/cognito/client-id-backend/dev=b"]) == 0
    out, err = capsys.readouterr()
    assert "Id: us-east-1_SlsStory1" in out
    assert "note: not emulated, left out: AWS::Logs::LogGroup (MogemogeLogGroup); AWS::S3::Bucket " \
           "(ServerlessDeploymentBucket)" in err


@pytest.mark.parametrize("placeholder", ["${ssm:/cognito/client-id/dev}", "{{resolve:ssm:/x}}"])
def test_configs_with_unresolved_placeholders_are_refused(placeholder: str) -> None:
    config = {"UserPools": [{"Name": "p", "Clients": [{"ClientName": placeholder}]}]}
    with pytest.raises(ConfigError, match="unresolved placeholder") as excinfo:
        parse_config(config)
    assert excinfo.value.path == "UserPools[0].Clients[0].ClientName"
    with pytest.raises(ConfigError, match="unresolved placeholder"):
        parse_config({"UserPools": [{"Name": "p", "Clients": [{"ClientName": {"Ref": "X"}}]}]})
