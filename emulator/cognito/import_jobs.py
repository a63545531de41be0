"""GetCSVHeader and the user import jobs (Create/Start/Stop/Describe/ListUserImportJobs) with a real CSV
import: CreateUserImportJob hands out a pre-signed URL served by the emulator itself (AWS's is S3), the
file is PUT there, and StartUserImportJob imports its users at once (status RESET_REQUIRED, as AWS imports
users without passwords). Each refused line is logged with its reason in /_emulator/decisions (AWS
writes them to CloudWatch Logs)."""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from emulator.cognito import import_csv, pool_rules
from emulator.cognito.errors import CognitoError, reject
from emulator.cognito.lookup import require_pool
from emulator.cognito.pagination import page
from emulator.cognito.protocol import Call
from emulator.cognito.schema_rules import missing_required
from emulator.cognito.signup import check_name_free
from emulator.cognito.users import check_unique, check_values, check_writable
from emulator.decisions import REASON_HEADER, header_safe
from emulator.model import UserPool
from emulator.runtime import Runtime
from emulator.state import Kind, UserRecord

if TYPE_CHECKING:  # FastAPI is imported when the port's routes are built, not to run an operation
    from fastapi import APIRouter

SHOWN = ("JobName", "JobId", "UserPoolId", "PreSignedUrl", "CreationDate", "StartDate", "CompletionDate", "Status",
         "CloudWatchLogsRoleArn", "ImportedUsers", "SkippedUsers", "FailedUsers", "CompletionMessage")
# The header the developer guide's upload command sends (curl -H "x-amz-server-side-encryption:aws:kms"); the
# URL's signature covers it, so S3 refuses an upload without it.
SSE_HEADER = "x-amz-server-side-encryption"
# UNCONFIRMED: AWS's CompletionMessage texts were not found in public captures.
DONE_MESSAGE = "Import Job Completed Successfully."
STOPPABLE = ("Pending", "InProgress")


def _shown(job: dict[str, Any]) -> dict[str, Any]:
    return {k: job[k] for k in SHOWN if job.get(k) is not None}


def _require(rt: Runtime, pool_id: str, job_id: str) -> dict[str, Any]:
    job = rt.store.get(Kind.IMPORT_JOB, pool_id, job_id)
    if job is None:
        raise reject("import_job_not_found", f"pool {pool_id} has no import job {job_id}", job_id=job_id)
    return job


