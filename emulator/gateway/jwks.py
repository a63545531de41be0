"""Where the gateway's JWT authorizers get signing keys: local pools first, else OIDC discovery.

A local pool's keys come straight from the core (in-process, never cached here, so key
rotation in the store is seen at once). Any other issuer is resolved the way API Gateway
does it: `<issuer>/.well-known/openid-configuration` -> `jwks_uri` -> the key set, cached
(AWS: "keys cached up to 2 h"), fetched again once when a token names a kid the cache does
not know (AWS re-reads the key set for an unseen key), at most once per REFETCH_INTERVAL so a
stream of forged kids cannot turn the gateway into a request amplifier. Every failure is
returned as a KeySet with `jwks=None` and a plain reason; the authorizer then denies (401).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import httpx

CACHE_SECONDS = 2 * 60 * 60  # AWS HTTP API: "API Gateway can cache the public key for two hours"
REFETCH_INTERVAL_SECONDS = 30.0  # unknown kid / failed fetch: try the network again at most this often
FETCH_TIMEOUT_SECONDS = 5.0


class IssuerKeys(Protocol):
    """What the core (the local user pools) tells the gateway; implemented by the lead."""

    def local_jwks(self, issuer: str) -> dict | None:
        """{"keys": [JWK, ...]} if a local pool issues tokens with this `iss`, else None."""
        ...

    def pool_issuer(self, pool_id: str) -> str | None:
        """The `iss` a local pool's tokens carry; None if no such local pool."""
        ...


@dataclass(frozen=True)
class KeySet:
    """The key set of one issuer as the authorizer sees it."""

    issuer: str
    jwks: dict | None  # {"keys": [...]}; None when it could not be obtained
    source: str  # "local pool" or the jwks_uri it came from, for reasons
    error: str | None = None  # why jwks is None, in plain words


@dataclass
class _Cached:
    key_set: KeySet
    fetched_at: float  # when key_set was obtained (the 2 h cache life counts from here)
    attempted_at: float  # the last network attempt, failed or not (the refetch rate limit counts from here)


def kids_of(jwks: dict | None) -> list[str]:
    """The kids a key set holds (for reasons and the unknown-kid refetch)."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        return []
    return [str(k.get("kid")) for k in jwks["keys"] if isinstance(k, dict) and "kid" in k]


def discovery_url(issuer: str) -> str:
    """Where an OIDC issuer publishes its configuration (and so its jwks_uri)."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


class JwksSource:
    """Key sets by issuer: local pools in-process, remote issuers over httpx with a cache."""

    def __init__(self, issuer_keys: IssuerKeys, http: httpx.AsyncClient | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._issuer_keys = issuer_keys
        self._http = http
        self._owns_http = http is None
        self._clock = clock
        self._cache: dict[str, _Cached] = {}

    async def key_set(self, issuer: str, kid: str | None = None) -> KeySet:
        """The key set for `issuer`; `kid` is the token's, so an unknown one triggers one refetch."""
        local = self._local(issuer)
        if local is not None:
            return local
        cached = self._cache.get(issuer)
        now = self._clock()
        if cached is not None and self._still_good(cached, kid, now):
            return cached.key_set
        fetched = await self._fetch(issuer)
        if fetched.jwks is None and cached is not None and cached.key_set.jwks is not None \
                and now - cached.fetched_at < CACHE_SECONDS:
            cached.attempted_at = now
            return cached.key_set  # a failed refresh keeps the keys still within their cache life
        self._cache[issuer] = _Cached(fetched, now, now)
        return fetched

    def _local(self, issuer: str) -> KeySet | None:
        try:
            jwks = self._issuer_keys.local_jwks(issuer)
        except Exception as exc:  # the core failing must read as "no keys", never as an allow
            return KeySet(issuer, None, "local pool", f"the local pool's key set failed: {exc}")
        return None if jwks is None else KeySet(issuer, jwks, "local pool")

    @staticmethod
    def _still_good(cached: _Cached, kid: str | None, now: float) -> bool:
        if now - cached.attempted_at < REFETCH_INTERVAL_SECONDS:
            return True  # tried moments ago: neither a failure nor an unknown kid justifies another request
        if now - cached.fetched_at >= CACHE_SECONDS or cached.key_set.jwks is None:
            return False
        return kid is None or kid in kids_of(cached.key_set.jwks)

    async def _fetch(self, issuer: str) -> KeySet:
        import httpx  # ~40 ms to import: the first proxied request or remote JWKS loads it, not the start

        url = discovery_url(issuer)
        try:
            client = self._client()
            discovery = await self._get_json(client, url)
            jwks_uri = discovery.get("jwks_uri") if isinstance(discovery, dict) else None
            if not isinstance(jwks_uri, str) or not jwks_uri:
                return KeySet(issuer, None, url, f"the discovery document {url} has no jwks_uri")
            jwks = await self._get_json(client, jwks_uri)
            if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
                return KeySet(issuer, None, jwks_uri, f"{jwks_uri} is not a JWKS (no \"keys\" list)")
            return KeySet(issuer, jwks, jwks_uri)
        except (httpx.HTTPError, ValueError) as exc:
            return KeySet(issuer, None, url, f"fetching the keys of issuer {issuer!r} failed: {exc}")

    @staticmethod
    async def _get_json(client: httpx.AsyncClient, url: str) -> object:
        response = await client.get(url, timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=True)
        if response.status_code != 200:
            raise ValueError(f"GET {url} answered HTTP {response.status_code}")
        return response.json()

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient()
        return self._http

    async def aclose(self) -> None:
        """Close the HTTP client if this source created it."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None
