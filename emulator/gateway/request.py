"""A gateway request, built once when it arrives and then only read: by routing, authorizers and events.

`IncomingRequest` is what arrived (headers as Starlette's case-insensitive Headers, the query parsed
once); `RouteInfo` what the matched route adds; `AuthRequest` the plain view an authorizer decides on.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import Headers

from emulator.request_ids import random_bits, random_uuid4

MAX_BODY_BYTES = 10 * 1024 * 1024  # "Payload size 10 MB", HTTP API and REST quotas pages

Query = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class IncomingRequest:
    """What arrived, as every later step reads it; never copied or changed."""

    method: str
    raw_path: str  # percent-encoded as sent; REST: still with the /{stage} prefix
    raw_query: str  # as sent, without '?'
    headers: Headers  # as received (in order, every value), plus what the gateway adds
    source_ip: str
    host: str  # the Host header: what requestContext.domainName reports
    request_id: str
    extended_request_id: str
    time_epoch_ms: int  # from the gateway's clock when the request arrived
    protocol: str = "HTTP/1.1"
    query: Query = field(init=False, repr=False, compare=False)  # raw_query parsed, names in first-seen order
    # Every header's values comma-joined by lower-case name: built once, read by every step.
    joined: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "query", query_multi(self.raw_query))
        joined: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            joined[key] = f"{joined[key]},{value}" if key in joined else value
        object.__setattr__(self, "joined", joined)

    def header(self, name: str) -> str | None:
        """Every value of header `name` comma-joined; None if absent."""
        return self.joined.get(name.lower())


@dataclass(frozen=True)
class RouteInfo:
    """What the matched route adds to the request."""

    protocol_type: str  # "HTTP" | "REST"
    api_id: str
    stage: str  # "$default" for HTTP APIs
    route_key: str  # HTTP: "GET /pets/{id}" or "$default"; REST: "GET /pets/{id}"
    resource_path: str | None  # "/pets/{id}"; None for the HTTP $default route
    path: str  # the request path the route saw (REST: without the stage), percent-encoded
    path_parameters: Mapping[str, str]
    stage_variables: Mapping[str, str]


@dataclass(frozen=True)
class AuthRequest:
    """The request as an authorizer decides on it: plain values, shared with the request, not copied."""

    protocol_type: str  # "HTTP" | "REST"
    api_id: str
    stage: str  # "$default" for HTTP APIs, StageName for REST
    method: str
    path: str  # path as the route sees it (REST: without the stage)
    route_key: str  # HTTP: "GET /pets/{id}"; REST: the resource path "/pets/{id}"
    # The request's Starlette Headers (case-insensitive, every value kept); decision tables may
    # pass a plain dict with lower-case names instead.
    headers: Mapping[str, str]
    query: Query
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


def header_list(pairs: Iterable[tuple[str, str]]) -> Headers:
    """Headers from (name, value) pairs, names lower-cased as every ASGI server delivers them."""
    return Headers(raw=[(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs])


def query_multi(raw_query: str) -> dict[str, tuple[str, ...]]:
    """Every value of every query parameter, blanks kept."""
    out: dict[str, list[str]] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        out.setdefault(name, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


_FORWARDED = (b"x-forwarded-for", b"x-forwarded-port", b"x-forwarded-proto")


def with_gateway_headers(headers: Headers, source_ip: str, port: int, proto: str, trace_id: str) -> Headers:
    """The headers API Gateway adds before the integration sees the request (AWS's example events
    carry X-Forwarded-For/-Port/-Proto and X-Amzn-Trace-Id). One pass over the raw pairs (names lower-case, as
    Starlette's Headers holds them): this runs on every request."""
    raw = headers.raw
    kept = [pair for pair in raw if pair[0] not in _FORWARDED]
    forwarded = [value for name, value in raw if name == b"x-forwarded-for"]
    client = source_ip.encode("latin-1")
    kept.append((b"x-forwarded-for", b",".join(forwarded) + b", " + client if forwarded else client))
    kept.append((b"x-forwarded-port", str(port).encode("latin-1")))
    kept.append((b"x-forwarded-proto", proto.encode("latin-1")))
    if not any(name == b"x-amzn-trace-id" for name, _ in raw):
        kept.append((b"x-amzn-trace-id", trace_id.encode("latin-1")))
    return Headers(raw=kept)


def new_trace_id(epoch_s: float) -> str:
    """An X-Amzn-Trace-Id root for a request that arrived at `epoch_s`."""
    return f"Root=1-{int(epoch_s):08x}-{random_bits(96):024x}"


def new_request_ids(protocol_type: str) -> tuple[str, str]:
    """(requestId, extendedRequestId). HTTP APIs use ids like 'JKJaXmPLvHcESHA=' (both the same);
    REST uses a UUID requestId plus such an extended id (x-amz-apigw-id)."""
    short = base64.b64encode(random_bits(88).to_bytes(11, "big")).decode()
    if protocol_type == "HTTP":
        return short, short
    return str(random_uuid4()), short

