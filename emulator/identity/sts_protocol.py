"""The STS query protocol on the Cognito port: a form-encoded `Action=...` POST in, AWS's XML out
(`<XxxResponse>` with `<XxxResult>` and `<ResponseMetadata>`, or `<ErrorResponse>`), as the STS API reference
shows them. Only AssumeRoleWithWebIdentity is emulated (identity pools' basic flow); other actions get STS's
InvalidAction, with a reason."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSION = "2011-06-15"
# Error texts. Sources: AccessDenied "Not authorized to perform sts:AssumeRoleWithWebIdentity" and
# InvalidIdentityToken "Incorrect token audience" are quoted raw from the AWS CLI in many threads (e.g. IRSA and
# GitHub OIDC write-ups); ValidationError "The requested DurationSeconds exceeds the MaxSessionDuration set for
# this role." (web_identity.py) likewise (aws-vault issues, Terraform logs). UNCONFIRMED: InvalidAction's text
# (only another emulator, s3proxy, was found answering so); invalid_token and expired_token (the API reference's
# descriptions of the errors, not seen on the wire); the coral-style validation messages. The emulator's own:
# not_emulated, internal.
ERRORS: dict[str, tuple[str, int, str]] = {
    "access_denied": ("AccessDenied", 403, "Not authorized to perform sts:AssumeRoleWithWebIdentity"),
    "invalid_token": ("InvalidIdentityToken", 400, "The web identity token that was passed could not be validated "
                      "by Amazon Web Services. Get a new identity token from the identity provider and then retry "
                      "the request."),
    "wrong_audience": ("InvalidIdentityToken", 400, "Incorrect token audience"),
    "expired_token": ("ExpiredTokenException", 400, "The web identity token that was passed is expired or is not "
                      "valid. Get a new identity token from the identity provider and then retry the request."),
    "validation": ("ValidationError", 400, "{detail}"),
    "invalid_action": ("InvalidAction", 400, "Could not find operation {action} for version 2011-06-15"),
    "not_emulated": ("InvalidParameterValue", 400, "{detail}"),
    "internal": ("InternalFailure", 500, "The request processing has failed because of an unknown error."),
}


class StsError(Exception):
    """An STS refusal: AWS's code, status and message, and the plain-words reason."""

    def __init__(self, key: str, reason: str, **fields: object) -> None:
        code, status, template = ERRORS[key]
        super().__init__(reason)
        self.code, self.status, self.message, self.reason = code, status, template.format(**fields), reason


def is_query_request(content_type: str | None, target: str | None, body: bytes) -> bool:
    """A query-protocol call (form body with Action=), not a JSON one with X-Amz-Target."""
    return not target and (content_type or "").lower().startswith("application/x-www-form-urlencoded") \
        and b"Action=" in body


def form(body: bytes) -> dict[str, str]:
    """The form's fields (the last value of a repeated name); malformed input gives what parses."""
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[-1] for name, values in parsed.items()}


@dataclass(frozen=True)
class Element:
    """An XML element to render: a text leaf, or children in order."""

    name: str
    text: str | None = None
    children: tuple[Element, ...] = ()


def leaves(name: str, values: Mapping[str, str | None]) -> Element:
    """An element whose children are text leaves (None values are left out, as AWS leaves them out)."""
    return Element(name, children=tuple(Element(k, v) for k, v in values.items() if v is not None))


def _render(element: Element) -> str:
    if element.text is not None:
        return f"<{element.name}>{escape(element.text)}</{element.name}>"
    return f"<{element.name}>{''.join(_render(c) for c in element.children)}</{element.name}>"


def response_xml(action: str, result: tuple[Element, ...], request_id: str) -> str:
    body = "".join(_render(c) for c in result)
    return (f'<{action}Response xmlns="{NAMESPACE}">\n  <{action}Result>{body}</{action}Result>\n'
            f"  <ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>\n"
            f"</{action}Response>\n")


def error_xml(error: StsError, request_id: str) -> str:
    kind = "Sender"  # every emulated refusal is the caller's
    return (f'<ErrorResponse xmlns="{NAMESPACE}">\n  <Error>\n    <Type>{kind}</Type>\n'
            f"    <Code>{escape(error.code)}</Code>\n    <Message>{escape(error.message)}</Message>\n  </Error>\n"
            f"  <RequestId>{escape(request_id)}</RequestId>\n</ErrorResponse>\n")
