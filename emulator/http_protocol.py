"""HTTP/1.1 under every port: uvicorn's httptools (llhttp) protocol, plus the checks h11 made and llhttp does not
(a bound on request line + headers, Host, Transfer-Encoding), and a port's own answer to a request it cannot read."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from emulator.write_coalescing import CoalescingTransport

log = logging.getLogger("cognito_emulator")

# Request line and headers of one request still arriving, on every port: once more than this is held without the
# end of the headers, the request is refused before the app sees it. That is h11's rule, which the ports had
# before (its max_incomplete_event_size, default 16 KiB): headers that arrive whole in one read (at most 256 KiB)
# are read, as h11 read them (test_hostile_inputs sends a 100 KB X-Amz-Target), and memory holds at most this
# plus one read. A SigV4 header is a few hundred bytes.
HEADERS_LIMIT = 16 * 1024
_HEADER_LINE_EXTRA = 4  # ": " and CRLF around a header's name and value
_TRANSFER_ENCODING = b"transfer-encoding"
_CONTENT_LENGTH = b"content-length"
_HOST = b"host"
_IDLE, _HEAD, _BODY = 0, 1, 2  # where the parser is in the current message
# The scope key under which a request finds the set of its server's requests in progress (uvicorn's tasks).
REQUESTS_IN_PROGRESS = "emulator.requests_in_progress"
_METHOD = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")  # an RFC 9110 token, of a sane length

# Builds the whole raw response refusing an unreadable request, given the reason in plain words
# ("the HTTP request could not be read: <what>").
Answer = Callable[[str], bytes]
# Records a refusal (the decisions log): reason in plain words.
Record = Callable[[str], None]


def overlapping(scope: Mapping[str, Any]) -> bool:
    """Whether other requests to the same server are in progress beside this one (read, waiting or answering)."""
    return len(scope.get(REQUESTS_IN_PROGRESS, ())) > 1


def head_refusal(http_version: str, hosts: int, transfer_encodings: list[bytes], upgrade: bool) -> str | None:
    """Why a request whose headers were read is still refused before the app sees it, or None (pure).

    What h11 refused and llhttp lets through (RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request
    without Host, or to any with several), and an upgrade request with a chunked body: llhttp stops reading at an
    upgrade request's headers, and the emulator reads only a Content-Length body itself (GuardedHttp)."""
    if http_version not in ("1.0", "1.1"):
        return f"HTTP/{http_version} is not served (HTTP/1.0 and HTTP/1.1 are)"
    if hosts > 1:
        return f"the request has {hosts} Host headers (RFC 9112 allows one)"
    if hosts == 0 and http_version == "1.1":
        return "an HTTP/1.1 request without a Host header (RFC 9112 requires one)"
    if transfer_encodings and b",".join(transfer_encodings).strip().lower() != b"chunked":
        shown = b", ".join(transfer_encodings).decode("latin-1")[:100]
        return f"Transfer-Encoding {shown!r} is not served (only chunked is)"
    if upgrade and transfer_encodings:
        return "an Upgrade request with a chunked body (the emulator switches to no other protocol)"
    return None


def plain_answer(reason: str) -> bytes:
    """uvicorn's own plain-text 400 (what a gateway port answered under h11), now with the reason header."""
    from emulator.decisions import REASON_HEADER, header_safe

    body = b"Invalid HTTP request received."
    return raw_response(400, [(b"content-type", b"text/plain; charset=utf-8"),
                              (REASON_HEADER.encode(), header_safe(reason).encode("latin-1"))], body)


