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
import base64
import compileall
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import httpx
import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config as BotoConfig
from botocore.credentials import Credentials
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
    idp = _idp(url)
    pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool, ClientName="bench", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=USERNAME, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=USERNAME, Password=PASSWORD, Permanent=True)
    return client


def sign_in(client_id: str) -> http_load.Request:
    return http_load.cognito("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                              "AuthParameters": {"USERNAME": USERNAME, "PASSWORD": PASSWORD}})


def load(url: str, client_id: str, concurrency: int, seconds: float) -> http_load.Summary:
    """InitiateAuth USER_PASSWORD_AUTH at `concurrency` (see `load_request`)."""
    return load_request(url, sign_in(client_id), "AccessToken", concurrency, seconds)


def load_request(url: str, request: http_load.Request, needle: str, concurrency: int,
                 seconds: float) -> http_load.Summary:
    """`request` at `concurrency` (an answer is good when it is a 200 holding `needle`), sent by wrk, or by the
    lean keep-alive client (http_load.py) without it: httpx's own CPU per request would dominate the figures."""
    summary = http_load.wrk(url, request, concurrency, seconds, needle=needle)
    if summary is not None:
        return summary
    return http_load.Summary.of(asyncio.run(http_load.load(
        url, request, concurrency, seconds, lambda status, body: status == 200 and needle.encode() in body)))


def other_operations(url: str, client_id: str) -> dict[str, tuple[http_load.Request, str] | str]:
    """The other shared operations, each as (request, what a good answer holds), or why a system cannot
    serve it (its set-up was refused)."""
    idp = _idp(url)
    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": USERNAME, "PASSWORD": PASSWORD})["AuthenticationResult"]
    pool = idp.list_user_pools(MaxResults=10)["UserPools"][0]["Id"]  # the one prepare() made
    signed = AWSRequest("POST", url + "/", data=json.dumps({"UserPoolId": pool, "Username": USERNAME}).encode(),
                        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.AdminGetUser",
                                 "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials("bench", "bench"), "cognito-idp", "us-east-1").add_auth(signed)
    operations: dict[str, tuple[http_load.Request, str] | str] = {
        "InitiateAuth REFRESH_TOKEN_AUTH": (http_load.cognito("InitiateAuth", {
            "ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}}), "AccessToken"),
        "GetUser": (http_load.cognito("GetUser", {"AccessToken": tokens["AccessToken"]}), "Username"),
        "AdminGetUser (SigV4)": (http_load.Request("POST", "/", {k: v for k, v in signed.headers.items()
                                                               if k.lower() != "host"}, signed.body), "Username"),
    }
    try:
        idp.create_resource_server(UserPoolId=pool, Identifier="bench", Name="bench",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "read"}])
        machine = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="machine", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["bench/read"])["UserPoolClient"]
        basic = base64.b64encode(f"{machine['ClientId']}:{machine['ClientSecret']}".encode()).decode()
        operations["/oauth2/token client_credentials"] = (http_load.Request("POST", "/oauth2/token", {
            "Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
            b"grant_type=client_credentials&scope=bench%2Fread"), "access_token")
    except botocore.exceptions.ClientError as error:
        operations["/oauth2/token client_credentials"] = f"set-up refused: {error}"
    return operations


def _idp(url: str) -> Any:
    return boto3.client("cognito-idp", endpoint_url=url, region_name="us-east-1", aws_access_key_id="bench",
                        aws_secret_access_key="bench", config=BotoConfig(retries={"max_attempts": 1}))



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
    parser.add_argument("--no-operations", dest="operations", action="store_false",
                        help="only InitiateAuth (not REFRESH_TOKEN_AUTH, GetUser, AdminGetUser, client_credentials)")
    args = parser.parse_args(argv)
    ours = [OURS] + ([f"{OURS} --workers {args.workers}"] if args.workers > 1 else [])
    names = ours + [p for p in args.peers.split(",") if p]
    if "cognito-local" in names and shutil.which("npm") is None:
        names.remove("cognito-local")
    # As `pip install` leaves an installed package (and the peers' own virtualenvs): start-up is not the compiler's.
    compileall.compile_dir(str(ROOT / "emulator"), quiet=1)
    bound = signing_bound()
    print(f"RS256 signing bound (one core): {bound:,.0f} signatures/s = {bound / 2:,.0f} sign-ins/s "
          f"(two tokens each); load from {'wrk' if shutil.which('wrk') else 'bench/http_load.py'}\n")
    rows: dict[str, tuple[float, http_load.Summary, http_load.Summary]] = {}
    ops: dict[str, dict[str, http_load.Summary | str]] = {}
    for name in names:
        with tempfile.TemporaryDirectory() as workdir:
            running = start(name, Path(workdir))
            try:
                client = prepare(running.url)
                rows[name] = (running.ready_seconds, load(running.url, client, 1, args.seconds),
                              load(running.url, client, 32, args.seconds))
                if args.operations:
                    ops[name] = _measure_operations(running.url, client, args.seconds)
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
    if ops:
        _print_operations(ops, width)
    return 0


def _measure_operations(url: str, client_id: str, seconds: float) -> dict[str, http_load.Summary | str]:
    measured: dict[str, http_load.Summary | str] = {}
    for operation, spec in other_operations(url, client_id).items():
        if isinstance(spec, str):
            measured[operation] = spec
            continue
        request, needle = spec
        probe = load_request(url, request, needle, 1, 1)
        measured[operation] = (f"answers fail ({probe.errors} of the first second's requests)" if probe.errors
                               else load_request(url, request, needle, 1, seconds))
    return measured


def _print_operations(ops: dict[str, dict[str, http_load.Summary | str]], width: int) -> None:
    """req/s at c1 per operation and system (a system that fails one says why below the table)."""
    systems = list(ops)
    print(f"\nOther shared operations, c1 req/s (p50 ms):\n{'operation':<34}"
          + "".join(f"{name:>{max(14, len(name) + 2)}}" for name in systems))
    notes = []
    for operation in next(iter(ops.values())):
        cells = []
        for name in systems:
            value = ops[name].get(operation, "not measured")
            cell = f"{value.rate:.0f} ({value.p50_ms:.1f})" if isinstance(value, http_load.Summary) else "n/a"
            if not isinstance(value, http_load.Summary):
                notes.append(f"  {name}, {operation}: {value}")
            cells.append(f"{cell:>{max(14, len(name) + 2)}}")
        print(f"{operation:<34}" + "".join(cells))
    print("\n".join(notes))


if __name__ == "__main__":
    raise SystemExit(main())
