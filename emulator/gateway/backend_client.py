"""The gateway's HTTP/1.1 client for plain-http backends: keep-alive connections pooled per origin on asyncio
streams. httpx spent ~1 ms of CPU per proxied request on this machine (more than the rest of the gateway); this
does the same job, request bodies and answers streamed, for a fraction of that.

Failures surface as BackendError, named as httpx named them (ConnectError, ReadError, WriteError,
RemoteProtocolError) so the reasons the gateway gives read as before; the caller bounds the wait with a timeout.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

# Most a response's status line and headers may take: httpcore's own bound (h11 max_incomplete_event_size).
HEAD_LIMIT = 100 * 1024
READ_SIZE = 64 * 1024
# An idle connection older than this is closed rather than reused: backends drop idle keep-alive connections
# (uvicorn after 5 s), and a request sent on one they are closing would fail.
IDLE_SECONDS = 4.0
MAX_IDLE_PER_ORIGIN = 64
# A body of at most this many bytes (by Content-Length) is read along with the head rather than streamed.
EAGER_BODY = 64 * 1024
# Safe to send again on a fresh connection when a reused one turned out closed (RFC 9110 §9.2.2).
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_STATUS_LINE = re.compile(rb"HTTP/1\.([01]) (\d{3})(?: [^\r\n]*)?")
# Answers that never have a body (RFC 9112 §6.3).
_NO_BODY = frozenset({204, 304})
# What a request target's path and query keep as sent (any %, valid escape or not, included); the rest is
# percent-encoded (UTF-8), exactly as httpx, which proxied before, encoded them.
_PATH_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in '"<>`{}?#')
_QUERY_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in '"<>#')


class BackendError(Exception):
    """The backend could not be reached, or its answer is not HTTP/1.x."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


@dataclass
class BackendResponse:
    """The backend's status and headers (names and values as sent, latin-1); its body still streaming."""

    status: int
    headers: list[tuple[str, str]]
    chunks: AsyncIterator[bytes]
    close: Callable[[], Awaitable[None]]
    whole: bytes | None = None  # the body when it was read along with the head (chunks yields it too)


class _Connection:
    __slots__ = ("reader", "writer", "idle_since")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self, now: float) -> bool:
        return (now - self.idle_since < IDLE_SECONDS and not self.reader.at_eof()
                and not self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


def request_target(path: str, query: str) -> str:
    """The request line's target: path and query as given, what a target may not hold percent-encoded."""
    target = quote(path or "/", safe=_PATH_SAFE)
    return f"{target}?{quote(query, safe=_QUERY_SAFE)}" if query else target


def request_head(method: str, target: str, host: str, headers: list[tuple[str, str]], has_body: bool) -> bytes:
    """Request line and headers. Without Content-Length a body goes chunked; a body-less POST/PUT/PATCH says
    Content-Length: 0 (as httpx did)."""
    names = {name.lower() for name, _ in headers}
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}", *(f"{name}: {value}" for name, value in headers)]
    if "content-length" not in names:
        if has_body:
            lines.append("Transfer-Encoding: chunked")
        elif method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def parse_head(head: bytes) -> tuple[int, int, list[tuple[str, str]]]:
    """(minor HTTP version, status, headers) of a response head ending in CRLF CRLF; BackendError if it is not
    HTTP/1.x. Obsolete folded header lines are joined, as h11 does."""
    lines = head[:-4].split(b"\r\n")
    status_line = _STATUS_LINE.fullmatch(lines[0])
    if status_line is None:
        raise BackendError("RemoteProtocolError", f"the backend's answer is not HTTP/1.x: {lines[0][:80]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip().decode('latin-1')}")
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or b" " in name:
            raise BackendError("RemoteProtocolError", f"malformed header line from the backend: {line[:80]!r}")
        headers.append((name.decode("latin-1"), value.strip().decode("latin-1")))
    return int(status_line.group(1)), int(status_line.group(2)), headers


@dataclass(frozen=True)
class Framing:
    """How the body is delimited: `length` bytes, chunked, or until the backend closes (length None)."""

    length: int | None
    chunked: bool
    keep_alive: bool


