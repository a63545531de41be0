"""The gateway's own HTTP/1.1 client for plain-http backends: the wire decisions as tables, then real sockets
(asyncio servers scripted to misbehave) through proxy_http, which maps failures to API Gateway's answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from emulator.gateway.backend_client import (
    EAGER_BODY,
    HEAD_LIMIT,
    BackendError,
    BackendPool,
    Framing,
    framing,
    parse_head,
    request_head,
    request_target,
)
from emulator.gateway.backends import Backends
from emulator.gateway.integrations import StreamedResponse, limited, proxy_http
from emulator.gateway.responses import GatewayResponse

pytestmark = pytest.mark.e2e  # real sockets

# --- pure decisions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "query", "target"), [
    ("/", "", "/"),
    ("", "", "/"),
    ("/a/b%20c", "x=1&y=%2F", "/a/b%20c?x=1&y=%2F"),
    ("/a b|{c}", "q=a b", "/a%20b|%7Bc%7D?q=a%20b"),
    ("/x", "filter[name]=a|b&e=%zz", "/x?filter[name]=a|b&e=%zz"),
    ("/items/42", "fixed=1&y=2", "/items/42?fixed=1&y=2"),
])
def test_request_target(path: str, query: str, target: str) -> None:
    assert request_target(path, query) == target


def test_request_target_encodes_as_httpx_did() -> None:
    printable = "".join(chr(c) for c in range(32, 127) if chr(c) not in "?#") + "%zz%41é"
    for path, query in [("/" + printable, ""), ("/p", printable), ("/" + printable, printable)]:
        expected = httpx.Request("GET", f"http://h{path}" + (f"?{query}" if query else "")).url.raw_path
        assert request_target(path, query).encode() == expected


@pytest.mark.parametrize(("method", "headers", "has_body", "added"), [
    ("GET", [], False, []),
    ("POST", [], False, ["Content-Length: 0"]),
    ("POST", [("content-length", "3")], True, []),
    ("POST", [], True, ["Transfer-Encoding: chunked"]),
    ("DELETE", [], False, []),
])
def test_request_head(method: str, headers: list, has_body: bool, added: list) -> None:
    head = request_head(method, "/x", "127.0.0.1:9", headers, has_body).decode()
    assert head.endswith("\r\n\r\n")
    lines = head[:-4].split("\r\n")
    assert lines[:2] == [f"{method} /x HTTP/1.1", "Host: 127.0.0.1:9"]
    assert lines[2:] == [f"{k}: {v}" for k, v in headers] + added


def test_parse_head_keeps_order_repeats_and_bytes() -> None:
    head = b"HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nX-Fold: one\r\n two\r\nX-Raw: \xe9\r\n\r\n"
    assert parse_head(head) == (1, 201, [("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-Fold", "one two"),
                                         ("X-Raw", "\xe9")])
    assert parse_head(b"HTTP/1.0 200\r\n\r\n") == (0, 200, [])


@pytest.mark.parametrize("head", [b"garbage\r\n\r\n", b"HTTP/2 200 OK\r\n\r\n", b"HTTP/1.1 20 OK\r\n\r\n",
                                  b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"])
def test_parse_head_refuses_what_is_not_http(head: bytes) -> None:
    with pytest.raises(BackendError, match="RemoteProtocolError"):
        parse_head(head)


@pytest.mark.parametrize(("method", "minor", "status", "headers", "expected"), [
    ("GET", 1, 200, [("Content-Length", "5")], Framing(5, False, True)),
    ("GET", 1, 200, [("Transfer-Encoding", "chunked")], Framing(None, True, True)),
    ("GET", 1, 200, [("Transfer-Encoding", "chunked"), ("Content-Length", "5")], Framing(None, True, True)),
    ("GET", 1, 200, [], Framing(None, False, False)),  # until the backend closes
    ("GET", 1, 200, [("Content-Length", "5"), ("Connection", "close")], Framing(5, False, False)),
    ("GET", 0, 200, [("Content-Length", "5")], Framing(5, False, False)),
    ("HEAD", 1, 200, [("Content-Length", "5")], Framing(0, False, True)),
    ("GET", 1, 204, [], Framing(0, False, True)),
    ("GET", 1, 304, [], Framing(0, False, True)),
])
def test_framing(method: str, minor: int, status: int, headers: list, expected: Framing) -> None:
    assert framing(method, minor, status, headers) == expected


@pytest.mark.parametrize("headers", [[("Content-Length", "5"), ("Content-Length", "6")], [("Content-Length", "x")],
                                     [("Transfer-Encoding", "gzip")]])
def test_framing_refuses_ambiguous_lengths(headers: list) -> None:
    with pytest.raises(BackendError, match="RemoteProtocolError"):
        framing("GET", 1, 200, headers)


# --- real sockets -------------------------------------------------------------------------------------

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """(head, body) of one request: the body by Content-Length, or de-chunked."""
    head = await reader.readuntil(b"\r\n\r\n")
    lower = head.lower()
    if b"content-length:" in lower:
        length = int(lower.split(b"content-length:")[1].split(b"\r\n")[0])
        return head, await reader.readexactly(length)
    body = b""
    if b"transfer-encoding: chunked" in lower:
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    return head, body


def answer(body: bytes, *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%b\r\n%b" % (len(body), b"".join(extra), body)


class Backend:
    """An asyncio server on a free port running `script` per connection; counts connections."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[tuple[bytes, bytes]] = []

    async def __aenter__(self) -> Backend:
        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connections += 1
            try:
                await self.script(reader, writer)
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):  # ends with the test
                pass
            finally:
                writer.close()

        self.server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()


