"""A lean HTTP/1.1 keep-alive load client (what wrk does, in asyncio): one connection per concurrent worker, the
request's bytes prepared once, the response read by Content-Length (or chunked). httpx costs ~1 ms of client CPU
per request on a small machine, more than the servers measured here, so figures taken with it mostly show the
client. Used by peers.py and the HTTP benchmarks."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
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


@dataclass(frozen=True)
class Summary:
    """What a load run reports: rate, median and 99th percentile latency (ms), failed requests, and the tool."""

    rate: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str

    @classmethod
    def of(cls, result: Result) -> Summary:
        return cls(result.rate, result.percentile(0.5), result.percentile(0.99), result.errors, "bench/http_load.py")


# A request and a success check for wrk; `done` prints one line the bench reads (threads' counts via setup).
_WRK_SCRIPT = """
wrk.method = {method}
wrk.path = {path}
wrk.body = {body}
{headers}
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= {status} or not string.find(body, {needle}, 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local failed = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  for _, thread in ipairs(threads) do failed = failed + thread:get("bad") end
  io.write(string.format("WRK %d %d %d %.1f %.1f\\n", summary.requests, summary.duration, failed,
                         latency:percentile(50), latency:percentile(99)))
end
"""


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for this ASCII text


def wrk(url: str, request: Request, concurrency: int, seconds: float, status: int = 200,
        needle: str = "") -> Summary | None:
    """The same load driven by wrk (C, a fraction of this client's CPU) when it is installed, else None."""
    binary = shutil.which("wrk")
    if binary is None:
        return None
    headers = "\n".join(f"wrk.headers[{_lua(k)}] = {_lua(v)}" for k, v in request.headers.items())
    script = _WRK_SCRIPT.format(method=_lua(request.method), path=_lua(request.path),
                                body=_lua(request.body.decode()), headers=headers, status=status, needle=_lua(needle))
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        output = subprocess.run([binary, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "-s", file.name,
                                 url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    requests, duration_us, failed, p50_us, p99_us = line.split()[1:]
    ok = int(requests) - int(failed)
    return Summary(ok / (int(duration_us) / 1e6), float(p50_us) / 1000, float(p99_us) / 1000, int(failed), "wrk")