def raw_response(status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> bytes:
    """A whole HTTP/1.1 response that closes the connection."""
    lines = [b"HTTP/1.1 %d Bad Request" % status if status == 400 else b"HTTP/1.1 %d" % status]
    lines += [name + b": " + value for name, value in headers]
    lines += [b"content-length: %d" % len(body), b"connection: close", b"", b""]
    return b"\r\n".join(lines) + body


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a request refused before the app sees it."""


class GuardedHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol refusing what the port cannot read in the port's own shape (`answer`), with
    the reason recorded (`record`), and never dropping a pipelined request answered before the one refused."""

    answer: ClassVar[Answer] = staticmethod(plain_answer)
    record: ClassVar[Record | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stage = _IDLE
        self._head_seen = 0  # bytes of the open request line + headers received so far (a lower bound)
        self._exact = 0  # of those, the bytes of the target and the complete header lines
        self._began = self._completed = 0  # messages begun / completed during the current feed
        self._hosts = 0
        self._transfer_encodings: list[bytes] = []
        self._content_length = 0
        self._raw_body = 0  # bytes of an upgrade request's body still to come, read past llhttp
        self._refusal: str | None = None  # why a callback stopped the parser
        self._pending: str | None = None  # a refusal waiting for the answers to the requests before it
        self._refused = False
        self._method: str | None = None  # the method of a request re-parsed as GET (_as_known_method)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:  # type: ignore[override]
        # A response's head and body, written apart by uvicorn, leave in one send() (write_coalescing.py).
        super().connection_made(CoalescingTransport(transport))  # type: ignore[arg-type]

    # Feeding the parser

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        if self._refused or self._pending is not None:
            return  # nothing after an unreadable request is read
        while data:
            if self._raw_body:
                data = self._take_raw_body(data)
                continue
            started_in, self._began, self._completed = self._stage, 0, 0
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade as upgrade:
                # llhttp stops after an upgrade request's headers: the emulator answers it as a plain request
                # (h11 did too) and goes on reading what came after it.
                data = data[upgrade.args[0]:] if upgrade.args and isinstance(upgrade.args[0], int) else b""
                continue
            except httptools.HttpParserInvalidMethodError as exc:
                retry = self._as_known_method(data) if started_in == _IDLE and not self._completed else None
                if retry is None:
                    self._unreadable(_parser_words(exc))
                    return
                data = retry
                continue
            except httptools.HttpParserError as exc:
                self._unreadable(self._refusal or _parser_words(exc))
                return
            if self._stage == _HEAD:
                self._count_open_head(started_in, len(data))
            return

    def _take_raw_body(self, data: bytes) -> bytes:
        """Hand the app the Content-Length body of an upgrade request (llhttp stopped at its headers, as curl
        --http2 sends them with a body); returns what follows it."""
        body, rest = data[:self._raw_body], data[self._raw_body:]
        self._raw_body -= len(body)
        self.on_body(body)
        if not self._raw_body:
            self._message_complete()
        return rest

    def _as_known_method(self, data: bytes) -> bytes | None:
        """A request whose method llhttp does not know (it knows a fixed list; HTTP allows any token, and h11
        read them): parsed again as GET, which frames a request alike, and its own method given to the app."""
        method, space, rest = data.partition(b" ")
        if not space or self._method is not None or not _METHOD.fullmatch(method):
            return None
        self._method = method.decode("ascii")
        self.parser = httptools.HttpRequestParser(self)
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)  # as uvicorn sets it
        self._stage = _IDLE
        return b"GET " + rest

    def _count_open_head(self, started_in: int, received: int) -> None:
        """Bound the headers of a request still arriving: llhttp keeps any length of them in memory."""
        if not self._began and started_in == _HEAD:
            self._head_seen += received  # more of the headers already open
        elif self._began == 1 and started_in == _IDLE and not self._completed:
            self._head_seen = received  # this message's first bytes and nothing else
        # After another message in the same bytes: what is known of this one (short by its last partial line).
        self._head_seen = max(self._head_seen, self._exact)
        if self._head_seen > HEADERS_LIMIT:
            self._unreadable(_too_large())

    # Parser callbacks (uvicorn's, plus the counts and checks)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._stage, self._head_seen, self._exact = _HEAD, 0, 0
        self._began += 1
        self._hosts, self._transfer_encodings, self._content_length = 0, [], 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._exact += len(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._exact += len(name) + len(value) + _HEADER_LINE_EXTRA
        name = self.headers[-1][0]
        if name == _HOST:
            self._hosts += 1
        elif name == _TRANSFER_ENCODING:
            self._transfer_encodings.append(value)
        elif name == _CONTENT_LENGTH and value.strip().isdigit():
            self._content_length = int(value)  # llhttp refuses a second one, or one that is no number

    def on_headers_complete(self) -> None:
        self._stage = _BODY
        upgrade = self.parser.should_upgrade()
        refusal = head_refusal(self.parser.get_http_version(), self._hosts, self._transfer_encodings, upgrade)
        if refusal is not None:
            self._stop(refusal)
        self.scope[REQUESTS_IN_PROGRESS] = self.tasks  # type: ignore[typeddict-unknown-key]
        super().on_headers_complete()
        if upgrade:
            self._raw_body = self._content_length
        if self._method is not None:
            self.scope["method"], self._method = self._method, None

    def on_message_complete(self) -> None:
        if not self._raw_body:  # an upgrade request's body, llhttp skipped, completes it (_take_raw_body)
            self._message_complete()

    def _message_complete(self) -> None:
        self._stage = _IDLE
        self._completed += 1
        super().on_message_complete()

    def _stop(self, reason: str) -> None:
        self._refusal = reason
        raise _Refused(reason)

    # Refusing

    def _unreadable(self, reason: str) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self._refuse(reason)
        elif not cycle.more_body:
            # The unreadable bytes follow whole requests still being answered: answer those first (h11 did).
            self._pending = reason
            self.flow.pause_reading()
        else:
            # The request being answered is itself unreadable (its body's framing): its app hears a disconnect,
            # and a response it already began is cut rather than interleaved with the refusal.
            answer = not cycle.response_started
            cycle.disconnected = True
            cycle.message_event.set()
            self._refuse(reason, answer=answer)

    def _refuse(self, detail: str, answer: bool = True) -> None:
        self._refused = True
        reason = f"the HTTP request could not be read: {detail}"
        if self.record is not None:
            try:
                self.record(reason)
            except Exception:  # a refusal is answered even when recording it fails
                log.exception("recording an unreadable request's refusal failed")
        if answer and not self.transport.is_closing():
            self.transport.write(type(self).answer(reason))
        self.transport.close()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._pending is not None and not self.pipeline and self.cycle.response_complete:
            reason, self._pending = self._pending, None
            if not self.transport.is_closing():
                self._refuse(reason)

    def send_400_response(self, msg: str) -> None:
        self._refuse(msg)


def _too_large() -> str:
    return f"the request line and headers pass {HEADERS_LIMIT} bytes"


def _parser_words(exc: Exception) -> str:
    """llhttp's own words for what it could not read (e.g. 'Invalid header value char')."""
    if isinstance(exc, httptools.HttpParserCallbackError) and exc.__context__ is not None:
        exc = exc.__context__  # uvicorn's callback failed, e.g. on a CONNECT target that is no URL
    words = str(exc).strip() or type(exc).__name__
    if "PRI/Upgrade" in words:
        return "an HTTP/2 connection preface (the emulator serves HTTP/1.1)"
    return f"the HTTP parser (llhttp) refused it: {words[:200]}"


def guarded(name: str, answer: Answer, record: Record | None) -> type[GuardedHttp]:
    """The protocol class of one listener: its answer to an unreadable request, and where the refusal is kept."""
    return type(name, (GuardedHttp,), {"answer": staticmethod(answer), "record": staticmethod(record)
                                       if record is not None else None})
