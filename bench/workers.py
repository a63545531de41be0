"""InitiateAuth USER_PASSWORD_AUTH at c1 and c32 against this emulator with `--workers 1` and `--workers N`, the
same load as bench/peers.py (its client, pool setup and signing bound), one state directory per run.

    python bench/workers.py [--seconds 5] [--workers 1,2] [--rounds 2]

Figures are printed, never asserted; rounds alternate the worker counts so machine noise hits each alike."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peers import ROOT, TARGET, load, percentile, prepare, signing_bound  # noqa: E402 (bench/ is the script's folder)

from emulator.testing import free_port  # noqa: E402


def start(workers: int, workdir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    (workdir / "config.yaml").write_text("UserPools: []\n")
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--config", str(workdir / "config.yaml"),
                                "--state", str(workdir / "state"), "--port", str(port), "--log-level", "warning",
                                "--workers", str(workers)], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() < began + 60:
        try:
            httpx.post(url, headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
                       content=b"{}", timeout=1)
            return process, url, time.perf_counter() - began
        except httpx.HTTPError:
            time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"--workers {workers} did not answer within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    bound = signing_bound()
    print(f"RS256 signing bound (one core): {bound:,.0f} signatures/s = {bound / 2:,.0f} sign-ins/s\n")
    print(f"{'workers':<9}{'round':>6}{'ready':>8}{'c1 req/s':>10}{'c1 p50':>9}{'c32 req/s':>11}{'c32 p50':>9}"
          f"{'c32 p99':>9}{'errors':>8}", flush=True)
    for round_ in range(1, args.rounds + 1):
        for workers in (int(w) for w in args.workers.split(",")):
            with tempfile.TemporaryDirectory() as workdir:
                process, url, ready = start(workers, Path(workdir))
                try:
                    client = prepare(url)
                    c1, lat1, err1 = asyncio.run(load(url, client, 1, args.seconds))
                    c32, lat32, err32 = asyncio.run(load(url, client, 32, args.seconds))
                except httpx.HTTPError as error:  # a connection the server closed (keep-alive timeout): say so
                    print(f"{workers:<9}{round_:>6}  the load failed: {type(error).__name__} {error}", flush=True)
                    continue
                finally:
                    process.terminate()
                    process.wait(timeout=20)
            print(f"{workers:<9}{round_:>6}{ready:>7.2f}s{c1:>10.0f}{statistics.median(lat1):>7.1f}ms{c32:>11.0f}"
                  f"{statistics.median(lat32):>7.1f}ms{percentile(lat32, 0.99):>7.1f}ms{err1 + err32:>8}", flush=True)


if __name__ == "__main__":
    main()
