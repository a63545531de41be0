"""Route keys and route selection, as pure functions.

HTTP API selection (AWS "Working with routes for HTTP APIs"): the most specific path wins
(a literal segment beats `{param}`, which beats a greedy `{proxy+}`), an exact method beats
`ANY`, and `$default` catches whatever nothing else matched. REST APIs resolve the same way
over their resource tree once the `/{stage}` prefix is removed.

Choices where AWS documents nothing (UNCONFIRMED, kept here): a trailing slash is ignored
(`/pets/` is `/pets`); among candidates, path specificity is compared segment by segment from
the left before the method (so `GET /pets/{id}` loses to `ANY /pets/dog` for `GET /pets/dog`);
a route whose method does not fit is skipped, so the next most specific one may serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

DEFAULT_ROUTE = "$default"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
_PARAM = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")

# Segment kinds, ordered from most to least specific (lower sorts first).
LITERAL, PARAM, GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Segment:
    kind: int
    text: str  # the literal text, or the parameter name


class Routable(Protocol):
    """What matching needs from a configured route (config.RouteConfig satisfies it)."""

    @property
    def method(self) -> str: ...  # "GET" ... "ANY", or "$default"

    @property
    def segments(self) -> tuple[Segment, ...]: ...  # empty for "$default" and for "/"


@dataclass(frozen=True)
class RouteMatch:
    route: Routable
    path_parameters: dict[str, str]


def parse_route_key(route_key: str) -> tuple[str, str | None, tuple[Segment, ...]]:
    """"GET /pets/{id}" -> ("GET", "/pets/{id}", segments); "$default" -> ("$default", None, ()).

    Raises ValueError with a plain reason when the key is not one AWS would accept.
    """
    if route_key == DEFAULT_ROUTE:
        return DEFAULT_ROUTE, None, ()
    method, sep, path = route_key.partition(" ")
    if not sep or not path:
        raise ValueError(f"{route_key!r} is not '$default' or '<METHOD> <path>', e.g. 'GET /pets/{{id}}'")
    if method not in METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    return method, path, parse_path(path)


def parse_path(path: str) -> tuple[Segment, ...]:
    """Validate a route path and split it into segments."""
    if not path.startswith("/"):
        raise ValueError(f"path {path!r} must start with '/'")
    if " " in path:
        raise ValueError(f"path {path!r} contains a space")
    if path == "/":
        return ()
    parts = path[1:].rstrip("/").split("/")
    segments: list[Segment] = []
    names: set[str] = set()
    for i, part in enumerate(parts):
        if part == "":
            raise ValueError(f"path {path!r} has an empty segment ('//')")
        param = _PARAM.match(part)
        if param is None:
            if "{" in part or "}" in part:
                raise ValueError(f"segment {part!r} of {path!r}: a path variable must be a whole segment, "
                                 "like {id} or {proxy+}")
            segments.append(Segment(LITERAL, part))
            continue
        name, greedy = param.group(1), bool(param.group(2))
        if name in names:
            raise ValueError(f"path {path!r} uses the variable {{{name}}} twice")
        names.add(name)
        if greedy and i != len(parts) - 1:
            raise ValueError(f"greedy variable {{{name}+}} must be the last segment of {path!r}")
        segments.append(Segment(GREEDY if greedy else PARAM, name))
    return tuple(segments)


def shape(segments: Iterable[Segment]) -> str:
    """A path with variable names erased, so '/pets/{id}' and '/pets/{petId}' compare equal."""
    marks = {PARAM: "{}", GREEDY: "{+}"}
    return "/" + "/".join(s.text if s.kind == LITERAL else marks[s.kind] for s in segments)


def split_request_path(path: str) -> list[str]:
    """Raw (percent-encoded) request path -> raw segments; a trailing slash is ignored."""
    trimmed = path.strip("/")
    return trimmed.split("/") if trimmed else []


def strip_stage(path: str, stage: str) -> str | None:
    """REST URLs are /{stage}/resource; return '/resource', or None if the stage is not first."""
    prefix = "/" + stage
    if path == prefix or path == prefix + "/":
        return "/"
    if path.startswith(prefix + "/"):
        return path[len(prefix):]
    return None


def _match_segments(segments: Sequence[Segment], parts: Sequence[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for i, segment in enumerate(segments):
        if segment.kind == GREEDY:
            rest = parts[i:]
            if not rest:  # {proxy+} needs at least one segment; '/' needs its own route
                return None
            params[segment.text] = unquote("/".join(rest))
            return params
        if i >= len(parts):
            return None
        if segment.kind == LITERAL:
            if unquote(parts[i]) != segment.text:
                return None
        else:
            if parts[i] == "":
                return None
            params[segment.text] = unquote(parts[i])
    return params if len(segments) == len(parts) else None


def _rank(route: Routable) -> tuple:
    """Sort key: most specific path first (segment kinds compared from the left), then exact method."""
    return (tuple(s.kind for s in route.segments), route.method == "ANY")


def match_route(routes: Iterable[Routable], method: str, path: str) -> RouteMatch | None:
    """Pick the route for `method` and the raw request `path` (REST: already without the stage)."""
    parts = split_request_path(path)
    candidates: list[tuple[tuple, Routable, dict[str, str]]] = []
    default: Routable | None = None
    for route in routes:
        if route.method == DEFAULT_ROUTE:
            default = route
            continue
        # ANY stands for API Gateway's seven methods; CONNECT, TRACE and the like match no route.
        if route.method != method and not (route.method == "ANY" and method in METHODS):
            continue
        params = _match_segments(route.segments, parts)
        if params is not None:
            candidates.append((_rank(route), route, params))
    if candidates:
        candidates.sort(key=lambda c: c[0])
        _, route, params = candidates[0]
        return RouteMatch(route, params)
    if default is not None:
        return RouteMatch(default, {})
    return None