def framing(method: str, minor: int, status: int, headers: list[tuple[str, str]]) -> Framing:
    """RFC 9112 §6.3 message body length, and whether the connection may carry another request."""
    lengths = {v.strip() for k, v in headers if k.lower() == "content-length"}
    encodings = [t.strip().lower() for k, v in headers if k.lower() == "transfer-encoding" for t in v.split(",")]
    tokens = {t.strip().lower() for k, v in headers if k.lower() == "connection" for t in v.split(",")}
    keep_alive = minor == 1 and "close" not in tokens
    if method == "HEAD" or status in _NO_BODY or 100 <= status < 200:
        return Framing(0, False, keep_alive)
    if encodings:
        if encodings[-1] != "chunked":
            raise BackendError("RemoteProtocolError", f"unsupported Transfer-Encoding {', '.join(encodings)}")
        return Framing(None, True, keep_alive)
    if lengths:
        if len(lengths) > 1 or not all(c.isdigit() for c in next(iter(lengths))):
            raise BackendError("RemoteProtocolError", f"bad Content-Length {', '.join(sorted(lengths))}")
        return Framing(int(next(iter(lengths))), False, keep_alive)
    return Framing(None, False, False)


class BackendPool:
    """Keep-alive connections to plain-http backends, per origin; one per gateway app, in its event loop."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}
        self._clock = clock

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    def _reuse(self, origin: tuple[str, int]) -> _Connection | None:
        idle = self._idle.get(origin)
        now = self._clock()
        while idle:
            connection = idle.pop()
            if connection.usable(now):
                return connection
            connection.close()
        return None

    def _release(self, origin: tuple[str, int], connection: _Connection) -> None:
        idle = self._idle.setdefault(origin, [])
        if len(idle) >= MAX_IDLE_PER_ORIGIN or connection.writer.is_closing():
            connection.close()
            return
        connection.idle_since = self._clock()
        idle.append(connection)

    async def send(self, method: str, url: str, headers: list[tuple[str, str]],
                   body: AsyncIterator[bytes] | None, read_timeout: float) -> BackendResponse:
        """Send the request and read the answer's head; the body streams from the result's chunks (each read
        bounded by `read_timeout`), and its close() hands the connection back or closes it. Errors from `body`
        (BodyTooLarge) propagate as raised."""
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        origin = (host, port)
        netloc = parts.netloc.rpartition("@")[2]
        if parts.username is not None:  # user:password@ in the target: Basic auth, as httpx sent it
            credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            headers = [(k, v) for k, v in headers if k.lower() != "authorization"]
            headers.append(("Authorization", "Basic " + base64.b64encode(credentials).decode("ascii")))
        chunked = body is not None and not any(name.lower() == "content-length" for name, _ in headers)
        head = request_head(method, request_target(parts.path, parts.query),
                            netloc[:-3] if netloc.endswith(":80") else netloc, headers, body is not None)
        while True:
            connection = self._reuse(origin)
            reused = connection is not None
            if connection is None:
                connection = await _connect(host, port)
            try:
                minor, status, response_headers = await _exchange(connection, head, body, chunked)
            except _StaleConnection as stale:
                connection.close()
                if reused and body is None and method in IDEMPOTENT:
                    continue  # the backend had closed this idle connection: once more on a fresh one
                raise stale.error from None
            except BaseException:
                connection.close()
                raise
            break
        try:
            frame = framing(method, minor, status, response_headers)
            if frame.length is not None and frame.length <= EAGER_BODY:
                # A small body is read with the head, under the caller's timeout (API Gateway times the whole
                # integration response), and the connection is free again at once.
                body_bytes = await connection.reader.readexactly(frame.length)
                if frame.keep_alive:
                    self._release(origin, connection)
                else:
                    connection.close()
                return BackendResponse(status, response_headers, _once(body_bytes), _nothing, body_bytes)
        except asyncio.IncompleteReadError:
            connection.close()
            raise BackendError("RemoteProtocolError", "the backend closed the connection inside its answer's body"
                               ) from None
        except (ConnectionError, OSError) as exc:
            connection.close()
            raise BackendError("ReadError", str(exc) or type(exc).__name__) from None
        except BaseException:
            connection.close()
            raise
        state = {"done": False}

        async def close() -> None:
            await chunks.aclose()
            if state["done"] and frame.keep_alive:
                self._release(origin, connection)
            else:
                connection.close()

        chunks = _body(connection.reader, frame, read_timeout, state)
        return BackendResponse(status, response_headers, chunks, close)


async def _once(body: bytes) -> AsyncIterator[bytes]:
    yield body


async def _nothing() -> None:
    return None


class _StaleConnection(Exception):
    """The connection failed before any byte of an answer: it may have been closed while idle."""

    def __init__(self, error: BackendError) -> None:
        self.error = error


async def _connect(host: str, port: int) -> _Connection:
    try:
        reader, writer = await asyncio.open_connection(host, port, limit=HEAD_LIMIT)
    except OSError as exc:
        raise BackendError("ConnectError", str(exc) or type(exc).__name__) from None
    return _Connection(reader, writer)


async def _exchange(connection: _Connection, head: bytes, body: AsyncIterator[bytes] | None, chunked: bool
                    ) -> tuple[int, int, list[tuple[str, str]]]:
    """Write the request (the body chunk-encoded if `chunked`), read the answer's head (skipping 1xx interim
    answers)."""
    writer, reader = connection.writer, connection.reader
    try:
        writer.write(head)
        if body is not None:
            async for chunk in body:
                writer.write(b"%x\r\n%b\r\n" % (len(chunk), chunk) if chunked else chunk)
                await writer.drain()
            if chunked:
                writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (ConnectionError, OSError) as exc:
        raise _StaleConnection(BackendError("WriteError", str(exc) or type(exc).__name__)) from None
    first = True
    while True:
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            error = BackendError("RemoteProtocolError", "Server disconnected without sending a response."
                                 if not exc.partial else "the backend closed the connection inside its answer's head")
            raise (_StaleConnection(error) if first and not exc.partial else error) from None
        except asyncio.LimitOverrunError:
            raise BackendError("RemoteProtocolError", f"the backend's answer head passed {HEAD_LIMIT} bytes") from None
        except (ConnectionError, OSError) as exc:
            error = BackendError("ReadError", str(exc) or type(exc).__name__)
            raise (_StaleConnection(error) if first else error) from None
        first = False
        minor, status, headers = parse_head(raw)
        if not 100 <= status < 200 or status == 101:
            return minor, status, headers


async def _body(reader: asyncio.StreamReader, frame: Framing, read_timeout: float,
                state: dict[str, bool]) -> AsyncIterator[bytes]:
    """The answer's body as it arrives; state["done"] once it was read to its end."""
    try:
        if frame.chunked:
            while True:
                async with asyncio.timeout(read_timeout):
                    size_line = await reader.readuntil(b"\r\n")
                size_text = size_line.split(b";", 1)[0].strip()
                try:
                    size = int(size_text, 16)
                except ValueError:
                    raise BackendError("RemoteProtocolError", f"bad chunk size {size_text[:20]!r}") from None
                if size == 0:
                    async with asyncio.timeout(read_timeout):
                        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers: not passed on
                            pass
                    break
                async for part in _exactly(reader, size, read_timeout):
                    yield part
                async with asyncio.timeout(read_timeout):
                    if await reader.readexactly(2) != b"\r\n":
                        raise BackendError("RemoteProtocolError", "a chunk did not end with CRLF")
        elif frame.length is not None:
            async for part in _exactly(reader, frame.length, read_timeout):
                yield part
        else:
            while True:
                async with asyncio.timeout(read_timeout):
                    part = await reader.read(READ_SIZE)
                if not part:
                    break
                yield part
        state["done"] = True
    except asyncio.IncompleteReadError:
        raise BackendError("RemoteProtocolError", "the backend closed the connection inside its answer's body"
                           ) from None
    except asyncio.LimitOverrunError:
        raise BackendError("RemoteProtocolError", f"a chunk-size or trailer line passed {HEAD_LIMIT} bytes") from None
    except TimeoutError:
        raise  # no part of the body within the read timeout (TimeoutError is an OSError too)
    except (ConnectionError, OSError) as exc:
        raise BackendError("ReadError", str(exc) or type(exc).__name__) from None


async def _exactly(reader: asyncio.StreamReader, size: int, read_timeout: float) -> AsyncIterator[bytes]:
    while size:
        async with asyncio.timeout(read_timeout):
            part = await reader.read(min(size, READ_SIZE))
        if not part:
            raise asyncio.IncompleteReadError(b"", size)
        size -= len(part)
        yield part
