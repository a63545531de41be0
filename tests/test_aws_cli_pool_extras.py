"""The pool-level families driven by the AWS CLI (`aws cognito-idp ...`), as a Terraform or admin script
would: tags, UI customization, signing certificate, log delivery, risk configuration, terms, managed login
branding; and AWS's error on bad input."""

from __future__ import annotations

import json
import shutil
from typing import Any

import pytest

from emulator.server import EmulatorServer
from tests.test_aws_cli_management import Cli

pytestmark = [pytest.mark.e2e, pytest.mark.cli,
              pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")]


@pytest.fixture(scope="module")
def cli(server: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    return Cli(server.url, tmp_path_factory.mktemp("aws-home"))


@pytest.fixture(scope="module")
def pool(cli: Cli) -> dict[str, Any]:
    created = cli.ok("create-user-pool", "--pool-name", "cli-extras", "--user-pool-tags", "team=auth",
                     "--user-pool-add-ons", "AdvancedSecurityMode=AUDIT")["UserPool"]
    client = cli.ok("create-user-pool-client", "--user-pool-id", created["Id"], "--client-name", "web")
    return {**created, "ClientId": client["UserPoolClient"]["ClientId"]}


def test_tags(cli: Cli, pool: dict[str, Any]) -> None:
    cli.ok("tag-resource", "--resource-arn", pool["Arn"], "--tags", "env=dev,owner=me")
    cli.ok("untag-resource", "--resource-arn", pool["Arn"], "--tag-keys", "owner")
    assert cli.ok("list-tags-for-resource", "--resource-arn", pool["Arn"])["Tags"] == {"team": "auth", "env": "dev"}


def test_ui_customization_and_signing_certificate(cli: Cli, pool: dict[str, Any]) -> None:
    cli.ok("set-ui-customization", "--user-pool-id", pool["Id"], "--css", ".banner-customizable { color: red; }")
    got = cli.ok("get-ui-customization", "--user-pool-id", pool["Id"])["UICustomization"]
    assert got["CSS"] == ".banner-customizable { color: red; }" and got["ClientId"] == "ALL"
    assert cli.ok("get-signing-certificate", "--user-pool-id", pool["Id"])["Certificate"].startswith("MII")


def test_log_delivery_and_risk(cli: Cli, pool: dict[str, Any]) -> None:
    configurations = [{"LogLevel": "ERROR", "EventSource": "userNotification",
                       "S3Configuration": {"BucketArn": "arn:aws:s3:::logs"}}]
    cli.ok("set-log-delivery-configuration", "--user-pool-id", pool["Id"], "--log-configurations",
           json.dumps(configurations))
    got = cli.ok("get-log-delivery-configuration", "--user-pool-id", pool["Id"])
    assert got["LogDeliveryConfiguration"]["LogConfigurations"] == configurations
    cli.ok("set-risk-configuration", "--user-pool-id", pool["Id"], "--risk-exception-configuration",
           "SkippedIPRangeList=10.0.0.0/8")
    risk = cli.ok("describe-risk-configuration", "--user-pool-id", pool["Id"])["RiskConfiguration"]
    assert risk["RiskExceptionConfiguration"] == {"SkippedIPRangeList": ["10.0.0.0/8"]}


def test_terms_lifecycle(cli: Cli, pool: dict[str, Any]) -> None:
    created = cli.ok("create-terms", "--user-pool-id", pool["Id"], "--client-id", pool["ClientId"], "--terms-name",
                     "privacy-policy", "--terms-source", "LINK", "--enforcement", "NONE", "--links",
                     "cognito:default=https://example.com/privacy")["Terms"]
    cli.ok("update-terms", "--user-pool-id", pool["Id"], "--terms-id", created["TermsId"], "--links",
           "cognito:default=https://example.com/v2")
    described = cli.ok("describe-terms", "--user-pool-id", pool["Id"], "--terms-id", created["TermsId"])["Terms"]
    assert described["Links"] == {"cognito:default": "https://example.com/v2"}
    assert [t["TermsId"] for t in cli.ok("list-terms", "--user-pool-id", pool["Id"])["Terms"]] == [
        created["TermsId"]]
    cli.ok("delete-terms", "--user-pool-id", pool["Id"], "--terms-id", created["TermsId"])
    done = cli.run("describe-terms", "--user-pool-id", pool["Id"], "--terms-id", created["TermsId"])
    assert done.returncode != 0 and "(ResourceNotFoundException)" in done.stderr


def test_managed_login_branding_lifecycle(cli: Cli, pool: dict[str, Any]) -> None:
    created = cli.ok("create-managed-login-branding", "--user-pool-id", pool["Id"], "--client-id", pool["ClientId"],
                     "--use-cognito-provided-values")["ManagedLoginBranding"]
    branding_id = created["ManagedLoginBrandingId"]
    cli.ok("update-managed-login-branding", "--user-pool-id", pool["Id"], "--managed-login-branding-id",
           branding_id, "--settings", '{"categories": {"global": {"colorSchemeMode": "DARK"}}}')
    described = cli.ok("describe-managed-login-branding-by-client", "--user-pool-id", pool["Id"], "--client-id",
                       pool["ClientId"])["ManagedLoginBranding"]
    assert described["Settings"] == {"categories": {"global": {"colorSchemeMode": "DARK"}}}
    again = cli.run("create-managed-login-branding", "--user-pool-id", pool["Id"], "--client-id", pool["ClientId"])
    assert again.returncode != 0 and "(ManagedLoginBrandingExistsException)" in again.stderr
    cli.ok("delete-managed-login-branding", "--user-pool-id", pool["Id"], "--managed-login-branding-id", branding_id)


def test_bad_input_gets_aws_errors(cli: Cli, pool: dict[str, Any]) -> None:
    bad_css = cli.run("set-ui-customization", "--user-pool-id", pool["Id"], "--css", "body { color: red; }")
    assert bad_css.returncode != 0 and "(InvalidParameterException)" in bad_css.stderr
    bad_name = cli.run("create-terms", "--user-pool-id", pool["Id"], "--client-id", pool["ClientId"], "--terms-name",
                       "cookies", "--terms-source", "LINK", "--enforcement", "NONE", "--links",
                       "cognito:default=https://example.com")
    assert bad_name.returncode != 0 and "(InvalidParameterException)" in bad_name.stderr
