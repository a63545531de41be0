"""User import as the developer guide does it: GetCSVHeader, CreateUserImportJob, the CSV PUT to the
pre-signed URL (served by the emulator), StartUserImportJob, DescribeUserImportJob, ListUserImportJobs;
imported users must reset their password. boto3 and the AWS CLI, with curl's upload as httpx sends it."""

from __future__ import annotations

import csv
import io
import shutil
from typing import Any

import httpx
import pytest

from emulator.cognito.import_csv import csv_header, parse
from emulator.server import EmulatorServer
from tests.conftest import refused
from tests.test_aws_cli_management import Cli

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::123456789012:role/CognitoImport"
SSE = {"x-amz-server-side-encryption": "aws:kms"}


def csv_file(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in header})
    return out.getvalue().encode()


@pytest.fixture(scope="module")
def pool_id(idp: Any) -> str:
    return idp.create_user_pool(PoolName="importing", Schema=[
        {"Name": "tier", "AttributeDataType": "String", "Mutable": True}])["UserPool"]["Id"]


def test_csv_header_lists_standard_custom_then_cognito_columns(idp: Any, pool_id: str) -> None:
    header = idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    assert header[:3] == ["name", "given_name", "family_name"]
    assert header[-3:] == ["custom:tier", "cognito:mfa_enabled", "cognito:username"]


def test_import_end_to_end(idp: Any, pool_id: str) -> None:
    header = idp.get_csv_header(UserPoolId=pool_id)["CSVHeader"]
    job = idp.create_user_import_job(JobName="first", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    assert job["Status"] == "Created" and job["PreSignedUrl"].startswith("http://127.0.0.1")
    data = csv_file(header, [
        {"cognito:username": "imported-ann", "email": "ann@example.com", "email_verified": "TRUE",
         "custom:tier": "gold", "cognito:mfa_enabled": "false"},
        {"cognito:username": "imported-bob", "email": "not-an-email", "cognito:mfa_enabled": "false"},
        {"cognito:username": "", "email": "nobody@example.com"},
    ])
    assert httpx.put(job["PreSignedUrl"], content=data, headers=SSE).status_code == 200
    started = idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert started["Status"] == "Succeeded"
    described = idp.describe_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert (described["ImportedUsers"], described["FailedUsers"]) == (1, 2)
    ann = idp.admin_get_user(UserPoolId=pool_id, Username="imported-ann")
    assert ann["UserStatus"] == "RESET_REQUIRED"
    assert {"Name": "custom:tier", "Value": "gold"} in ann["UserAttributes"]
    assert {"Name": "email_verified", "Value": "true"} in ann["UserAttributes"]
    listed = idp.list_user_import_jobs(UserPoolId=pool_id, MaxResults=10)["UserImportJobs"]
    assert job["JobId"] in [j["JobId"] for j in listed]


def test_upload_needs_the_url_token_and_the_encryption_header(idp: Any, pool_id: str) -> None:
    job = idp.create_user_import_job(JobName="guarded", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    no_sse = httpx.put(job["PreSignedUrl"], content=b"x")
    assert no_sse.status_code == 403 and b"SignatureDoesNotMatch" in no_sse.content
    assert "x-amz-server-side-encryption" in no_sse.headers["x-emulator-reason"]
    forged = httpx.put(job["PreSignedUrl"].split("?")[0] + "?X-Amz-Signature=forged", content=b"x", headers=SSE)
    assert forged.status_code == 403 and b"AccessDenied" in forged.content


def test_start_without_a_file_and_stop_a_finished_job(idp: Any, pool_id: str) -> None:
    job = idp.create_user_import_job(JobName="empty", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    code, _, reason = refused(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert code == "PreconditionNotMetException" and "PreSignedUrl" in reason
    code, _, reason = refused(lambda: idp.stop_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert code == "PreconditionNotMetException" and "Created" in reason
    code, _, _ = refused(lambda: idp.describe_user_import_job(UserPoolId=pool_id, JobId="import-nosuch0000"))
    assert code == "ResourceNotFoundException"


def test_a_file_with_a_wrong_header_fails_the_job(idp: Any, pool_id: str) -> None:
    job = idp.create_user_import_job(JobName="bad", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE)["UserImportJob"]
    httpx.put(job["PreSignedUrl"], content=b"username,email\nx,x@example.com\n", headers=SSE)
    done = idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"])["UserImportJob"]
    assert done["Status"] == "Failed" and "header" in done["CompletionMessage"]
    code, _, _ = refused(lambda: idp.start_user_import_job(UserPoolId=pool_id, JobId=job["JobId"]))
    assert code == "PreconditionNotMetException"


def test_password_hashes_are_refused_loudly(idp: Any, pool_id: str) -> None:
    code, _, reason = refused(lambda: idp.create_user_import_job(
        JobName="hashes", UserPoolId=pool_id, CloudWatchLogsRoleArn=ROLE, PasswordHashingAlgorithm="BCRYPT"))
    assert code == "InvalidParameterException" and "not emulated" in reason


def test_parse_table() -> None:
    from emulator.model import UserPool

    header = csv_header(UserPool(id="us-east-1_X", name="x", region="us-east-1"))
    good = csv_file(header, [{"cognito:username": "a", "cognito:mfa_enabled": "true", "phone_number": "+15555550100"}])
    parsed = parse(good, header)
    assert parsed.problem is None and parsed.rows[0].mfa_enabled and parsed.rows[0].username == "a"
    assert parse(csv_file(header, [{"cognito:username": "a", "cognito:mfa_enabled": "true"}]), header).refused
    assert parse(b"", header).problem and parse(b"\xff\xfe", header).problem
    assert "not readable CSV" in (parse(",".join(header).encode() + b"\n" + b"x" * 140_000, header).problem or "")


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_import_with_the_aws_cli(server: EmulatorServer, pool_id: str, tmp_path_factory: pytest.TempPathFactory,
                                 idp: Any) -> None:
    cli = Cli(server.url, tmp_path_factory.mktemp("aws-home"))
    header = cli.ok("get-csv-header", "--user-pool-id", pool_id)["CSVHeader"]
    job = cli.ok("create-user-import-job", "--job-name", "cli", "--user-pool-id", pool_id,
                 "--cloud-watch-logs-role-arn", ROLE)["UserImportJob"]
    httpx.put(job["PreSignedUrl"], headers=SSE, content=csv_file(header, [
        {"cognito:username": "cli-carol", "email": "carol@example.com", "cognito:mfa_enabled": "false"}]))
    assert cli.ok("start-user-import-job", "--user-pool-id", pool_id, "--job-id", job["JobId"])[
        "UserImportJob"]["Status"] == "Succeeded"
    assert cli.ok("describe-user-import-job", "--user-pool-id", pool_id, "--job-id", job["JobId"])[
        "UserImportJob"]["ImportedUsers"] == 1
    assert any(j["JobId"] == job["JobId"] for j in cli.ok("list-user-import-jobs", "--user-pool-id", pool_id,
                                                          "--max-results", "60")["UserImportJobs"])
    code, message, _ = refused(lambda: idp.initiate_auth(
        ClientId=idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": "cli-carol", "PASSWORD": "Whatever-1"}))
    assert (code, message) == ("PasswordResetRequiredException", "Password reset required for the user")
