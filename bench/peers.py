"""Side by side: this emulator and the peers users compare it with, under the same InitiateAuth load, with the
RS256 signing bound measured in the same run. Figures are printed, never asserted.

    python bench/peers.py [--seconds 5] [--peers moto,ministack,cognito-local] [--workers 2]

Peers are installed on first use, pinned, into ~/.cache/cognito-emulator-bench (moto's server and ministack
from PyPI in their own virtualenvs, cognito-local from npm), and each is started on a free loopback port.
The load comes from wrk when it is installed (`apt install wrk`), else from bench/http_load.py; this emulator
runs once as one process (in memory) and once with `--workers N` (a state directory, as workers need).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
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
OURS = "this emulator"


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
    if name.startswith(OURS):  # set up through the API like the peers, from an empty config
        (workdir / "config.yaml").write_text("UserPools: []\n")
        workers = name.removeprefix(OURS).strip().removeprefix("--workers ")
        store = ["--workers", workers, "--state", str(workdir / "state")] if workers else ["--in-memory"]
        return [sys.executable, "-m", "emulator", "--config", str(workdir / "config.yaml"), *store,
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


def load(url: str, client_id: str, concurrency: int, seconds: float) -> http_load.Summary:
    """InitiateAuth USER_PASSWORD_AUTH at `concurrency`, sent by wrk, or by the lean keep-alive client
    (http_load.py) without it: httpx's own CPU per request would dominate the figures."""
    request = http_load.cognito("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                                 "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD}})
    summary = http_load.wrk(url, request, concurrency, seconds, needle="AccessToken")
    if summary is not None:
        return summary
    return http_load.Summary.of(asyncio.run(http_load.load(
        url, request, concurrency, seconds, lambda status, body: status == 200 and b"AccessToken" in body)))


def signing_bound(seconds: float = 2.0) -> float:
    """RS256 signatures per second on one core (PyJWT, RSA-2048), measured now."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    count, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        jwt.encode({"sub": "x", "n": count}, key, algorithm="RS256")
        count += 1
    return count / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load per system and concurrency")
    parser.add_argument("--peers", default="moto,ministack,cognito-local")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes of this emulator's second row (0: no second row)")
    args = parser.parse_args(argv)
    ours = [OURS] + ([f"{OURS} --workers {args.workers}"] if args.workers > 1 else [])
    names = ours + [p for p in args.peers.split(",") if p]
    if "cognito-local" in names and shutil.which("npm") is None:
        names.remove("cognito-local")
    bound = signing_bound()
    print(f"RS256 signing bound (one core): {bound:,.0f} signatures/s = {bound / 2:,.0f} sign-ins/s "
          f"(two tokens each); load from {'wrk' if shutil.which('wrk') else 'bench/http_load.py'}\n")
    rows: dict[str, tuple[float, http_load.Summary, http_load.Summary]] = {}
    for name in names:
        with tempfile.TemporaryDirectory() as workdir:
            running = start(name, Path(workdir))
            try:
                client = prepare(running.url)
                rows[name] = (running.ready_seconds, load(running.url, client, 1, args.seconds),
                              load(running.url, client, 32, args.seconds))
            finally:
                running.process.terminate()
                running.process.wait(timeout=10)
    width = max(len(name) for name in names) + 2
    print(f"{'system':<{width}}{'start→ready':>12}{'c1 req/s':>10}{'c1 p50':>9}{'c32 req/s':>11}{'c32 p50':>9}"
          f"{'c32 p99':>9}{'errors':>8}")
    for name, (ready, c1, c32) in rows.items():
        print(f"{name:<{width}}{ready:>11.2f}s{c1.rate:>10.0f}{c1.p50_ms:>7.1f}ms{c32.rate:>11.0f}"
              f"{c32.p50_ms:>7.1f}ms{c32.p99_ms:>7.1f}ms{c1.errors + c32.errors:>8}")
    for mine in ours:
        _, c1, c32 = rows[mine]
        print(f"\n{mine}: c1 = {c1.rate / (bound / 2):.0%} of the one-core signing bound, "
              f"c32 = {c32.rate / (bound / 2):.2f}x it")
        for name, (_, peer1, peer32) in rows.items():
            if not name.startswith(OURS):
                print(f"  vs {name}: c1 {c1.rate / peer1.rate:.2f}x, c32 {c32.rate / peer32.rate:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
