"""Route keys and route selection (pure), driven by tables."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from emulator.gateway.routes import (
    GREEDY,
    LITERAL,
    PARAM,
    Segment,
    match_route,
    parse_route_key,
    shape,
    strip_stage,
)


@dataclass(frozen=True)
class R:
    route_key: str

    @property
    def method(self) -> str:
        return parse_route_key(self.route_key)[0]

    @property
    def segments(self) -> tuple[Segment, ...]:
        return parse_route_key(self.route_key)[2]


ROUTES = [R(k) for k in (
    "GET /pets",
    "GET /pets/dog/1",
    "GET /pets/dog/{id}",
    "GET /pets/{kind}/{id}",
    "ANY /pets/{proxy+}",
    "POST /pets",
    "ANY /things",
    "DELETE /things",
    "GET /",
    "ANY /{proxy+}",
    "$default",
)]

# (method, path, expected route key, expected path parameters)
MATCHES = [
    ("GET", "/pets", "GET /pets", {}),
    ("GET", "/pets/", "GET /pets", {}),  # trailing slash ignored
    ("POST", "/pets", "POST /pets", {}),
    ("PUT", "/pets", "ANY /{proxy+}", {"proxy": "pets"}),
    ("GET", "/pets/dog/1", "GET /pets/dog/1", {}),  # exact beats {id}
    ("GET", "/pets/dog/2", "GET /pets/dog/{id}", {"id": "2"}),  # literal 'dog' beats {kind}
    ("GET", "/pets/cat/2", "GET /pets/{kind}/{id}", {"kind": "cat", "id": "2"}),
    ("GET", "/pets/cat/2/toys", "ANY /pets/{proxy+}", {"proxy": "cat/2/toys"}),
    ("POST", "/pets/dog/1", "ANY /pets/{proxy+}", {"proxy": "dog/1"}),  # method misfit falls through
    ("DELETE", "/things", "DELETE /things", {}),  # exact method beats ANY
    ("PATCH", "/things", "ANY /things", {}),
    ("GET", "/", "GET /", {}),
    ("POST", "/", "$default", {}),  # {proxy+} needs at least one segment
    ("GET", "/a/b/c", "ANY /{proxy+}", {"proxy": "a/b/c"}),
    ("GET", "/pets/a%20b/x", "GET /pets/{kind}/{id}", {"kind": "a b", "id": "x"}),  # values decoded
    ("GET", "/pets/dog%2F1", "ANY /pets/{proxy+}", {"proxy": "dog/1"}),
]


@pytest.mark.parametrize(("method", "path", "expected", "params"), MATCHES)
def test_http_priority(method: str, path: str, expected: str, params: dict) -> None:
    match = match_route(ROUTES, method, path)
    assert match is not None
    assert match.route.route_key == expected
    assert match.path_parameters == params


@pytest.mark.parametrize(("routes", "method", "path"), [
    (["GET /pets"], "POST", "/pets"),
    (["GET /pets"], "GET", "/pets/1"),
    (["GET /pets/{id}"], "GET", "/pets"),
    (["ANY /{proxy+}"], "GET", "/"),
    ([], "GET", "/"),
    (["GET /pets/{id}"], "GET", "/pets//"),
])
def test_no_match(routes: list[str], method: str, path: str) -> None:
    assert match_route([R(k) for k in routes], method, path) is None


def test_default_only_when_nothing_else() -> None:
    routes = [R("$default"), R("GET /a")]
    assert match_route(routes, "GET", "/a").route.route_key == "GET /a"
    assert match_route(routes, "GET", "/b").route.route_key == "$default"


@pytest.mark.parametrize(("key", "method", "path", "segments"), [
    ("$default", "$default", None, ()),
    ("GET /", "GET", "/", ()),
    ("ANY /{proxy+}", "ANY", "/{proxy+}", (Segment(GREEDY, "proxy"),)),
    ("GET /pets/{id}", "GET", "/pets/{id}", (Segment(LITERAL, "pets"), Segment(PARAM, "id"))),
    ("DELETE /a/b.json", "DELETE", "/a/b.json", (Segment(LITERAL, "a"), Segment(LITERAL, "b.json"))),
])
def test_parse_route_key(key: str, method: str, path: str | None, segments: tuple) -> None:
    assert parse_route_key(key) == (method, path, segments)


@pytest.mark.parametrize(("key", "reason"), [
    ("GET", "is not '$default' or '<METHOD> <path>'"),
    ("get /pets", "method 'get' is not one of"),
    ("FETCH /pets", "method 'FETCH' is not one of"),
    ("GET pets", "must start with '/'"),
    ("GET /pets//x", "empty segment"),
    ("GET /{proxy+}/x", "must be the last segment"),
    ("GET /pets/{id}.json", "must be a whole segment"),
    ("GET /a/{id}/{id}", "uses the variable {id} twice"),
    ("GET /a b", "contains a space"),
    ("$DEFAULT", "is not '$default'"),
])
def test_bad_route_keys(key: str, reason: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse_route_key(key)
    assert reason in str(info.value)


@pytest.mark.parametrize(("path", "stage", "expected"), [
    ("/dev/pets", "dev", "/pets"),
    ("/dev", "dev", "/"),
    ("/dev/", "dev", "/"),
    ("/prod/pets", "dev", None),
    ("/development/pets", "dev", None),
    ("/pets", "dev", None),
])
def test_strip_stage(path: str, stage: str, expected: str | None) -> None:
    assert strip_stage(path, stage) == expected


def test_shape_erases_names() -> None:
    assert shape(parse_route_key("GET /a/{x}/{y+}")[2]) == shape(parse_route_key("GET /a/{b}/{c+}")[2])


def test_any_does_not_cover_methods_api_gateway_lacks() -> None:
    route = R("ANY /{proxy+}")
    assert match_route([route], "GET", "/x") is not None
    assert match_route([route], "CONNECT", "/x") is None
    assert match_route([route], "TRACE", "/x") is None