async def collect(result: StreamedResponse | GatewayResponse) -> tuple[int, dict[str, str], bytes]:
    if isinstance(result, GatewayResponse):
        return result.status, {"reason": result.reason or ""}, result.body
    try:
        body = b"".join([chunk async for chunk in result.chunks])
    finally:
        await result.close()
    return result.status, dict(result.headers), body


async def proxied(backends: Backends | BackendPool, url: str, method: str = "GET", timeout: float = 2.0,
                  body: AsyncIterator[bytes] | None = None, headers: list | None = None,
                  protocol: str = "HTTP") -> tuple[int, dict[str, str], bytes]:
    result = await proxy_http(backends, protocol, method, url, headers or [], body, timeout, drop_cors=False)
    return await collect(result)


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(test())


def test_keep_alive_connection_is_reused() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            backend.requests.append(await read_request(reader))
            writer.write(answer(b"hello", b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nDate: x\r\n"))

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            for _ in range(3):
                status, headers, body = await proxied(pool, backend.url + "/p?q=1")
                assert (status, body) == (200, b"hello") and "date" not in headers
            assert backend.connections == 1
            head = backend.requests[0][0].decode()
            assert head.startswith("GET /p?q=1 HTTP/1.1\r\n") and f"Host: {backend.url[7:]}\r\n" in head
        await pool.aclose()

    backend = Backend(script)
    run(test)


def test_chunked_answer_and_chunked_request_body() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            _, body = await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for part in (body, b"-", b"end"):
                writer.write(b"%x;ext=1\r\n%b\r\n" % (len(part), part))
                await writer.drain()
                await asyncio.sleep(0.01)
            writer.write(b"0\r\nX-Trailer: t\r\n\r\n")

    async def body() -> AsyncIterator[bytes]:
        yield b"abc"
        yield b"def"

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            for _ in range(2):
                status, headers, received = await proxied(pool, backend.url, "POST", body=body())
                assert (status, received) == (200, b"abcdef-end")
                assert "transfer-encoding" not in headers  # hop-by-hop: the gateway's server frames it again
            assert backend.connections == 1
        await pool.aclose()

    backend = Backend(script)
    run(test)


@pytest.mark.parametrize("closing", ["header", "silently"])
def test_backend_closing_the_connection_between_requests(closing: str) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"once", b"Connection: close\r\n" if closing == "header" else b""))
        await writer.drain()
        await asyncio.sleep(0.05 if closing == "silently" else 0)  # the pool holds it idle, then it is gone

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            for _ in range(3):
                assert (await proxied(pool, backend.url))[2] == b"once"
                await asyncio.sleep(0.1)
            assert backend.connections == 3
        await pool.aclose()

    backend = Backend(script)
    run(test)


def test_a_reused_connection_closed_under_the_request_is_retried_once_for_idempotent_methods() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"first"))
        await writer.drain()
        await read_request(reader)  # then drops the second request without a word

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            assert (await proxied(pool, backend.url))[2] == b"first"
            assert (await proxied(pool, backend.url))[2] == b"first"  # again, on a fresh connection
            assert backend.connections == 2
            await proxied(pool, backend.url)
            status, headers, body = await proxied(pool, backend.url, "POST")  # not retried
            assert status == 503 and "Server disconnected without sending a response." in headers["reason"]
        await pool.aclose()

    backend = Backend(script)
    run(test)


@pytest.mark.parametrize(("protocol", "status", "body"), [
    ("HTTP", 504, b'{"message":"Gateway Timeout"}'),
    ("REST", 504, b'{"message": "Endpoint request timed out"}'),
])
def test_a_backend_that_never_answers_times_out_as_api_gateway_does(protocol: str, status: int, body: bytes) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def test() -> None:
        backends = Backends()
        async with backend:
            answered = await proxied(backends, backend.url + "/x", timeout=0.2, protocol=protocol)
            assert answered[0] == status and answered[2] == body
            assert answered[1]["reason"].startswith(f"GET {backend.url}/x gave no response within TimeoutInMillis "
                                                    "(200 ms")
        await backends.aclose()

    backend = Backend(script)
    run(test)


