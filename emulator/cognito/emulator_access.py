"""Who may use the emulator-only endpoints under /_emulator/ (codes, reset, decisions, test control), and
CORS for everything else on the Cognito port.

The endpoints hand out confirmation codes and wipe state, so no other web page may drive them: they
carry no CORS grant, a browser request from another origin or site is refused, and a request that
changes state must be JSON (a cross-site form cannot send that without a preflight, which is never
granted). By default they answer only this machine, by a loopback name (a DNS-rebound name is
refused); `--expose-emulator-endpoints` opens them to other hosts (the Docker image needs that).
The cognito-idp API itself keeps `Access-Control-Allow-Origin: *`, as AWS's does, for browser SDKs.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.decisions import REASON_HEADER, DecisionLog, header_safe

PREFIX = "/_emulator"
MOTO_RESET = "/moto-api/reset"  # moto's server-mode reset: guarded as /_emulator/ is
_READS = ("GET", "HEAD")


@dataclass(frozen=True)
class AccessPolicy:
    """`expose`: other hosts may use /_emulator/ (--expose-emulator-endpoints)."""

    expose: bool = False


def is_loopback_address(address: str | None) -> bool:
    """127.0.0.0/8, ::1 and IPv4-mapped loopback; False for anything that is not an IP address."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def is_local_host(host: str | None) -> bool:
    """Whether a Host header names this machine by loopback: localhost, *.localhost or a loopback address."""
    if not host:
        return False
    name = host.rsplit("]", 1)[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
    name = name.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost") or is_loopback_address(name)


def refusal(method: str, headers: Mapping[str, str], peer: str | None, policy: AccessPolicy,
            bodyless_ok: bool = False) -> str | None:
    """Why a request to /_emulator/ is refused, in plain words, or None. `headers` are lower-cased names.
    `bodyless_ok`: a POST without body or content type passes (moto clients send that; a browser sending it
    from another site still carries the Origin refused here)."""
    if not policy.expose:
        if not is_loopback_address(peer):
            return (f"/_emulator/ answers only this machine and the request came from {peer or 'an unknown peer'}; "
                    "start the emulator with --expose-emulator-endpoints to open it to other hosts")
        host = headers.get("host")
        if not is_local_host(host):
            return (f"the request names the emulator '{host}', not localhost or a loopback address: a web page "
                    "whose DNS name was rebound to 127.0.0.1 looks like this (--expose-emulator-endpoints "
                    "accepts any name)")
    origin = headers.get("origin")
    if origin is not None and origin != f"http://{headers.get('host', '')}":
        return (f"the request comes from a web page at {origin}, another origin; /_emulator/ serves only its own "
                "pages and clients that are not browsers")
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return (f"the browser marked the request Sec-Fetch-Site: {site}; /_emulator/ serves only its own pages and "
                "clients that are not browsers")
    bodyless = "content-type" not in headers and headers.get("content-length", "0") == "0" \
        and "transfer-encoding" not in headers
    if method not in _READS and not (bodyless_ok and bodyless):
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if content_type != "application/json":
            return (f"{method} under /_emulator/ needs Content-Type: application/json (a cross-site form cannot send "
                    f"it), got {content_type or 'none'}")
    return None


def is_emulator_path(path: str) -> bool:
    return path in (PREFIX, MOTO_RESET) or path.startswith(PREFIX + "/")


class EmulatorAccess:
    """ASGI wrapper: /_emulator/ requests pass `refusal` and get no CORS; every other path gets CORS."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy, decisions: DecisionLog, expose_headers: list[str]) -> None:
        self.app = app
        self.policy = policy
        self.decisions = decisions
        # Browsers (Amplify, the AWS JS SDK) call cognito-idp cross-origin, as AWS allows.
        self.with_cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"],
                                        expose_headers=expose_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_emulator_path(scope["path"]):
            await self.with_cors(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        client = scope.get("client")
        why = refusal(scope["method"], headers, client[0] if client else None, self.policy,
                      bodyless_ok=scope["path"] == MOTO_RESET)
        if why is None:
            await self.app(scope, receive, send)
            return
        self.decisions.reject("cognito port /_emulator/", "403", why)
        response = JSONResponse({"message": why}, status_code=403, headers={REASON_HEADER: header_safe(why)})
        await response(scope, receive, send)
