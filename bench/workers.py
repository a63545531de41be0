"""InitiateAuth USER_PASSWORD_AUTH at c1 and c32 against this emulator with `--workers 1` and `--workers N`, the
same load as bench/peers.py (its load, pool setup and signing bound), one state directory per run.

    python bench/workers.py [--seconds 5] [--workers 1,2] [--rounds 2]

Figures are printed, never asserted; rounds alternate the worker counts so machine noise hits each alike."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peers import OURS, load, prepare, signing_bound, start  # noqa: E402 (bench/ is the script's folder)


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
                running = start(f"{OURS} --workers {workers}", Path(workdir))
                try:
                    client = prepare(running.url)
                    c1, c32 = load(running.url, client, 1, args.seconds), load(running.url, client, 32, args.seconds)
                except httpx.HTTPError as error:  # a connection the server closed (keep-alive timeout): say so
                    print(f"{workers:<9}{round_:>6}  the load failed: {type(error).__name__} {error}", flush=True)
                    continue
                finally:
                    running.process.terminate()
                    running.process.wait(timeout=20)
            print(f"{workers:<9}{round_:>6}{running.ready_seconds:>7.2f}s{c1.rate:>10.0f}{c1.p50_ms:>7.1f}ms"
                  f"{c32.rate:>11.0f}{c32.p50_ms:>7.1f}ms{c32.p99_ms:>7.1f}ms{c1.errors + c32.errors:>8}", flush=True)


if __name__ == "__main__":
    main()