@pytest.mark.parametrize(("reply", "reason"), [
    (b"garbage garbage\r\n\r\n", "RemoteProtocolError: the backend's answer is not HTTP/1.x"),
    (b"HTTP/1.1 200 OK\r\nX-Huge: " + b"h" * (HEAD_LIMIT + 10) + b"\r\n\r\n", f"passed {HEAD_LIMIT} bytes"),
    (b"", "RemoteProtocolError: Server disconnected without sending a response."),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", "bad Content-Length 1, 2"),
])
@pytest.mark.parametrize(("protocol", "status", "body"), [
    ("HTTP", 503, b'{"message":"Service Unavailable"}'),
    ("REST", 504, b'{"message": "Network error communicating with endpoint"}'),
])
def test_answers_that_are_not_http_are_api_gateways_integration_failure(
        reply: bytes, reason: str, protocol: str, status: int, body: bytes) -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply)
        await writer.drain()

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            answered = await proxied(pool, backend.url, protocol=protocol)
            assert (answered[0], answered[2]) == (status, body)
            assert answered[1]["reason"].startswith(f"GET {backend.url} failed: ")
            assert reason in answered[1]["reason"]
        await pool.aclose()

    backend = Backend(script)
    run(test)


def test_connection_refused_is_a_connect_error() -> None:
    async def test() -> None:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        status, headers, _ = await proxied(BackendPool(), f"http://127.0.0.1:{port}/")
        assert status == 503 and f"GET http://127.0.0.1:{port}/ failed: ConnectError: " in headers["reason"]

    run(test)


def test_small_body_cut_short_is_an_integration_failure() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
        await writer.drain()

    async def test() -> None:
        async with backend:
            status, headers, _ = await proxied(BackendPool(), backend.url)
            assert status == 503 and "closed the connection inside its answer's body" in headers["reason"]

    backend = Backend(script)
    run(test)


def test_streamed_body_cut_short_fails_the_stream_and_drops_the_connection() -> None:
    size = EAGER_BODY + 10

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (size, b"x" * (size - 5)))
        await writer.drain()

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            result = await proxy_http(pool, "HTTP", "GET", backend.url, [], None, 2.0, drop_cors=False)
            assert isinstance(result, StreamedResponse)
            received = 0
            with pytest.raises(BackendError, match="closed the connection inside its answer's body"):
                async for chunk in result.chunks:
                    received += len(chunk)
            await result.close()
            assert received == size - 5
            assert pool._idle.get(("127.0.0.1", int(backend.url.rsplit(":", 1)[1])), []) == []
        await pool.aclose()

    backend = Backend(script)
    run(test)


def test_large_body_streams_and_the_connection_is_reused() -> None:
    size = 3 * EAGER_BODY

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
            for _ in range(3):
                writer.write(b"y" * EAGER_BODY)
                await writer.drain()

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            for _ in range(2):
                result = await proxy_http(pool, "HTTP", "GET", backend.url, [], None, 2.0, drop_cors=False)
                assert isinstance(result, StreamedResponse)
                chunks = [chunk async for chunk in result.chunks]
                await result.close()
                assert len(chunks) > 1 and b"".join(chunks) == b"y" * size
            assert backend.connections == 1
        await pool.aclose()

    backend = Backend(script)
    run(test)


def test_request_body_over_the_quota_is_413_and_the_connection_dropped() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(65536):
            pass

    async def big() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 1000

    async def test() -> None:
        async with backend:
            status, headers, body = await proxied(BackendPool(), backend.url, "POST",
                                                  body=limited(big(), limit=2500))
            assert status == 413 and body == b"HTTP content length exceeded 10485760 bytes."
            assert "passed 2500 bytes" in headers["reason"]

    backend = Backend(script)
    run(test)


def test_head_answer_has_no_body_and_keeps_the_connection() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n")

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            for _ in range(2):
                status, headers, body = await proxied(pool, backend.url, "HEAD")
                assert (status, body, headers["content-length"]) == (200, b"", "99")
            assert backend.connections == 1
        await pool.aclose()

    backend = Backend(script)
    run(test)


def test_userinfo_in_the_target_is_basic_auth_and_long_chunk_lines_are_refused() -> None:
    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        backend.requests.append(await read_request(reader))
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * (HEAD_LIMIT + 10))
        await writer.drain()

    async def test() -> None:
        pool = BackendPool()
        async with backend:
            url = backend.url.replace("http://", "http://us%40er:pa%3Ass@")
            result = await proxy_http(pool, "HTTP", "GET", url, [("authorization", "Bearer client")], None, 2.0,
                                      drop_cors=False)
            assert isinstance(result, StreamedResponse)
            with pytest.raises(BackendError, match="chunk-size or trailer line passed"):
                async for _ in result.chunks:
                    pass
            await result.close()
            head = backend.requests[0][0].decode()
            assert "Authorization: Basic dXNAZXI6cGE6c3M=\r\n" in head and "Bearer client" not in head
            assert f"Host: {backend.url[7:]}\r\n" in head
        await pool.aclose()

    backend = Backend(script)
    run(test)
