"""IncomingRequest.header reads a table built once per request: every value of a name comma-joined, any case."""

from __future__ import annotations

import pytest

from emulator.gateway.request import IncomingRequest, header_list, header_value


def incoming(pairs: list[tuple[str, str]]) -> IncomingRequest:
    return IncomingRequest("GET", "/", "", header_list(pairs), "127.0.0.1", "h", "id", "id", 0)


@pytest.mark.parametrize(("pairs", "name", "value"), [
    ([("X-A", "1")], "x-a", "1"),
    ([("x-a", "1")], "X-A", "1"),
    ([("x-a", "1"), ("x-b", "2"), ("x-a", "3")], "x-a", "1,3"),
    ([("x-a", "")], "x-a", ""),
    ([("x-a", "1")], "x-b", None),
])
def test_header_matches_header_value(pairs: list[tuple[str, str]], name: str, value: str | None) -> None:
    request = incoming(pairs)
    assert request.header(name) == value == header_value(request.headers, name)
