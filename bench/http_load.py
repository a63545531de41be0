"""A lean HTTP/1.1 keep-alive load client (what wrk does, in asyncio): one connection per concurrent worker, the
request's bytes prepared once, the response read by Content-Length (or chunked). httpx costs ~1 ms of client CPU
per request on a small machine, more than the servers measured here, so figures taken with it mostly show the
client. Used by peers.py and the HTTP benchmarks."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def wire(self, host: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(self.body)}",
                 *(f"{k}: {v}" for k, v in self.headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def cognito(operation: str, params: dict, **headers: str) -> Request:
    """A cognito-idp JSON 1.1 call."""
    return Request("POST", "/", {"X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
                                 "Content-Type": "application/x-amz-json-1.1", **headers}, json.dumps(params).encode())


@dataclass
class Result:
    seconds: float
    latencies_ms: list[float]
    errors: int
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            parts.append(await reader.readexactly(size + 2))
            if size == 0:
                break
        body = b"".join(p[:-2] for p in parts)
    else:
        body = await reader.read()
    return int(status_line.split()[1]), headers, body


async def load(url: str, request: Request | Callable[[int], Request], concurrency: int, seconds: float,
               ok: Callable[[int, bytes], bool] = lambda status, body: status < 400,
               count: int | None = None) -> Result:
    """Requests per second, latencies and errors of `request` (or request(i) for the i-th) at `concurrency`,
    for `seconds` or until `count` requests were sent."""
    host_port = url.split("://", 1)[1].split("/", 1)[0]
    host, port = host_port.rsplit(":", 1)
    fixed = request.wire(host_port) if isinstance(request, Request) else None
    latencies: list[float] = []
    errors = 0
    first_error = ""
    counter = 0
    end = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, first_error, counter
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while time.perf_counter() < end and (count is None or counter < count):
                counter += 1
                wire = fixed if fixed is not None else request(counter).wire(host_port)  # type: ignore[operator]
                began = time.perf_counter()
                writer.write(wire)
                status, headers, body = await _read_response(reader)
                if ok(status, body):
                    latencies.append((time.perf_counter() - began) * 1000)
                else:
                    errors += 1
                    first_error = first_error or f"{status} {body[:200]!r}"
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(time.perf_counter() - began, latencies, errors, first_error)


def run(url: str, request: Request | Callable[[int], Request], concurrency: int, seconds: float,
        ok: Callable[[int, bytes], bool] = lambda status, body: status < 400) -> Result:
    return asyncio.run(load(url, request, concurrency, seconds, ok))


def run_count(url: str, request: Request | Callable[[int], Request], concurrency: int, count: int,
              ok: Callable[[int, bytes], bool] = lambda status, body: status < 400) -> Result:
    """`count` requests, whatever the time they take."""
    return asyncio.run(load(url, request, concurrency, float("inf"), ok, count))
