"""Where a proxy route's request goes: plain http through the gateway's own keep-alive pool (backend_client.py),
https through httpx (TLS and certificate checks are httpx's job; a local backend is plain http)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from emulator.gateway.backend_client import BackendError, BackendPool, BackendResponse
from emulator.gateway.integrations import BodyTooLarge

if TYPE_CHECKING:
    import httpx


class Backends:
    """One per gateway app: the plain-http pool, and an httpx client made on the first https request."""

    def __init__(self, https_client: httpx.AsyncClient | None = None) -> None:
        self.pool = BackendPool()
        self._https = https_client
        self._own_https = https_client is None

    async def aclose(self) -> None:
        await self.pool.aclose()
        if self._own_https and self._https is not None:
            await self._https.aclose()
            self._https = None

    async def send(self, method: str, url: str, headers: list[tuple[str, str]], body: AsyncIterator[bytes] | None,
                   read_timeout: float) -> BackendResponse:
        """The backend's answer, its body streaming; BackendError when it cannot be had, TimeoutError when a read
        took longer than `read_timeout`. Errors from `body` (BodyTooLarge) propagate as raised."""
        if not url.startswith("https:"):
            return await self.pool.send(method, url, headers, body, read_timeout)
        return await self._send_https(method, url, headers, body, read_timeout)

    async def _send_https(self, method: str, url: str, headers: list[tuple[str, str]],
                          body: AsyncIterator[bytes] | None, read_timeout: float) -> BackendResponse:
        import httpx

        if self._https is None:  # made inside the serving loop; a proxy passes redirects on, never follows them
            self._https = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        request = self._https.build_request(method, url, headers=headers, content=body,
                                            timeout=httpx.Timeout(read_timeout))
        try:
            response = await self._https.send(request, stream=True)
        except httpx.TimeoutException:
            raise TimeoutError from None
        except httpx.HTTPError as exc:
            cause = exc.__cause__ or exc.__context__
            if isinstance(cause, BodyTooLarge):
                raise cause from None
            raise BackendError(type(exc).__name__, str(exc) or "no detail") from None
        return BackendResponse(response.status_code, response.headers.multi_items(), response.aiter_raw(),
                               response.aclose)
