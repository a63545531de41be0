"""Start to first token: `cognito-emulator --config config.yaml` (the bundled config) until the first
InitiateAuth succeeds, measured from outside as a user's CI feels it; in memory, on a new state directory, and
on that state directory again (its keys reused). Figures are printed, never asserted.
Run: python bench/startup.py [--runs 5]"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.testing import free_port  # noqa: E402
from tests.conftest import bundled_config  # noqa: E402

ROOT = Path(os.environ.get("BENCH_EMULATOR_ROOT", Path(__file__).resolve().parent.parent))
USER, CLIENT = "peroper@hoge.com", "piyopiyo"
BODY = json.dumps({"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
    "USERNAME": USER, "PASSWORD": "munyamunya", "SECRET_HASH": secret_hash("amoamo", USER, CLIENT)}}).encode()


def _sign_in(port: int) -> bool:
    """One InitiateAuth on a fresh connection; True once it returns tokens."""
    request = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(BODY)}\r\n"
               "X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\n"
               "Content-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\n").encode() + BODY
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        return answer.startswith(b"HTTP/1.1 200") and b"AccessToken" in answer
    except OSError:
        return False


def first_token_seconds(config: Path, *state: str) -> tuple[float, float]:
    """(wall seconds to the first token, CPU seconds the emulator used by then and to exit)."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--config", str(config), "--port", str(port),
                                "--log-level", "warning", *state], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        while not _sign_in(port):
            if process.poll() is not None:
                raise RuntimeError("the emulator exited before answering")
            time.sleep(0.002)
        wall = time.perf_counter() - started
    finally:
        process.terminate()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(yaml.safe_dump(bundled_config(with_apis=True)))
        python = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        print(f"a bare `python -c pass`: {time.perf_counter() - python:.3f} s\n")
        cases = {"--in-memory": lambda i: ["--in-memory"],
                 "new --state dir": lambda i: ["--state", str(Path(tmp) / f"new{i}")],
                 "same --state dir again": lambda i: ["--state", str(Path(tmp) / "kept")]}
        first_token_seconds(config, "--state", str(Path(tmp) / "kept"))  # the kept dir gets its keys
        for name, state in cases.items():
            runs = [first_token_seconds(config, *state(i)) for i in range(args.runs)]
            walls, cpus = [w for w, _ in runs], [c for _, c in runs]
            print(f"start to first token, {name:<24} median {statistics.median(walls):.3f} s  "
                  f"(min {min(walls):.3f}, max {max(walls):.3f}; the emulator's CPU median "
                  f"{statistics.median(cpus):.3f} s; {args.runs} runs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
