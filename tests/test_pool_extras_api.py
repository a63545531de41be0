"""The pool-level families through boto3, create -> describe -> update -> list -> delete with AWS's errors:
tags, UI customization, the signing certificate, log delivery, risk configuration, terms and managed login
branding."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from cryptography import x509

from emulator.cognito.ui_customization import css_problem
from tests.conftest import refused

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="module")
def pool(idp: Any) -> dict[str, Any]:
    created = idp.create_user_pool(PoolName="extras", UserPoolTags={"team": "auth", "env": "dev"},
                                   UserPoolAddOns={"AdvancedSecurityMode": "ENFORCED"})["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=created["Id"], ClientName="web")["UserPoolClient"]
    return {**created, "ClientId": client["ClientId"]}


# -- tags -------------------------------------------------------------------------

def test_tags_on_create_then_tag_untag_list(idp: Any, pool: dict[str, Any]) -> None:
    arn = pool["Arn"]
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth", "env": "dev"}
    idp.tag_resource(ResourceArn=arn, Tags={"env": "prod", "owner": "me"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "auth", "env": "prod", "owner": "me"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["team", "nosuch"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "owner": "me"}
    assert idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]["UserPoolTags"] == {"env": "prod",
                                                                                         "owner": "me"}


def test_tag_errors(idp: Any, pool: dict[str, Any]) -> None:
    code, _, reason = refused(lambda: idp.list_tags_for_resource(
        ResourceArn="arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Nope00000"))
    assert code == "ResourceNotFoundException" and "us-east-1_Nope00000" in reason
    code, _, reason = refused(lambda: idp.tag_resource(
        ResourceArn="arn:aws:s3:us-east-1:123456789012:bucket/x", Tags={"a": "b"}))
    assert code == "InvalidParameterException" and "not a user pool ARN" in reason
    code, _, reason = refused(lambda: idp.tag_resource(ResourceArn=pool["Arn"],
                                                       Tags={f"k{i}": "v" for i in range(60)}))
    assert code == "InvalidParameterException"


# -- UI customization -------------------------------------------------------------------------

def test_ui_customization_pool_then_client_fallback(idp: Any, pool: dict[str, Any]) -> None:
    pool_id, client_id = pool["Id"], pool["ClientId"]
    empty = idp.get_ui_customization(UserPoolId=pool_id)["UICustomization"]
    assert empty["UserPoolId"] == pool_id and "CSS" not in empty
    set_ = idp.set_ui_customization(UserPoolId=pool_id, CSS=".logo-customizable { max-width: 60%; }",
                                    ImageFile=PNG)["UICustomization"]
    assert set_["ClientId"] == "ALL" and set_["CSSVersion"]
    image = httpx.get(set_["ImageUrl"])
    assert image.status_code == 200 and image.content == PNG and image.headers["content-type"] == "image/png"
    fallback = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert fallback["ClientId"] == "ALL" and fallback["CSS"].startswith(".logo-customizable")
    own = idp.set_ui_customization(UserPoolId=pool_id, ClientId=client_id,
                                   CSS=".submitButton-customizable { background: red; }")["UICustomization"]
    assert own["ClientId"] == client_id and "ImageUrl" not in own
    got = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"]
    assert got["CSS"] == ".submitButton-customizable { background: red; }"


def test_ui_customization_errors(idp: Any, pool: dict[str, Any]) -> None:
    code, _, reason = refused(lambda: idp.set_ui_customization(UserPoolId=pool["Id"], CSS="body { color: red; }"))
    assert code == "InvalidParameterException" and "'body' is not a customizable class" in reason
    code, _, reason = refused(lambda: idp.set_ui_customization(UserPoolId=pool["Id"], ImageFile=b"GIF89a"))
    assert code == "InvalidParameterException" and "PNG or JPEG" in reason
    code, _, _ = refused(lambda: idp.get_ui_customization(UserPoolId=pool["Id"], ClientId="nosuchclient"))
    assert code == "ResourceNotFoundException"


@pytest.mark.parametrize(("css", "ok"), [
    (".label-customizable { font-weight: 400; }", True),
    (".idpButton-customizable:hover, .inputField-customizable:focus { color: blue; }", True),
    ("#x { }", False),
    (".banner-customizable { color: red; } garbage", False),
])
def test_css_rule_table(css: str, ok: bool) -> None:
    assert (css_problem(css) is None) == ok


# -- signing certificate -------------------------------------------------------------------------

def test_signing_certificate_is_stable_x509(idp: Any, pool: dict[str, Any]) -> None:
    first = idp.get_signing_certificate(UserPoolId=pool["Id"])["Certificate"]
    assert idp.get_signing_certificate(UserPoolId=pool["Id"])["Certificate"] == first
    certificate = x509.load_der_x509_certificate(base64.b64decode(first))
    assert pool["Id"] in certificate.subject.rfc4514_string()
    code, _, _ = refused(lambda: idp.get_signing_certificate(UserPoolId="us-east-1_Nope00000"))
    assert code == "ResourceNotFoundException"


# -- log delivery -------------------------------------------------------------------------

GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:cognito"


def test_log_delivery_set_get_and_rules(idp: Any, pool: dict[str, Any]) -> None:
    assert idp.get_log_delivery_configuration(UserPoolId=pool["Id"])["LogDeliveryConfiguration"][
        "LogConfigurations"] == []
    configuration = {"LogLevel": "ERROR", "EventSource": "userNotification",
                     "CloudWatchLogsConfiguration": {"LogGroupArn": GROUP}}
    idp.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[configuration])
    got = idp.get_log_delivery_configuration(UserPoolId=pool["Id"])["LogDeliveryConfiguration"]
    assert got == {"UserPoolId": pool["Id"], "LogConfigurations": [configuration]}
    code, _, reason = refused(lambda: idp.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[
        {**configuration, "LogLevel": "INFO"}]))
    assert code == "InvalidParameterException" and "takes LogLevel ERROR" in reason
    code, _, reason = refused(lambda: idp.set_log_delivery_configuration(UserPoolId=pool["Id"], LogConfigurations=[
        {"LogLevel": "INFO", "EventSource": "userAuthEvents", "CloudWatchLogsConfiguration": {"LogGroupArn": GROUP}}]))
    assert code == "FeatureUnavailableInTierException" and "PLUS" in reason


# -- risk configuration -------------------------------------------------------------------------

def test_risk_configuration_pool_and_client(idp: Any, pool: dict[str, Any]) -> None:
    exceptions = {"BlockedIPRangeList": ["192.0.2.0/24"]}
    stored = idp.set_risk_configuration(UserPoolId=pool["Id"], RiskExceptionConfiguration=exceptions)
    assert stored["RiskConfiguration"]["ClientId"] == "ALL"
    got = idp.describe_risk_configuration(UserPoolId=pool["Id"], ClientId=pool["ClientId"])["RiskConfiguration"]
    assert got["ClientId"] == "ALL" and got["RiskExceptionConfiguration"] == exceptions
    compromised = {"EventFilter": ["SIGN_IN"], "Actions": {"EventAction": "BLOCK"}}
    idp.set_risk_configuration(UserPoolId=pool["Id"], ClientId=pool["ClientId"],
                               CompromisedCredentialsRiskConfiguration=compromised)
    got = idp.describe_risk_configuration(UserPoolId=pool["Id"], ClientId=pool["ClientId"])["RiskConfiguration"]
    assert got["ClientId"] == pool["ClientId"] and got["CompromisedCredentialsRiskConfiguration"] == compromised


def test_risk_configuration_needs_threat_protection(idp: Any) -> None:
    plain = idp.create_user_pool(PoolName="no-addons")["UserPool"]["Id"]
    code, _, reason = refused(lambda: idp.describe_risk_configuration(UserPoolId=plain))
    assert code == "UserPoolAddOnNotEnabledException" and "AdvancedSecurityMode" in reason


# -- terms -------------------------------------------------------------------------

def test_terms_lifecycle(idp: Any, pool: dict[str, Any]) -> None:
    pool_id, client_id = pool["Id"], pool["ClientId"]
    created = idp.create_terms(UserPoolId=pool_id, ClientId=client_id, TermsName="terms-of-use", TermsSource="LINK",
                               Enforcement="NONE", Links={"cognito:default": "https://example.com/terms"})["Terms"]
    terms_id = created["TermsId"]
    assert idp.describe_terms(UserPoolId=pool_id, TermsId=terms_id)["Terms"]["Links"] == {
        "cognito:default": "https://example.com/terms"}
    by_client = idp.describe_terms_by_client(UserPoolId=pool_id, ClientId=client_id, TermsName="terms-of-use")
    assert by_client["Terms"]["TermsId"] == terms_id
    updated = idp.update_terms(UserPoolId=pool_id, TermsId=terms_id,
                               Links={"cognito:default": "https://example.com/v2"})["Terms"]
    assert updated["Links"] == {"cognito:default": "https://example.com/v2"} and updated["TermsName"] == "terms-of-use"
    idp.create_terms(UserPoolId=pool_id, ClientId=client_id, TermsName="privacy-policy", TermsSource="LINK",
                     Enforcement="NONE", Links={"cognito:default": "https://example.com/privacy"})
    listed = idp.list_terms(UserPoolId=pool_id, MaxResults=1)
    assert len(listed["Terms"]) == 1 and listed["NextToken"]
    rest = idp.list_terms(UserPoolId=pool_id, MaxResults=1, NextToken=listed["NextToken"])
    names = {listed["Terms"][0]["TermsName"], rest["Terms"][0]["TermsName"]}
    assert names == {"terms-of-use", "privacy-policy"} and set(listed["Terms"][0]) == {
        "TermsId", "TermsName", "Enforcement", "CreationDate", "LastModifiedDate"}
    code, _, _ = refused(lambda: idp.create_terms(
        UserPoolId=pool_id, ClientId=client_id, TermsName="terms-of-use", TermsSource="LINK", Enforcement="NONE",
        Links={"cognito:default": "https://example.com/again"}))
    assert code == "TermsExistsException"
    idp.delete_terms(UserPoolId=pool_id, TermsId=terms_id)
    code, _, _ = refused(lambda: idp.describe_terms(UserPoolId=pool_id, TermsId=terms_id))
    assert code == "ResourceNotFoundException"


def test_terms_bad_input(idp: Any, pool: dict[str, Any]) -> None:
    code, message, _ = refused(lambda: idp.create_terms(
        UserPoolId=pool["Id"], ClientId=pool["ClientId"], TermsName="cookies", TermsSource="LINK", Enforcement="NONE",
        Links={"cognito:default": "https://example.com"}))
    assert code == "InvalidParameterException" and "termsName" in message
    code, _, reason = refused(lambda: idp.create_terms(
        UserPoolId=pool["Id"], ClientId="nosuchclient", TermsName="terms-of-use", TermsSource="LINK",
        Enforcement="NONE", Links={"cognito:default": "https://example.com"}))
    assert code == "ResourceNotFoundException"


# -- managed login branding -------------------------------------------------------------------------

def test_managed_login_branding_lifecycle(idp: Any, pool: dict[str, Any]) -> None:
    pool_id, client_id = pool["Id"], pool["ClientId"]
    created = idp.create_managed_login_branding(
        UserPoolId=pool_id, ClientId=client_id, Settings={"components": {"pageBackground": {"lightMode": {
            "color": "ffffffff"}}}},
        Assets=[{"Category": "PAGE_HEADER_LOGO", "ColorMode": "LIGHT", "Extension": "PNG", "Bytes": PNG}])
    style = created["ManagedLoginBranding"]
    branding_id = style["ManagedLoginBrandingId"]
    assert style["UseCognitoProvidedValues"] is False and style["Assets"][0]["Bytes"] == PNG
    by_client = idp.describe_managed_login_branding_by_client(UserPoolId=pool_id, ClientId=client_id)
    assert by_client["ManagedLoginBranding"]["ManagedLoginBrandingId"] == branding_id
    code, _, _ = refused(lambda: idp.create_managed_login_branding(UserPoolId=pool_id, ClientId=client_id,
                                                                   UseCognitoProvidedValues=True))
    assert code == "ManagedLoginBrandingExistsException"
    updated = idp.update_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id,
                                                UseCognitoProvidedValues=True)["ManagedLoginBranding"]
    assert updated["UseCognitoProvidedValues"] is True and updated["Assets"] == []
    described = idp.describe_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id,
                                                    ReturnMergedResources=True)
    assert described["ManagedLoginBranding"]["UseCognitoProvidedValues"] is True
    idp.delete_managed_login_branding(UserPoolId=pool_id, ManagedLoginBrandingId=branding_id)
    code, _, _ = refused(lambda: idp.describe_managed_login_branding_by_client(UserPoolId=pool_id,
                                                                               ClientId=client_id))
    assert code == "ResourceNotFoundException"


def test_managed_login_branding_defaults_exclude_settings(idp: Any, pool: dict[str, Any]) -> None:
    code, _, reason = refused(lambda: idp.create_managed_login_branding(
        UserPoolId=pool["Id"], ClientId=pool["ClientId"], UseCognitoProvidedValues=True, Settings={"a": 1}))
    assert code == "InvalidParameterException" and "omit Settings" in reason


# -- fields the model added recently ---------------------------------------------------------------------------------

def test_recent_pool_fields_round_trip(idp: Any) -> None:
    fields = {"KeyConfiguration": {"KeyType": "AWS_OWNED_KEY"}, "AcrConfiguration": {"Level1": {"AcrValue": "bronze"}},
              "DcrConfiguration": {"EnableStatus": "Disabled"}, "IssuerConfiguration": {"Type": "ORIGINAL"}}
    pool_id = idp.create_user_pool(PoolName="recent", **fields)["UserPool"]["Id"]
    described = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert {k: described[k] for k in fields} == fields
    idp.update_user_pool(UserPoolId=pool_id, KeyConfiguration={"KeyType": "AWS_OWNED_KEY"})
    assert "AcrConfiguration" not in idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]


@pytest.mark.parametrize(("field", "value"), [("DcrConfiguration", {"EnableStatus": "Enabled"}),
                                              ("IssuerConfiguration", {"Type": "UPDATED"})])
def test_recent_pool_fields_the_emulator_cannot_honour_are_refused(idp: Any, field: str, value: dict) -> None:
    code, _, reason = refused(lambda: idp.create_user_pool(PoolName="unhonoured", **{field: value}))
    assert code == "InvalidParameterException" and "not emulated" in reason
