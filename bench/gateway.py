"""The gateway over HTTP, the emulator in its own process, side by side in one run: (a) a local keep-alive backend
called directly, (b) through a gateway HTTP proxy route, (c) the same with the JWT authorizer, (d) a trivial Python
handler without / with the JWT authorizer; c1 p50 and c32 req/s of each, and what each adds over its baseline row.
Driven by wrk when installed (else bench/http_load.py). Figures are printed, never asserted.
Run: python bench/gateway.py [--seconds 3] [--rounds 3] [--client wrk|lean] [--workers 1]"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import http_load  # noqa: E402
from http_load import Request  # noqa: E402
from served import served  # noqa: E402

from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.testing import free_port  # noqa: E402
from tests.conftest import POOL_ID, bundled_config  # noqa: E402

ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
HANDLER = "python:bench.trivial_backend:handler"


def bench_config(backend_port: int) -> dict:
    config = bundled_config()
    config["Apis"] = [{"Name": "bench", "ProtocolType": "HTTP", "Port": free_port(),
                       "Authorizers": [{"Name": "jwt", "AuthorizerType": "JWT",
                                        "IdentitySource": "$request.header.Authorization",
                                        "JwtConfiguration": {"Issuer": ISSUER, "Audience": ["piyopiyo"]}}],
                       "Routes": [{"RouteKey": "GET /open", "Target": HANDLER},
                                  {"RouteKey": "GET /guarded", "AuthorizerName": "jwt", "Target": HANDLER},
                                  {"RouteKey": "GET /proxy", "Target": f"http://127.0.0.1:{backend_port}/"},
                                  {"RouteKey": "GET /proxy-guarded", "AuthorizerName": "jwt",
                                   "Target": f"http://127.0.0.1:{backend_port}/"}]}]
    return config


def id_token(url: str) -> str:
    body = {"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
        "USERNAME": "peroper@hoge.com", "PASSWORD": "munyamunya",
        "SECRET_HASH": secret_hash("amoamo", "peroper@hoge.com", "piyopiyo")}}
    holder: dict[str, str] = {}

    def keep(status: int, raw: bytes) -> bool:
        holder["token"] = json.loads(raw)["AuthenticationResult"]["IdToken"]
        return status == 200

    http_load.run(url, http_load.cognito("InitiateAuth", body), 1, 0.01, keep)
    return holder["token"]


@dataclass(frozen=True)
class Row:
    name: str
    url: str
    request: Request
    baseline: str | None  # the row whose figure this one's "adds" is measured against


@dataclass
class Figures:
    p50_ms: list[float]
    rate: list[float]


def measure(row: Row, concurrency: int, seconds: float, client: str) -> tuple[float, float]:
    """(p50 ms, req/s) of one run of `row` at `concurrency`; an error answer stops the bench."""
    if client == "wrk":
        result = http_load.wrk(row.url, row.request, concurrency, seconds)
        assert result is not None, "wrk is not installed"
        if result.errors:
            raise RuntimeError(f"{row.name}: {result.errors} errors at c{concurrency}")
        return result.p50_ms, result.rate
    lean = http_load.run(row.url, row.request, concurrency, seconds)
    if lean.errors:
        raise RuntimeError(f"{row.name}: {lean.first_error}")
    return lean.percentile(0.5), lean.rate


def rows(api: str, backend_url: str, token: str) -> list[Row]:
    bearer = {"Authorization": f"Bearer {token}"}
    return [Row("(a) backend called directly", backend_url, Request("GET", "/"), None),
            Row("(b) proxy, no authorizer", api, Request("GET", "/proxy"), "(a) backend called directly"),
            Row("(c) proxy, JWT authorizer", api, Request("GET", "/proxy-guarded", bearer), "(b) proxy, no authorizer"),
            Row("(d) handler, no authorizer", api, Request("GET", "/open"), None),
            Row("(d) handler, JWT authorizer", api, Request("GET", "/guarded", bearer), "(d) handler, no authorizer")]


def report(table: list[Row], figures: dict[str, Figures], rounds: int, seconds: float, client: str) -> None:
    p50 = {name: statistics.median(f.p50_ms) for name, f in figures.items()}
    rate = {name: statistics.median(f.rate) for name, f in figures.items()}
    print(f"{client}, medians of {rounds} alternating rounds of {seconds:g} s per row and concurrency")
    print(f"  {'row':<30} {'c1 p50 ms':>10} {'adds ms':>8} {'c32 req/s':>10}  baseline")
    for row in table:
        adds = f"{p50[row.name] - p50[row.baseline]:+8.3f}" if row.baseline else f"{'':>8}"
        print(f"  {row.name:<30} {p50[row.name]:10.3f} {adds} {rate[row.name]:10,.0f}  {row.baseline or ''}")
    direct = "(a) backend called directly"
    print(f"\n  the proxy adds {p50['(b) proxy, no authorizer'] - p50[direct]:+.3f} ms p50 over the backend "
          f"(target <= 0.5); the JWT authorizer adds "
          f"{p50['(d) handler, JWT authorizer'] - p50['(d) handler, no authorizer']:+.3f} ms to a handler route "
          f"(target <= 0.2); authorized handler req/s at c32: {rate['(d) handler, JWT authorizer']:,.0f} "
          "(target >= 4,000)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are printed")
    parser.add_argument("--client", choices=("wrk", "lean"), default="wrk" if shutil.which("wrk") else "lean",
                        help="load generator: wrk if installed, else bench/http_load.py")
    parser.add_argument("--workers", type=int, default=1,
                        help="serve with --workers N (a state directory) instead of one in-memory process")
    args = parser.parse_args(argv)
    backend_port = free_port()
    backend = subprocess.Popen([sys.executable, str(Path(__file__).parent / "trivial_backend.py"),
                                str(backend_port)], stdout=subprocess.PIPE, text=True)
    try:
        assert backend.stdout is not None and backend.stdout.readline().strip() == "ready"
        config = bench_config(backend_port)
        with served(config, workers=args.workers) as emulator:
            table = rows(emulator.api_urls["bench"], f"http://127.0.0.1:{backend_port}", id_token(emulator.url))
            for row in table:
                measure(row, 1, 0.3, "lean")  # warm up: imports, connection pools, the signature memo
            figures = {row.name: Figures([], []) for row in table}
            for _ in range(args.rounds):
                for row in table:
                    figures[row.name].p50_ms.append(measure(row, 1, args.seconds, args.client)[0])
                    figures[row.name].rate.append(measure(row, 32, args.seconds, args.client)[1])
            print(f"emulator: {args.workers} worker process(es)")
            report(table, figures, args.rounds, args.seconds, args.client)
            guarded = table[-1]
            cpu = emulator.cpu_seconds()
            c32 = http_load.run(guarded.url, guarded.request, 32, args.seconds)
            per_request = (emulator.cpu_seconds() - cpu) * 1000 / max(1, len(c32.latencies_ms))
            print(f"  emulator CPU per authorized handler request at c32 (lean client): {per_request:.3f} ms")
    finally:
        backend.terminate()
        backend.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
