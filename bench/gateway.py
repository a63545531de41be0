"""The gateway over HTTP, the emulator in its own process: a trivial Python handler with and without the JWT
authorizer (what the authorizer adds at c1, authorized req/s at c32), and the HTTP proxy to a local keep-alive
backend against calling that backend directly. Figures are printed, never asserted.
Run: python bench/gateway.py [--seconds 3] [--rounds 3]"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
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
                                  {"RouteKey": "GET /proxy", "Target": f"http://127.0.0.1:{backend_port}/"}]}]
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


def p50(url: str, request: Request, seconds: float) -> float:
    result = http_load.run(url, request, 1, seconds)
    if result.errors:
        raise RuntimeError(f"{request.path}: {result.first_error}")
    return result.percentile(0.5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are printed")
    args = parser.parse_args(argv)
    backend_port = free_port()
    backend = subprocess.Popen([sys.executable, str(Path(__file__).parent / "trivial_backend.py"),
                                str(backend_port)], stdout=subprocess.PIPE, text=True)
    try:
        assert backend.stdout is not None and backend.stdout.readline().strip() == "ready"
        with served(bench_config(backend_port)) as emulator:
            api = emulator.api_urls["bench"]
            backend_url = f"http://127.0.0.1:{backend_port}"
            guarded = Request("GET", "/guarded", {"Authorization": f"Bearer {id_token(emulator.url)}"})
            cases = {"trivial handler, no authorizer": (api, Request("GET", "/open")),
                     "trivial handler, JWT authorizer": (api, guarded),
                     "backend called directly": (backend_url, Request("GET", "/")),
                     "backend through the gateway proxy": (api, Request("GET", "/proxy"))}
            for url, request in cases.values():
                p50(url, request, 0.3)  # warm up: imports, connection pools, the signature memo
            rounds: dict[str, list[float]] = {name: [] for name in cases}
            for _ in range(args.rounds):
                for name, (url, request) in cases.items():
                    rounds[name].append(p50(url, request, args.seconds))
            medians = {name: statistics.median(values) for name, values in rounds.items()}
            print(f"c1 p50, median of {args.rounds} alternating rounds of {args.seconds:g} s:")
            for name, value in medians.items():
                print(f"  {name:<40} {value:7.3f} ms")
            print(f"  the JWT authorizer adds {medians['trivial handler, JWT authorizer'] - medians['trivial handler, no authorizer']:+.3f} ms; "  # noqa: E501
                  f"the proxy adds {medians['backend through the gateway proxy'] - medians['backend called directly']:+.3f} ms")  # noqa: E501
            cpu = emulator.cpu_seconds()
            c32 = http_load.run(api, guarded, 32, args.seconds)
            per_request = (emulator.cpu_seconds() - cpu) * 1000 / max(1, len(c32.latencies_ms))
            print(f"\nauthorized requests at c32: {c32.rate:,.0f} req/s, p50 {c32.percentile(0.5):.1f} ms, "
                  f"p99 {c32.percentile(0.99):.1f} ms, {c32.errors} errors; emulator CPU {per_request:.3f} ms/req")
    finally:
        backend.terminate()
        backend.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
