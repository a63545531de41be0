"""Side by side: this emulator and the peers users compare it with, under the same InitiateAuth load, with the
RS256 signing bound measured in the same run. Figures are printed, never asserted.

    python bench/peers.py [--seconds 5] [--peers moto,ministack,cognito-local]

Peers are installed on first use, pinned, into ~/.cache/cognito-emulator-bench (moto's server and ministack
from PyPI in their own virtualenvs, cognito-local from npm), and each is started on a free loopback port.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import jwt
from botocore.config import Config as BotoConfig
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import http_load  # noqa: E402

from emulator.testing import free_port  # noqa: E402

CACHE = Path(os.environ.get("COGNITO_EMULATOR_BENCH_CACHE", Path.home() / ".cache" / "cognito-emulator-bench"))
MOTO = "moto[server]==5.2.5"
MINISTACK = "ministack==1.5.33"
COGNITO_LOCAL = "cognito-local@5.3.0"
PASSWORD = "Bench-Passw0rd!"
# An e-mail: some peers' default pools sign users in by e-mail; a free-form pool takes it as a username.
USERNAME = "bench@example.com"
TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"


@dataclass
class Running:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    ready_seconds: float


def _venv_tool(name: str, requirement: str, tool: str) -> Path:
    folder = CACHE / name
    binary = folder / "bin" / tool
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(folder / "bin" / "pip"), "install", "-q", requirement], check=True)
    return binary


def _cognito_local() -> Path:
    folder = CACHE / "cognito-local"
    binary = folder / "node_modules" / ".bin" / "cognito-local"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(folder), COGNITO_LOCAL],
                       check=True, capture_output=True)
    return binary


def _command(name: str, port: int, workdir: Path) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_DEFAULT_REGION": "us-east-1"}
    if name == "this emulator":  # set up through the API like the peers, from an empty config
        (workdir / "config.yaml").write_text("UserPools: []\n")
        return [sys.executable, "-m", "emulator", "--config", str(workdir / "config.yaml"), "--in-memory",
                "--port", str(port), "--log-level", "warning"], {**env, "PYTHONPATH": str(ROOT)}
    if name == "moto":
        return [str(_venv_tool("moto", MOTO, "moto_server")), "-H", "127.0.0.1", "-p", str(port)], env
    if name == "ministack":
        return [str(_venv_tool("ministack", MINISTACK, "ministack"))], {**env, "GATEWAY_PORT": str(port),
                                                                      "BIND_HOST": "127.0.0.1"}
    if name == "cognito-local":
        return [str(_cognito_local())], {**env, "PORT": str(port), "HOST": "127.0.0.1"}
    raise ValueError(name)


def start(name: str, workdir: Path) -> Running:
    """Start a system on a free loopback port and wait until it answers."""
    port = free_port()
    command, env = _command(name, port, workdir)
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = started + 60
    while time.perf_counter() < deadline:
        try:
            httpx.post(url, headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"},
                       content=b"{}", timeout=1)
            return Running(name, url, process, time.perf_counter() - started)
        except httpx.HTTPError:
            time.sleep(0.01)
    process.kill()
    raise RuntimeError(f"{name} did not answer on {url} within 60 s")


def prepare(url: str) -> str:
    """A pool, a client allowing USER_PASSWORD_AUTH (no secret) and a confirmed user; returns the client id."""
    idp = boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                       aws_secret_access_key="bench", config=BotoConfig(retries={"max_attempts": 1}))
    pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="bench", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=USERNAME, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=USERNAME, Password=PASSWORD, Permanent=True)
    return client


async def load(url: str, client_id: str, concurrency: int, seconds: float) -> tuple[float, list[float], int]:
    """(requests per second, latencies in ms, errors) of InitiateAuth USER_PASSWORD_AUTH at `concurrency`, sent by
    the lean keep-alive client (http_load.py): httpx's own CPU per request would dominate the figures."""
    request = http_load.cognito("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                                 "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD}})
    result = await http_load.load(url, request, concurrency, seconds,
                                  lambda status, body: status == 200 and b"AccessToken" in body)
    return result.rate, result.latencies_ms, result.errors


def signing_bound(seconds: float = 2.0) -> float:
    """RS256 signatures per second on one core (PyJWT, RSA-2048), measured now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        jwt.encode({"sub": "x", "n": count}, key, algorithm="RS256")
        count += 1
    return count / seconds


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load per system and concurrency")
    parser.add_argument("--peers", default="moto,ministack,cognito-local")
    args = parser.parse_args(argv)
    names = ["this emulator"] + [p for p in args.peers.split(",") if p]
    if "cognito-local" in names and shutil.which("npm") is None:
        names.remove("cognito-local")
    bound = signing_bound()
    print(f"RS256 signing bound (one core): {bound:,.0f} signatures/s = {bound / 2:,.0f} sign-ins/s "
          "(two tokens each)\n")
    rows: dict[str, tuple[float, float, float, float, float, float, int]] = {}
    for name in names:
        with tempfile.TemporaryDirectory() as workdir:
            running = start(name, Path(workdir))
            try:
                client = prepare(running.url)
                c1, lat1, err1 = asyncio.run(load(running.url, client, 1, args.seconds))
                c32, lat32, err32 = asyncio.run(load(running.url, client, 32, args.seconds))
            finally:
                running.process.terminate()
                running.process.wait(timeout=10)
        rows[name] = (running.ready_seconds, c1, statistics.median(lat1) if lat1 else float("nan"), c32,
                      statistics.median(lat32) if lat32 else float("nan"), percentile(lat32, 0.99), err1 + err32)
    header = f"{'system':<16}{'start→ready':>12}{'c1 req/s':>10}{'c1 p50':>9}{'c32 req/s':>11}{'c32 p50':>9}" \
             f"{'c32 p99':>9}{'errors':>8}"
    print(header)
    for name, (ready, c1, p50_1, c32, p50_32, p99_32, errors) in rows.items():
        print(f"{name:<16}{ready:>11.2f}s{c1:>10.0f}{p50_1:>7.1f}ms{c32:>11.0f}{p50_32:>7.1f}ms{p99_32:>7.1f}ms"
              f"{errors:>8}")
    ours = rows["this emulator"]
    print(f"\nthis emulator: c1 = {ours[1] / (bound / 2):.0%} of the one-core signing bound, "
          f"c32 = {ours[3] / (bound / 2):.2f}x it")
    for name, row in rows.items():
        if name != "this emulator":
            print(f"vs {name}: c1 {ours[1] / row[1]:.2f}x, c32 {ours[3] / row[3]:.2f}x")
    return 0

if __name__ == "__main__":
    raise SystemExit(main())
