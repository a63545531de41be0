"""The HTTP edge of the hosted UI: reading form bodies safely, and answering rejections with AWS's
shape plus the plain-words reason (header and decisions log)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from emulator.decisions import REASON_HEADER, header_safe
from emulator.oauth2.errors import OAuthError, oauth_error
from emulator.runtime import Runtime

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 16 * 1024  # UNCONFIRMED limit; far above any real token request
MAX_FIELDS = 64
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1


async def read_form(request: Request, include_query: bool = True) -> dict[str, str]:
    """The request's form parameters (body, plus the query string as AWS also reads it); OAuthError invalid_request."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_FORM_BYTES):
        raise oauth_error("invalid_request", f"the body is larger than {MAX_FORM_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise oauth_error("invalid_request", f"the body is larger than {MAX_FORM_BYTES} bytes")
    content_type = request.headers.get("content-type", "")
    if body and content_type.split(";", 1)[0].strip().lower() != FORM_TYPE:
        shown = content_type.split(";", 1)[0].strip() or "no Content-Type"
        raise oauth_error("invalid_request", f"the body is sent as {shown[:60]}; it must be {FORM_TYPE}")
    try:
        text = bytes(body).decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        if include_query:
            pairs += parse_qsl(request.url.query, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise oauth_error("invalid_request", "the body is not UTF-8") from None
    except ValueError:
        raise oauth_error("invalid_request", f"the request has more than {MAX_FIELDS} parameters") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise oauth_error("invalid_request", f"parameter {name[:40]!r} is given more than once")
        form[name] = value
    return form


def query_params(request: Request) -> dict[str, str]:
    """The query string, first value of each name (browsers' authorize requests)."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(request.url.query, keep_blank_values=True, max_num_fields=MAX_FIELDS * 2):
        params.setdefault(name, value)
    return params


def reason_headers(reason: str) -> dict[str, str]:
    """The x-emulator-reason header, made safe to send."""
    return {REASON_HEADER: header_safe(reason)}


def oauth_error_response(rt: Runtime, component: str, error: OAuthError) -> Response:
    """AWS's `{"error": ...}` answer, with the reason logged and in x-emulator-reason."""
    rt.decisions.reject(component, f"{error.status} {error.error}", error.reason)
    return JSONResponse(error.body(), status_code=error.status, headers={**NO_STORE, **reason_headers(error.reason)})


def redirect(location: str, headers: Mapping[str, str] | None = None) -> RedirectResponse:
    """A 302 (AWS's hosted UI redirects with 302 Found)."""
    return RedirectResponse(location, status_code=302, headers=dict(headers or {}))


def rejected_redirect(rt: Runtime, component: str, location: str, error: str, reason: str) -> RedirectResponse:
    """A redirect that carries a refusal (error page or the app's redirect_uri), logged with its reason."""
    rt.decisions.reject(component, f"302 error={error}", reason)
    return redirect(location, reason_headers(reason))
