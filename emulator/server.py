"""Builds the ASGI apps (the Cognito port and one per gateway API) and runs them under uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import uvicorn

from emulator.cognito.api_root import api_threads
from emulator.cognito.emulator_access import AccessPolicy
from emulator.cognito.errors import reject
from emulator.cognito.port import LazyApp, build_cognito_port
from emulator.cognito.protocol import error_body, error_headers
from emulator.decisions import REASON_HEADER, header_safe
from emulator.http_protocol import GuardedHttp, guarded, plain_answer, raw_response
from emulator.request_log import RequestLog
from emulator.runtime import Runtime

log = logging.getLogger("cognito_emulator")


# The port's FastAPI routes are built once no API call came for this long, or when a request needs them (port.py).
ROUTES_WARM_QUIET_SECONDS = 0.3


def cognito_unreadable(reason: str) -> bytes:
    """The Cognito port's answer to a request it cannot read: the cognito-idp error shape, as the rest of the
    port answers, instead of uvicorn's plain text."""
    error = reject("unreadable_request", reason)
    headers = [(b"content-type", b"application/x-amz-json-1.1"),
               *((k.encode(), header_safe(v).encode("latin-1"))
                 for k, v in error_headers(error, str(uuid.uuid4())).items()),
               (REASON_HEADER.encode(), header_safe(error.reason).encode("latin-1"))]
    return raw_response(400, headers, json.dumps(error_body(error)).encode())


def _recorder(runtime: Runtime, component: str, error: str) -> Callable[[str], None]:
    def record(reason: str) -> None:
        runtime.decisions.reject(component, error, reason)

    return record


