"""How long a hostile request to the Cognito port can hold up the other ports, measured (never asserted).

An emulator process serves the bundled config (both gateway APIs). A probe thread keeps asking a gateway
port for a JWT-guarded route while the hostile corpus goes to the Cognito port one request at a time;
each probe's latency is recorded against the hostile request it overlapped. Printed: the probe's median
when idle, and the worst probe latency (the stall) per hostile input. Run: python bench/stall.py [--quick]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.testing import free_port  # noqa: E402
from tests.conftest import bundled_config  # noqa: E402

TARGET = "AWSCognitoIdentityProviderService."
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cognito-idp/aws4_request, "
                           "SignedHeaders=host;x-amz-date, Signature=00", "X-Amz-Date": "20260101T000000Z"}


def hostile_corpus() -> dict[str, Callable[[httpx.Client], object]]:
    """The requests that once stalled every port (issue #1), and other heavy ones, as callables."""
    def api(operation: str, body: bytes, **headers: str) -> Callable[[httpx.Client], object]:
        return lambda http: http.post("/", content=body, headers={"X-Amz-Target": TARGET + operation, **headers})

    def pool(**settings: object) -> bytes:
        return json.dumps({"PoolName": "p", **settings}).encode()

    def huge(total: int) -> Iterator[bytes]:
        block = b"a" * 65536
        for _ in range(total // len(block)):
            yield block

    return {
        "115 KB Authorization on InitiateAuth": api("InitiateAuth", b'{"ClientId": "x"}',
                                                    Authorization="Credential=" * 10_500),
        "32 KB ReplyToEmailAddress": api("CreateUserPool", pool(EmailConfiguration={
            "ReplyToEmailAddress": "@" * 32_000 + " "}), **SIGNED),
        "36 KB EmailMessageByLink": api("CreateUserPool", pool(VerificationMessageTemplate={
            "EmailMessageByLink": "{##" * 12_000}), **SIGNED),
        "20 KB EmailMessage of {####}": api("CreateUserPool", pool(VerificationMessageTemplate={
            "EmailMessage": "{####}" * 3_400 + "\x00"}), **SIGNED),
        "1 MiB email value": api("CreateUserPool", pool(EmailConfiguration={
            "ReplyToEmailAddress": "@" * 1_000_000 + " "}), **SIGNED),
        "JSON nested 100,000 deep": api("InitiateAuth", b"[" * 100_000 + b"]" * 100_000),
        "20,000 map keys": api("InitiateAuth", json.dumps({"ClientId": "x", "AuthFlow": "USER_PASSWORD_AUTH",
                                                           "ClientMetadata": {str(i): "v" for i in range(20_000)}
                                                           }).encode()),
        "300 MiB streamed body": lambda http: http.post("/", content=huge(300 * 2**20),
                                                        headers={"X-Amz-Target": TARGET + "InitiateAuth"}),
        "forged JWT on GetUser": api("GetUser", json.dumps({"AccessToken": "eyJhbGciOiJub25lIn0." + "A" * 500_000
                                                            + "."}).encode()),
    }


def serve(config_dir: Path) -> tuple[subprocess.Popen[str], str, str]:
    config = bundled_config(with_apis=True)
    (config_dir / "config.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--config", str(config_dir / "config.yaml"),
                                "--port", str(port), "--in-memory", "--log-level", "critical"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    process.stdout.readline()
    gateway = next(api["Port"] for api in config["Apis"] if api["Name"] == "mogemoge")
    return process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{gateway}/mogemoge"


class Probe(threading.Thread):
    """Asks the gateway over and over; records (start, end) of every answer."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.token, self.samples = url, token, []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=60) as http:
            while not self.stop.is_set():
                start = time.perf_counter()
                http.get(self.url, headers={"Authorization": self.token})
                self.samples.append((start, time.perf_counter()))

    def worst_within(self, start: float, end: float) -> float:
        overlapping = [b - a for a, b in self.samples if b >= start and a <= end]
        return max(overlapping, default=0.0) * 1000


def main(quick: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        process, cognito, gateway = serve(Path(tmp))
        try:
            token = httpx.post(cognito, json={"ClientId": "piyopiyo", "AuthFlow": "USER_PASSWORD_AUTH",
                                              "AuthParameters": {"USERNAME": "peroper@hoge.com",
                                                                 "PASSWORD": "munyamunya",
                                                                 "SECRET_HASH": secret_hash("amoamo",
                                                                                            "peroper@hoge.com",
                                                                                            "piyopiyo")}},
                               headers={"X-Amz-Target": TARGET + "InitiateAuth"}).json()[
                "AuthenticationResult"]["IdToken"]
            probe = Probe(gateway, token)
            probe.start()
            time.sleep(0.5 if quick else 2)
            idle = statistics.median(b - a for a, b in probe.samples) * 1000
            print(f"probe (gateway GET /mogemoge, JWT authorizer) idle median: {idle:.2f} ms")
            worst = 0.0
            with httpx.Client(base_url=cognito, timeout=120) as http:
                for name, send in hostile_corpus().items():
                    stalls = []
                    for _ in range(1 if quick else 3):
                        start = time.perf_counter()
                        send(http)
                        stalls.append(probe.worst_within(start, time.perf_counter()))
                    stall = max(stalls)
                    worst = max(worst, stall)
                    print(f"  {name:<40} worst concurrent probe {stall:8.1f} ms")
            probe.stop.set()
            probe.join(10)
            print(f"worst stall of a concurrent probe under the hostile corpus: {worst:.1f} ms")
        finally:
            process.terminate()
            process.wait(10)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
