"""The Cognito port as served: the body limit, who may use /_emulator/ and CORS, the JSON API on POST /
(api_root.py), and behind it the port's other routes (hosted UI, JWKS, discovery, /_emulator/: cognito/app.py).

Those routes are FastAPI's, and importing FastAPI and pydantic is about half of the emulator's start-up while
the first token needs neither: they are built on their first request, or in the background at the first quiet
moment once the port serves (`warm`), whichever comes first."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from emulator.cognito import (
    admin_users,
    auth,
    auth_events,
    client_secrets,
    devices,
    groups,
    identity_providers,
    import_jobs,
    log_delivery,
    managed_login_branding,
    mfa,
    mfa_config,
    mfa_preferences,
    pools,
    provider_links,
    risk_configuration,
    signing_certificate,
    signup,
    software_token_removal,
    tags,
    terms,
    ui_customization,
    user_sessions,
    users,
    webauthn,
)
from emulator.cognito.api_root import ApiRoot, error_response, operation_named
from emulator.cognito.body_limit import BodyLimit
from emulator.cognito.emulator_access import AccessPolicy, EmulatorAccess
from emulator.cognito.errors import reject
from emulator.cognito.protocol import MAX_BODY_BYTES, Handler, merge_operations
from emulator.decisions import REASON_HEADER, header_safe
from emulator.runtime import Runtime

EXPOSED_HEADERS = ["x-amzn-RequestId", "x-amzn-ErrorType", "x-amzn-ErrorMessage", REASON_HEADER]


def operation_table() -> dict[str, Handler]:
    """Every implemented cognito-idp operation, by name."""
    return merge_operations(auth.OPERATIONS, users.OPERATIONS, admin_users.OPERATIONS, signup.OPERATIONS,
                            groups.OPERATIONS, pools.OPERATIONS, mfa.OPERATIONS,
                            tags.OPERATIONS,
                            ui_customization.OPERATIONS,
                            signing_certificate.OPERATIONS,
                            log_delivery.OPERATIONS,
                            risk_configuration.OPERATIONS,
                            terms.OPERATIONS,
                            managed_login_branding.OPERATIONS,
                            import_jobs.OPERATIONS,
                            auth_events.OPERATIONS,
                            software_token_removal.OPERATIONS,
                            identity_providers.OPERATIONS,
                            provider_links.OPERATIONS,
                            mfa_config.OPERATIONS,
                            mfa_preferences.OPERATIONS,
                            webauthn.OPERATIONS,
                            client_secrets.OPERATIONS,
                            devices.OPERATIONS,
                            user_sessions.OPERATIONS)


class LazyApp:
    """An ASGI app built by `build` once, on its first request or by `warm()` in a background thread."""

    def __init__(self, build: Callable[[], ASGIApp]) -> None:
        self._build = build
        self._app: ASGIApp | None = None
        self._lock = threading.Lock()
        self._warming: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_call = 0.0

    def ready(self) -> ASGIApp:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        return self._app

    def touch(self) -> None:
        """An API call arrived: the warm-up waits for a quiet moment."""
        self._last_call = time.monotonic()

    def warm(self, quiet: float) -> None:
        """Build in a background thread once no API call came for `quiet` seconds (unless a request built it
        already): the import holds the GIL, and a test run that starts the emulator signs in at once."""
        self._last_call = time.monotonic()

        def build() -> None:
            while self._app is None and not self._stop.wait(quiet / 4):
                if time.monotonic() - self._last_call >= quiet:
                    self.ready()

        self._warming = threading.Thread(target=build, name="cognito-emulator routes", daemon=True)
        self._warming.start()

    def settle(self, timeout: float = 30) -> None:
        """Wait for a warm-up still importing: a daemon thread stopped inside an extension module's import at
        interpreter exit aborts the process ("FATAL: exception not rethrown") instead of exiting cleanly."""
        self._stop.set()
        if self._warming is not None:
            self._warming.join(timeout)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Built in the thread pool: importing FastAPI must not hold up the event loop the other ports share.
        app = self._app or await run_in_threadpool(self.ready)
        await app(scope, receive, send)


def _too_large(rt: Runtime) -> Callable[[Scope, int], Response]:
    def too_large(scope: Scope, size: int) -> Response:
        reason = f"the request declares a {size}-byte body (Content-Length); the Cognito port accepts at most " \
                 f"{MAX_BODY_BYTES} bytes, and read none of it"
        if scope["path"] == "/" and scope["method"] == "POST":
            headers = dict((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope["headers"])
            return error_response(rt, reject("body_too_large", reason),
                                  operation_named(headers.get("x-amz-target")), str(uuid.uuid4()))
        rt.decisions.reject("cognito port", "413", reason)
        return JSONResponse({"message": "Request Entity Too Large"}, status_code=413,
                            headers={REASON_HEADER: header_safe(reason)})

    return too_large


def build_cognito_port(rt: Runtime, routes: ASGIApp, policy: AccessPolicy | None = None,
                       threads: ThreadPoolExecutor | None = None) -> ASGIApp:
    """The app served on the Cognito port (9229 by default) in front of `routes` (the FastAPI app, or a
    LazyApp of it). `policy` says who may use /_emulator/; `threads` run the API's calls."""
    api = ApiRoot(routes, rt, operation_table(), seen=routes.touch if isinstance(routes, LazyApp) else None,
                  threads=threads)
    guarded = EmulatorAccess(api, policy or AccessPolicy(), rt.decisions, EXPOSED_HEADERS)
    return BodyLimit(guarded, _too_large(rt), MAX_BODY_BYTES)