def get_csv_header(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    return {"UserPoolId": pool.id, "CSVHeader": import_csv.csv_header(pool)}


def create_user_import_job(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool_id = require_pool(rt.store, params["UserPoolId"]).id
    if params.get("PasswordHashingAlgorithm"):
        raise reject("validation", "importing password hashes (PasswordHashingAlgorithm) is not emulated; import "
                     "without it and the users reset their passwords, as AWS imports users without hashes",
                     detail="PasswordHashingAlgorithm is not supported")
    job_id = "import-" + "".join(secrets.choice(pool_rules.ALNUM) for _ in range(10))
    token = secrets.token_urlsafe(24)
    job = {"JobName": params["JobName"], "JobId": job_id, "UserPoolId": pool_id,
           "PreSignedUrl": f"{rt.base_url}/_user-import/{pool_id}/{job_id}?X-Amz-Signature={token}",
           "CreationDate": rt.clock(), "Status": "Created", "CloudWatchLogsRoleArn": params["CloudWatchLogsRoleArn"],
           "ImportedUsers": 0, "SkippedUsers": 0, "FailedUsers": 0, "UploadToken": token}
    rt.store.put(Kind.IMPORT_JOB, pool_id, job_id, job)
    return {"UserImportJob": _shown(job)}


def start_user_import_job(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    job = _require(rt, pool.id, params["JobId"])
    if job["Status"] != "Created":
        raise reject("import_job_wrong_state", f"import job {job['JobId']} is {job['Status']}; only a Created job "
                     "starts (create another job to import again)", job_id=job["JobId"], action="started",
                     status=job["Status"])
    uploaded = rt.store.get(Kind.IMPORT_CSV, pool.id, job["JobId"])
    if uploaded is None:
        raise reject("import_csv_missing", f"nothing was uploaded to import job {job['JobId']}'s PreSignedUrl "
                     f"(PUT the CSV there with the header {SSE_HEADER}: aws:kms)", job_id=job["JobId"])
    job["StartDate"] = rt.clock()
    _run(rt, pool, job, base64.b64decode(uploaded))
    job["CompletionDate"] = rt.clock()
    rt.store.put(Kind.IMPORT_JOB, pool.id, job["JobId"], job)
    return {"UserImportJob": _shown(job)}


def _run(rt: Runtime, pool: UserPool, job: dict[str, Any], data: bytes) -> None:
    """Import the file's users into the pool; count and log what was refused."""
    parsed = import_csv.parse(data, import_csv.csv_header(pool))
    component = f"cognito-idp import job {job['JobId']}"
    if parsed.problem:
        job.update(Status="Failed", CompletionMessage=f"The CSV file is invalid: {parsed.problem}")
        rt.decisions.reject(component, "Failed", parsed.problem)
        return
    for line, why in parsed.refused:
        rt.decisions.reject(component, f"line {line} not imported", why)
    imported = 0
    for row in parsed.rows:
        try:
            _import(rt, pool, row)
            imported += 1
        except CognitoError as error:
            parsed.refused.append((row.line, error.reason))
            rt.decisions.reject(component, f"line {row.line} not imported: {error.type}: {error.message}",
                                error.reason)
    job.update(Status="Succeeded", ImportedUsers=imported, FailedUsers=len(parsed.refused),
               CompletionMessage=DONE_MESSAGE)


def _import(rt: Runtime, pool: UserPool, row: import_csv.ImportRow) -> None:
    attributes = dict(row.attributes)
    check_writable(pool, attributes, admin=True, creating=True)
    check_values(attributes)
    missing = missing_required(pool, attributes)
    if missing is not None:
        raise missing
    check_name_free(rt, pool, row.username, attributes, taken_key="admin_username_exists")
    now = rt.clock()
    sub = str(uuid.uuid4())
    user = UserRecord(pool_id=pool.id, username=row.username, sub=sub, attributes={"sub": sub, **attributes},
                      status="RESET_REQUIRED", created=now, modified=now)
    if row.mfa_enabled:
        user.mfa["sms_enabled"] = True
    check_unique(rt, pool, user, {}, force_alias=False)
    rt.store.put_user(pool, user)


def stop_user_import_job(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    """Stops a running job. The emulator's imports finish within StartUserImportJob, so no job is ever
    running when a stop arrives: AWS's refusal for a job that is not Pending or InProgress."""
    pool = require_pool(rt.store, params["UserPoolId"])
    job = _require(rt, pool.id, params["JobId"])
    if job["Status"] not in STOPPABLE:
        raise reject("import_job_wrong_state", f"import job {job['JobId']} is {job['Status']}; only a Pending or "
                     "InProgress job stops (the emulator finishes imports within StartUserImportJob)",
                     job_id=job["JobId"], action="stopped", status=job["Status"])
    job.update(Status="Stopped", CompletionDate=rt.clock())
    rt.store.put(Kind.IMPORT_JOB, pool.id, job["JobId"], job)
    return {"UserImportJob": _shown(job)}


def describe_user_import_job(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    return {"UserImportJob": _shown(_require(rt, pool.id, params["JobId"]))}


def list_user_import_jobs(rt: Runtime, params: dict, call: Call) -> dict[str, Any]:
    pool = require_pool(rt.store, params["UserPoolId"])
    items = [(f"{job['CreationDate']:020.6f}{key}", _shown(job)) for _, key, job in rt.store.items(Kind.IMPORT_JOB,
                                                                                                   pool.id)]
    items_page, token = page(items, params.get("PaginationToken"), params["MaxResults"], f"import-jobs:{pool.id}")
    return {"UserImportJobs": items_page, **({"PaginationToken": token} if token else {})}


def _s3_error(rt: Runtime, status: int, code: str, message: str, reason: str) -> Response:
    rt.decisions.reject("user import upload", f"{status} {code}", reason)
    body = f"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(body, status_code=status, media_type="application/xml",
                    headers={REASON_HEADER: header_safe(reason)})


def accept_upload(rt: Runtime, pool_id: str, job_id: str, token: str, encryption: str | None,
                  data: bytes) -> Response:
    """Keep an uploaded CSV for its job, or S3's refusal with the reason."""
    job = rt.store.get(Kind.IMPORT_JOB, pool_id, job_id)
    if job is None or not hmac.compare_digest(token.encode(), job["UploadToken"].encode()):
        return _s3_error(rt, 403, "AccessDenied", "Access Denied",
                         f"no import job {job_id} in pool {pool_id} with this URL's X-Amz-Signature")
    if encryption != "aws:kms":
        return _s3_error(rt, 403, "SignatureDoesNotMatch",
                         "The request signature we calculated does not match the signature you provided. "
                         "Check your key and signing method.",
                         f"the pre-signed URL is signed with the header {SSE_HEADER}: aws:kms; send it "
                         "(curl -T file.csv -H 'x-amz-server-side-encryption:aws:kms' '<PreSignedUrl>')")
    if job["Status"] != "Created":
        return _s3_error(rt, 403, "AccessDenied", "Access Denied",
                         f"import job {job_id} is {job['Status']}; its URL takes a file only before it starts")
    rt.store.put(Kind.IMPORT_CSV, pool_id, job_id, base64.b64encode(data).decode())
    return Response(status_code=200, headers={"ETag": f"\"{secrets.token_hex(16)}\""})


def build_router(rt: Runtime) -> APIRouter:
    """The pre-signed upload URL: PUT the CSV with the token CreateUserImportJob put in the URL."""
    from fastapi import APIRouter

    router = APIRouter()

    @router.put("/_user-import/{pool_id}/{job_id}")
    async def upload(pool_id: str, job_id: str, request: Request) -> Response:
        data = await request.body()
        # The store's lock may be held by an operation: wait for it in the thread pool, not on the event loop.
        return await run_in_threadpool(accept_upload, rt, pool_id, job_id, request.query_params.get(
            "X-Amz-Signature", ""), request.headers.get(SSE_HEADER), data)

    return router


OPERATIONS = {
    "GetCSVHeader": get_csv_header,
    "CreateUserImportJob": create_user_import_job,
    "StartUserImportJob": start_user_import_job,
    "StopUserImportJob": stop_user_import_job,
    "DescribeUserImportJob": describe_user_import_job,
    "ListUserImportJobs": list_user_import_jobs,
}
