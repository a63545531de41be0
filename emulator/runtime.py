"""The app's wiring: store, keys, signer, decisions log and the one clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from emulator import seeding
from emulator.clock import Clock, as_clock
from emulator.config import Config
from emulator.decisions import DecisionLog
from emulator.key_supply import KeySupply
from emulator.keys import Keyring, SigningKey
from emulator.kms.keys import LocalKms
from emulator.lambdas.environment import lambda_environment
from emulator.lambdas.invoker import LambdaInvoker
from emulator.model import pool_issuer
from emulator.state import Kind, Store
from emulator.tokens import TokenSigner

T = TypeVar("T")


@dataclass
class Runtime:
    store: Store
    config: Config
    decisions: DecisionLog = field(default_factory=DecisionLog)
    clock: Clock = field(default_factory=Clock)
    base_url: str = "http://127.0.0.1:9229"  # where the hosted UI and JWKS are served
    api_urls: dict[str, str] = field(default_factory=dict)  # gateway API name -> its URL, once bound (dashboard)
    workers: int = 1  # processes serving this state (--workers; workers.py)
    key_supply: KeySupply[SigningKey] | None = None  # keys already being made (cli.py), else the keyring's own

    def __post_init__(self) -> None:
        self.keyring = Keyring(self.store, self.key_supply)
        self._published: dict[str, tuple[int, dict | None]] = {}  # issuer -> (pools_generation, JWKS)
        self.signer = TokenSigner(self.keyring)
        # The one invoker for Lambda code (triggers); it owns the Node workers, stopped by close().
        self.lambdas = LambdaInvoker(self.config.base_dir or Path.cwd(), self.config.functions,
                                     environment=self.lambda_environment)
        # The local KMS whose keys encrypt the codes custom sender triggers get (kms/).
        self.kms = LocalKms(self.store, declared=self._kms_key_ids)

    @classmethod
    def open(cls, config: Config, state_dir: Path | None, clock: Clock | Callable[[], float] | None = None,
             **kwargs: object) -> Runtime:
        """A runtime on a state directory (None: in memory), seeded from the config.

        `clock`: a Clock, or a callable whose time the runtime's Clock runs on (tests move it)."""
        if state_dir is not None:
            Path(state_dir).mkdir(parents=True, exist_ok=True)
        the_clock = as_clock(clock)
        store = Store(None if state_dir is None else Path(state_dir) / "state.sqlite3", clock=the_clock)
        runtime = cls(store=store, config=config, clock=the_clock, **kwargs)  # type: ignore[arg-type]
        store.purge_expired()  # spent sessions and codes of earlier runs
        for _, name, _ in store.items(Kind.SNAPSHOT, ""):  # test-control snapshots last one run, as they always did
            store.delete(Kind.SNAPSHOT, "", name)
        runtime.seed()
        return runtime

    def committed(self, work: Callable[..., T], *args: Any, commit_on: tuple[type[BaseException], ...] = ()) -> T:
        """`work(*args)` as one store transaction (an exception rolls it back unless it is one of `commit_on`),
        its result's tokens signed once it has committed (the signatures never hold the store's write lock), unless
        the caller signs them (`TokenSigner.signed_by_caller`)."""
        with self.signer.deferred(), self.store.transaction(commit_on=commit_on):
            result = work(*args)
        return self.signer.complete(result)

    def close(self) -> None:
        """Stop the Lambda workers and the keys' background work, and close the store (the server has stopped)."""
        self.lambdas.close()
        self.keyring.close()
        self.signer.close()
        self.store.close()

    def lambda_environment(self) -> dict[str, str]:
        """What Node workers get beside the emulator's environment: KMS at this emulator (custom senders)."""
        return lambda_environment(self.base_url, self.config.region, self.config.credentials)

    def _kms_key_ids(self) -> list[str]:
        return [p.pool.lambda_config["KMSKeyID"] for p in self.config.pools if p.pool.lambda_config.get("KMSKeyID")]

    def now(self) -> int:
        return self.clock.now()

    def seed(self) -> None:
        """Apply the config to the store (at start and on reset)."""
        seeding.seed(self)

    # -- IssuerKeys, for the gateway's authorizers --------------------------------------------
    def local_jwks(self, issuer: str) -> dict | None:
        # Runs on every gateway request, on the event loop: answered from what the pools published last, so
        # a Cognito operation holding the store (a slow trigger, say) never holds up the gateway.
        generation = self.store.pools_generation
        cached = self._published.get(issuer)
        if cached is not None and cached[0] == generation:
            return cached[1]
        jwks = self._read_jwks(issuer)
        self._published[issuer] = (generation, jwks)
        return jwks

    def _read_jwks(self, issuer: str) -> dict | None:
        # Every issuer form ends in the pool id; the stored pool then says whether it is this pool's.
        issuer = issuer.rstrip("/")
        pool_id = issuer.rsplit("/", 1)[-1]
        record = self.store.get(Kind.POOL, "", pool_id)
        if record is None:
            return None
        region = record.get("Region") or pool_id.split("_", 1)[0]
        if pool_issuer(pool_id, region, record.get("Issuer")) != issuer:
            return None
        return self.keyring.jwks(pool_id)

    def pool_issuer(self, pool_id: str) -> str | None:
        pool = self.store.pool(pool_id)
        return pool.issuer if pool else None