class _Server(uvicorn.Server):
    """uvicorn.Server without its own signal handling: one handler stops every server at once."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Listener:
    name: str  # "cognito-idp" or "api <Name>"
    app: Any
    sock: socket.socket
    url: str  # where a client on this machine reaches it
    bound: str = ""  # the address it listens on, as the ready line shows it
    protocol: type[GuardedHttp] = GuardedHttp  # HTTP/1.1, answering an unreadable request in the port's shape


def bind(host: str, port: int, reuse_port: bool = False, joining: bool = False) -> socket.socket:
    """Bind before serving, so a busy port is reported before anything starts. `reuse_port`: other sockets may
    join this port (`joining`; workers.py gives each worker process its own, so the kernel spreads connections)."""
    if reuse_port and port and not joining:
        bind(host, port).close()  # a port another process holds, even with SO_REUSEPORT, is busy: say so
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    # Accepted connections inherit this: without it, a response written in two parts waits on
    # the client's delayed ACK (tens of milliseconds per keep-alive request).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.listen(2048)
    sock.setblocking(False)
    return sock


WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def _cognito_routes(runtime: Runtime) -> Any:
    from emulator.cognito.app import build_routes

    return build_routes(runtime)


def _http(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _url(host: str, sock: socket.socket) -> str:
    """The URL a client on this machine uses (a wildcard bind is reached on loopback)."""
    shown = ("::1" if host == "::" else "127.0.0.1") if host in WILDCARD_HOSTS else host
    return _http(shown, sock.getsockname()[1])


def _bound(host: str, sock: socket.socket) -> str:
    """The address the socket listens on, wildcards included: the ready line must not claim loopback only."""
    return _http(host or "0.0.0.0", sock.getsockname()[1])


@dataclass
class EmulatorServer:
    """Every listener of one emulator; `run()` in the main thread, or `start()` in a background thread."""

    runtime: Runtime
    host: str = "127.0.0.1"
    port: int = 9229
    log_level: str = "warning"
    expose_emulator_endpoints: bool = False  # /_emulator/ answers other hosts too
    reuse_port: bool = False  # worker processes add sockets of their own on the same ports (workers.py)
    listeners: list[Listener] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._authorizers: object = None
        cognito_sock = bind(self.host, self.port, self.reuse_port)
        self.runtime.base_url = _url(self.host, cognito_sock)
        # The port's FastAPI routes are built on first use or once serving (warm), not on the way to the first token.
        self._routes = LazyApp(partial(_cognito_routes, self.runtime))
        self._api_threads = api_threads()
        app = RequestLog(build_cognito_port(self.runtime, self._routes,
                                            AccessPolicy(expose=self.expose_emulator_endpoints), self._api_threads),
                         "cognito-idp")
        protocol = guarded("CognitoHttp", cognito_unreadable,
                           _recorder(self.runtime, "cognito port", "SerializationException: Malformed HTTP request"))
        self.listeners.append(Listener("cognito-idp", app, cognito_sock, self.runtime.base_url,
                                       _bound(self.host, cognito_sock), protocol))
        try:
            self._bind_gateways()
        except BaseException:
            self.close_sockets()
            raise
        self._servers: list[_Server] = []
        self._thread: threading.Thread | None = None

    def _bind_gateways(self) -> None:
        if not self.runtime.config.apis:
            return
        from emulator.gateway.app import build_gateway_app
        from emulator.gateway.authorizers import Authorizers
        from emulator.gateway.iam_principals import principal_of

        authorizers = self._authorizers = Authorizers(self.runtime, clock=self.runtime.clock,
                                                      invoker=self.runtime.lambdas,
                                                      principals=partial(principal_of, self.runtime))
        for api in self.runtime.config.apis:
            sock = bind(self.host, api.port, self.reuse_port)
            app = RequestLog(build_gateway_app(api, authorizers, self.runtime.decisions), f"api {api.name}")
            protocol = guarded("GatewayHttp", plain_answer,
                               _recorder(self.runtime, f"gateway {api.name}", "400 Invalid HTTP request received."))
            self.listeners.append(Listener(f"api {api.name}", app, sock, _url(self.host, sock),
                                           _bound(self.host, sock), protocol))
            self.runtime.api_urls[api.name] = _url(self.host, sock)

    def close_sockets(self) -> None:
        for listener in self.listeners:
            listener.sock.close()

    @property
    def url(self) -> str:
        return self.listeners[0].url

    def api_url(self, name: str) -> str:
        return next(lst.url for lst in self.listeners if lst.name == f"api {name}")

    def ready_line(self) -> str:
        parts = [f"{lst.name} {lst.bound or lst.url}" for lst in self.listeners]
        return "cognito-emulator ready: " + " | ".join(parts)

    async def serve(self) -> None:
        """Serve every listener until stop() or a signal."""
        self._servers = [
            # uvicorn's own info lines (one "Started server process" per port) are noise at info.
            _Server(uvicorn.Config(lst.app, log_level="debug" if self.log_level == "debug" else "warning",
                                   access_log=self.log_level == "debug", lifespan="off",
                                   # X-Forwarded-For is the gateway's to add, never to trust; and AWS
                                   # sends no `server: uvicorn`.
                                   proxy_headers=False, server_header=False, timeout_graceful_shutdown=3,
                                   # httptools (llhttp) on every port, whatever is installed beside it; no
                                   # WebSocket: an Upgrade request is answered as a plain request (http_protocol).
                                   http=lst.protocol, ws="none"))
            for lst in self.listeners
        ]
        tasks = [asyncio.create_task(s.serve(sockets=[lst.sock])) for s, lst in zip(self._servers, self.listeners,
                                                                                   strict=True)]
        while not all(s.started for s in self._servers):
            if any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.01)
        self._routes.warm(quiet=ROUTES_WARM_QUIET_SECONDS)
        try:
            await asyncio.gather(*tasks)
        finally:
            for closeable in [lst.app for lst in self.listeners] + [self._authorizers]:
                if hasattr(closeable, "aclose"):
                    await closeable.aclose()
            self._api_threads.shutdown(wait=False)  # idle threads end; a call still running finishes

    def stop(self) -> None:
        for server in self._servers:
            server.should_exit = True

    def run(self, on_ready: Any = print) -> None:
        """Serve in the current (main) thread; SIGINT/SIGTERM stop every listener."""

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError):
                    loop.add_signal_handler(sig, self.stop)
            serving = asyncio.create_task(self.serve())
            while not self._servers or not all(s.started for s in self._servers):
                if serving.done():
                    break
                await asyncio.sleep(0.01)
            if not serving.done():
                on_ready(self.ready_line())
            await serving

        asyncio.run(main())
        self._routes.settle()

    def start(self) -> EmulatorServer:
        """Serve in a background thread (tests and the pytest plugin); returns once every port answers."""
        started = threading.Event()

        def target() -> None:
            async def main() -> None:
                serving = asyncio.create_task(self.serve())
                while not self._servers or not all(s.started for s in self._servers):
                    if serving.done():
                        break
                    await asyncio.sleep(0.01)
                started.set()
                await serving

            asyncio.run(main())
            started.set()
            self._routes.settle()

        self._thread = threading.Thread(target=target, name="cognito-emulator", daemon=True)
        self._thread.start()
        started.wait(30)
        return self

    def close(self) -> None:
        self.stop()
        if self._thread is not None:
            self._thread.join(10)
        self.close_sockets()
