"""The request as the authorizers see it: plain values, built once per request by app.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers


@dataclass(frozen=True)
class AuthRequest:
    protocol_type: str  # "HTTP" | "REST"
    api_id: str
    stage: str  # "$default" for HTTP APIs, StageName for REST
    method: str
    path: str  # path as the route sees it (REST: without the stage)
    route_key: str  # HTTP: "GET /pets/{id}"; REST: the resource path "/pets/{id}"
    # The request's Starlette Headers (case-insensitive, every value kept); decision tables may
    # pass a plain dict with lower-case names instead.
    headers: Mapping[str, str]
    query: Mapping[str, tuple[str, ...]]
    path_parameters: Mapping[str, str]
    stage_variables: Mapping[str, str]
    source_ip: str
    route_scopes: tuple[str, ...]  # AuthorizationScopes of the route (empty = none)
    # arn:aws:execute-api:<region>:<acct>:<apiId>/<stage>/<METHOD>/<path-without-leading-slash>
    method_arn: str
    request_id: str
    # The requestContext the integration's event carries too (for REQUEST authorizer events); read-only.
    event_context: Mapping[str, Any]


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Every value of header `name` comma-joined, as API Gateway joins repeated headers; None if absent."""
    if isinstance(headers, Headers):
        values = headers.getlist(name)
        return ",".join(values) if values else None
    return headers.get(name.lower())
