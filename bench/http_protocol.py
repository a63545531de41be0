"""The HTTP/1.1 protocol alone: a trivial ASGI app under uvicorn's h11 protocol (what every port ran before),
uvicorn's httptools protocol, and the emulator's (httptools plus its checks, emulator/http_protocol.py), each in
its own process; alternating rounds at c1 and c32 driven by wrk when present, else the bundled client. Prints
medians of req/s, p50 and the server's CPU per request, and each protocol's ratio to h11; never asserts.
Run: python bench/http_protocol.py [--seconds 3] [--rounds 3]"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import http_load  # noqa: E402
from served import wait_for_port  # noqa: E402

from emulator.testing import free_port  # noqa: E402

PROTOCOLS = ("h11", "httptools", "emulator")


async def trivial(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"{}"})


def serve(protocol: str, port: int) -> None:
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from emulator.http_protocol import guarded, plain_answer

    chosen = {"h11": H11Protocol, "httptools": HttpToolsProtocol,
              "emulator": guarded("EmulatorHttp", plain_answer, None)}[protocol]
    config = uvicorn.Config(trivial, host="127.0.0.1", port=port, http=chosen, ws="none", lifespan="off",
                            log_level="warning", access_log=False, server_header=False, proxy_headers=False)
    asyncio.run(uvicorn.Server(config).serve())


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_round(url: str, concurrency: int, seconds: float) -> tuple[float, float, int]:
    """(req/s, p50 ms, requests) of GET / at `concurrency`."""
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--latency", url + "/"],
                             capture_output=True, text=True, check=True).stdout
        p50 = re.search(r" 50%\s+([\d.]+)(us|ms|s)", out)
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)] if p50 else float("nan")
        return (float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                float(p50.group(1)) * scale if p50 else float("nan"),
                int(re.search(r"(\d+) requests in", out).group(1)))
    result = http_load.run(url, http_load.Request("GET", "/"), concurrency, seconds)
    return result.rate, result.percentile(0.5), len(result.latencies_ms)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; medians are printed")
    parser.add_argument("--serve", nargs=2, metavar=("PROTOCOL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return 0
    ports = {name: free_port() for name in PROTOCOLS}
    servers = {name: subprocess.Popen([sys.executable, __file__, "--serve", name, str(port)])
               for name, port in ports.items()}
    try:
        for port in ports.values():
            wait_for_port(port, time.perf_counter() + 20)
        print(f"load: {'wrk' if shutil.which('wrk') else 'the bundled client'}; medians of {args.rounds} "
              f"alternating rounds of {args.seconds:g} s")
        for concurrency in (1, 32):
            figures: dict[str, list[tuple[float, float, float]]] = {name: [] for name in PROTOCOLS}
            for _ in range(args.rounds):
                for name, port in ports.items():
                    before = cpu_seconds(servers[name].pid)
                    rate, p50, count = one_round(f"http://127.0.0.1:{port}", concurrency, args.seconds)
                    figures[name].append((rate, p50, (cpu_seconds(servers[name].pid) - before) * 1e6 / max(1, count)))
            base = statistics.median(f[0] for f in figures["h11"])
            print(f"c{concurrency}:")
            for name, values in figures.items():
                rate = statistics.median(v[0] for v in values)
                print(f"  {name:<10} {rate:9,.0f} req/s ({rate / base:4.2f}x h11)  p50 "
                      f"{statistics.median(v[1] for v in values):6.3f} ms  server CPU "
                      f"{statistics.median(v[2] for v in values):5.0f} us/req")
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
