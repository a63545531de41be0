"""STS on the Cognito port (`POST /` with a form body `Action=...`): boto3's `sts` client with `endpoint_url`
reaches it unmodified. Answers in STS's XML; refusals are logged as decisions with their reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.responses import Response

from emulator.decisions import REASON_HEADER, header_safe
from emulator.identity.sts_protocol import StsError, error_xml, form, response_xml
from emulator.identity.web_identity import ACTION, assume_role_with_web_identity

if TYPE_CHECKING:
    from emulator.runtime import Runtime

log = logging.getLogger("cognito_emulator")
XML = "text/xml"


def respond(rt: Runtime, body: bytes, request_id: str) -> Response:
    """One STS call: its result, or STS's error document (never a traceback)."""
    fields = form(body)
    action = fields.get("Action", "")
    headers = {"x-amzn-RequestId": request_id}
    try:
        if action != ACTION:
            raise StsError("invalid_action", f"the emulator's STS implements only {ACTION} (identity pools' basic "
                                             f"flow), not {action[:64]!r}", action=action[:64])
        with rt.store.transaction():
            result = assume_role_with_web_identity(rt, fields)
        return Response(response_xml(ACTION, result, request_id), media_type=XML, headers=headers)
    except StsError as error:
        rt.decisions.reject(f"sts {action[:64] or '(no Action)'}", f"{error.code}: {error.message}", error.reason,
                            request_id=request_id)
        return Response(error_xml(error, request_id), status_code=error.status, media_type=XML,
                        headers={**headers, REASON_HEADER: header_safe(error.reason)})
    except Exception:
        log.exception("internal error in sts %s", action[:64])
        error = StsError("internal", "the emulator failed while handling this STS call; see its log")
        return Response(error_xml(error, request_id), status_code=500, media_type=XML, headers=headers)
