"""HTTP/1.1 under every port (httptools/llhttp, emulator/http_protocol.py): hostile raw requests sent over a
socket to the Cognito port and to a gateway port. What cannot be read is refused in the port's shape with a
reason and the connection closed; what can be read is answered by the app and the connection stays usable.
Never a 5xx, a hang, or a request smuggled past the parser."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from emulator.http_protocol import HEADERS_LIMIT, head_refusal
from emulator.server import EmulatorServer
from emulator.testing import free_port, running_emulator
from tests.conftest import bundled_config

pytestmark = pytest.mark.e2e

GET = b"GET /open HTTP/1.1\r\nHost: x\r\n\r\n"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The gateway route's Lambda: answers every request it is given."""
    return {"statusCode": 200, "body": '{"ok":true}'}


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    config = bundled_config()
    config["Apis"] = [{"Name": "raw", "ProtocolType": "HTTP", "Port": free_port(),
                       "Routes": [{"RouteKey": "ANY /{proxy+}", "Target": "python:tests.test_http_protocol:handler"}]}]
    with running_emulator(config) as emu:
        yield emu


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The whole responses in `data` (status, lower-cased headers, body), framed by Content-Length."""
    found = []
    while b"\r\n\r\n" in data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        if len(rest) < length:
            break
        found.append((int(lines[0].split()[1]), headers, rest[:length]))
        data = rest[length:]
    return found


def exchange(port: int, data: bytes, expect: int, pieces: int = 1) -> tuple[list, bool]:
    """Send `data` (in `pieces` parts) and read `expect` responses, or until the server closes: (responses,
    whether the server closed the connection)."""
    received, closed = b"", False
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        step = -(-len(data) // pieces)
        try:
            for start in range(0, len(data), step):
                sock.sendall(data[start:start + step])
                if pieces > 1:
                    time.sleep(0.002)
        except OSError:
            pass  # the server refused and closed while the rest was on its way
        try:
            while len(_responses(received)) < expect or expect == 0:
                chunk = sock.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except (ConnectionResetError, BrokenPipeError):
            closed = True
        if not closed and expect:
            sock.settimeout(0.2)
            try:
                closed = sock.recv(1) == b""
            except TimeoutError:
                closed = False
            except OSError:
                closed = True
    return [r for r in _responses(received) if r[0] != 100], closed


BIG = b"a" * (HEADERS_LIMIT + 1000)
# name, bytes sent (the gateway route's path; "/open" becomes "/" on the Cognito port), what each response is
# (A: the app's answer, R: refused as unreadable), and whether the connection is closed after them.
CASES: list[tuple[str, bytes, str, bool]] = [
    ("a plain request and a second one", GET + GET, "AA", False),
    ("headers just under the limit", b"GET /open HTTP/1.1\r\nHost: x\r\nX-Big: "
     + b"a" * (HEADERS_LIMIT - 200) + b"\r\n\r\n" + GET, "AA", False),
    ("no HTTP at all", b"GARBAGE\r\n\r\n", "R", True),
    ("a method llhttp does not know", b"FROBNICATE /open HTTP/1.1\r\nHost: x\r\n\r\n" + GET, "AA", False),
    ("a method that is no token", b"G(T /open HTTP/1.1\r\nHost: x\r\n\r\n", "R", True),
    ("an invalid chunk size", b"POST /open HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n"
     b"0\r\n\r\n", "R", True),
    ("smuggling: Content-Length and Transfer-Encoding", b"POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + GET, "R", True),
    ("two equal Content-Lengths", b"POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
     "R", True),
    ("two different Content-Lengths", b"POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
     b"Content-Length: 3\r\n\r\n{}x", "R", True),
    ("an absurd Content-Length", b"POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
     "R", True),
    ("a negative Content-Length", b"POST /open HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", "R", True),
    ("Transfer-Encoding gzip", b"POST /open HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}", "R", True),
    ("Transfer-Encoding gzip, chunked", b"POST /open HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
     b"0\r\n\r\n", "R", True),
    ("bare LF line ends", b"GET /open HTTP/1.1\nHost: x\n\n", "R", True),
    ("a folded header line", b"GET /open HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", "R", True),
    ("NUL in a header value", b"GET /open HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n", "R", True),
    ("HTTP/1.1 without Host", b"GET /open HTTP/1.1\r\n\r\n", "R", True),
    ("two Host headers", b"GET /open HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "R", True),
    ("HTTP/1.0 without Host", b"GET /open HTTP/1.0\r\n\r\n", "A", True),
    ("HTTP/0.9", b"GET /open\r\n\r\n", "R", True),
    ("HTTP/2 prior knowledge", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "R", True),
    ("a chunked body", b"POST /open HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
     + GET, "AA", False),
    ("three pipelined requests", GET + GET + GET, "AAA", False),
    ("a pipelined request, then garbage", GET + b"GARBAGE\r\n\r\n", "AR", True),
    ("Upgrade: h2c, then a request", b"GET /open HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\n"
     b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n" + GET, "AA", False),
    ("Upgrade: websocket, then a request", b"GET /open HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
     b"Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
     + GET, "AA", False),
    ("an Upgrade request with a body (curl --http2)", b"POST /open HTTP/1.1\r\nHost: x\r\n"
     b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
     b"Content-Length: 2\r\n\r\n{}" + GET, "AA", False),
    ("an Upgrade request with a chunked body", b"POST /open HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
     b"Upgrade: h2c\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", "R", True),
]


def assert_refused(port: str, response: tuple[int, dict[str, str], bytes], what: str) -> None:
    status, headers, body = response
    assert status == 400, what
    assert headers["x-emulator-reason"].startswith("the HTTP request could not be read: "), what
    if port == "cognito":
        assert headers["content-type"] == "application/x-amz-json-1.1", what
        assert headers["x-amzn-errortype"] == "SerializationException:" and headers["x-amzn-requestid"], what
        assert json.loads(body) == {"__type": "SerializationException", "message": "Malformed HTTP request"}, what
    else:
        assert headers["content-type"] == "text/plain; charset=utf-8", what
        assert body == b"Invalid HTTP request received.", what


def assert_answered(port: str, response: tuple[int, dict[str, str], bytes], what: str) -> None:
    status, headers, body = response
    if port == "cognito":  # GET / is the API's own refusal: the request was read and reached the app
        assert status == 400 and json.loads(body)["__type"] == "UnknownOperationException", what
    else:  # the route's Lambda, or the gateway's own 404 for a method no route takes
        assert (status, json.loads(body)) in [(200, {"ok": True}), (404, {"message": "Not Found"})], what


@pytest.mark.parametrize("port", ["cognito", "gateway"])
@pytest.mark.parametrize(("name", "data", "outcomes", "closes"), CASES, ids=[case[0] for case in CASES])
def test_hostile_raw_requests(server: EmulatorServer, port: str, name: str, data: bytes, outcomes: str,
                              closes: bool) -> None:
    if port == "cognito":
        target, data = _port(server.url), data.replace(b"/open", b"/")
    else:
        target = _port(server.api_url("raw"))
    responses, closed = exchange(target, data, expect=len(outcomes))
    assert "".join("R" if r[1].get("x-emulator-reason", "").startswith("the HTTP request could not be read")
                   else "A" for r in responses) == outcomes, f"{name}: {[r[:2] for r in responses]}"
    for outcome, response in zip(outcomes, responses, strict=True):
        (assert_refused if outcome == "R" else assert_answered)(port, response, name)
    assert closed is closes, name


# Headers still arriving once more than the limit is held are refused without waiting for their end (h11's rule,
# which the ports had): one header, many headers, a URL. Whole in one read, h11 read longer ones and so does the
# port (test_hostile_inputs sends a 100 KB X-Amz-Target).
PAST_THE_LIMIT = {
    "one header": b"GET /open HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (HEADERS_LIMIT + 300),
    "many headers": b"GET /open HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%05d: v\r\n" % i
                                                                 for i in range(HEADERS_LIMIT // 10)),
    "the URL": b"GET /open?" + b"q" * (HEADERS_LIMIT + 300),
    "just under, then the end": b"GET /open HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * (HEADERS_LIMIT - 300)
                                + b"\r\n\r\n",
}


@pytest.mark.parametrize("port", ["cognito", "gateway"])
@pytest.mark.parametrize("what", list(PAST_THE_LIMIT))
def test_headers_arriving_in_pieces_are_bounded_alike(server: EmulatorServer, port: str, what: str) -> None:
    target = _port(server.url) if port == "cognito" else _port(server.api_url("raw"))
    data = PAST_THE_LIMIT[what] if port == "gateway" else PAST_THE_LIMIT[what].replace(b"/open", b"/")
    responses, closed = exchange(target, data, expect=1, pieces=40)
    assert len(responses) == 1
    outcome = "A" if what.startswith("just under") else "R"
    (assert_refused if outcome == "R" else assert_answered)(port, responses[0], what)
    assert closed is (outcome == "R")
    if outcome == "R":
        assert responses[0][1]["x-emulator-reason"].endswith(f"the request line and headers pass {HEADERS_LIMIT} "
                                                             "bytes")


def test_an_upgrade_requests_body_is_read_however_it_arrives(server: EmulatorServer) -> None:
    # curl --http2 on http:// sends Upgrade: h2c with the body; llhttp stops at the headers, the port reads on.
    body = json.dumps({"ClientId": "nosuchclient", "AuthFlow": "USER_PASSWORD_AUTH",
                       "AuthParameters": {"USERNAME": "a", "PASSWORD": "b"}}).encode()
    head = (b"POST / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"
            b"X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\n"
            b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: %d\r\n\r\n" % len(body))
    for pieces in (1, 7):
        responses, closed = exchange(_port(server.url), head + body + GET.replace(b"/open", b"/"), expect=2,
                                     pieces=pieces)
        assert [json.loads(r[2])["__type"] for r in responses] == ["ResourceNotFoundException",
                                                                  "UnknownOperationException"], pieces
        assert not closed


def test_a_refusal_is_recorded_with_its_reason(server: EmulatorServer) -> None:
    exchange(_port(server.url), b"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", expect=1)
    exchange(_port(server.api_url("raw")), b"GET /open HTTP/1.1\r\n\r\n", expect=1)
    recent = server.runtime.decisions.recent(limit=10)
    assert any(d["component"] == "cognito port" and "2 Host headers" in d["reason"]
               and d["error"] == "SerializationException: Malformed HTTP request" for d in recent)
    assert any(d["component"] == "gateway raw" and "without a Host header" in d["reason"] for d in recent)


@pytest.mark.parametrize(("version", "hosts", "encodings", "upgrade", "words"), [
    ("1.1", 1, [], False, None),
    ("1.0", 0, [], False, None),
    ("1.1", 1, [b"chunked"], False, None),
    ("1.1", 1, [b"Chunked "], False, None),
    ("1.1", 1, [], True, None),  # an upgrade is answered as a plain request (a Content-Length body is read)
    ("1.1", 0, [], False, "without a Host header"),
    ("1.0", 2, [], False, "2 Host headers"),
    ("0.9", 0, [], False, "HTTP/0.9 is not served"),
    ("2.0", 1, [], False, "HTTP/2.0 is not served"),
    ("1.1", 1, [b"gzip"], False, "'gzip' is not served"),
    ("1.1", 1, [b"gzip, chunked"], False, "'gzip, chunked' is not served"),
    ("1.1", 1, [b"chunked", b"chunked"], False, "'chunked, chunked' is not served"),
    ("1.1", 1, [b"chunked"], True, "an Upgrade request with a chunked body"),
])
def test_head_refusal(version: str, hosts: int, encodings: list[bytes], upgrade: bool, words: str | None) -> None:
    refusal = head_refusal(version, hosts, encodings, upgrade)
    assert (refusal is None) if words is None else (refusal is not None and words in refusal)
