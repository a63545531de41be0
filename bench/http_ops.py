"""The shared Cognito operations over HTTP, each against its own bound measured in the same run (the RS256
signatures it makes, the RS256 verification or SigV4 check it needs), at c1 and c32, with the emulator's own CPU
per request. Figures are printed, never asserted. Run: python bench/http_ops.py [--seconds 3]"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import http_load  # noqa: E402
from http_load import Request, cognito  # noqa: E402
from served import Served, config_with_free_ports, served  # noqa: E402

from emulator.cognito.lookup import secret_hash  # noqa: E402

USER, PASSWORD, CLIENT, SECRET = "peroper@hoge.com", "munyamunya", "piyopiyo", "amoamo"
KEY_ID, KEY_SECRET = "bench", "bench-secret"


def per_call_ms(fn: Callable[[], object], seconds: float = 1.0) -> float:
    """Median time of `fn` in this process, in ms."""
    samples, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples) * 1000


def bounds() -> dict[str, float]:
    """One RS256 signature, one RS256 verification and one SigV4 signature, in ms on one core."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"sub": "x", "exp": 2**40}, key, algorithm="RS256")
    public = key.public_key()

    def sigv4() -> None:
        request = AWSRequest("POST", "http://127.0.0.1:9229/", data=b'{"UserPoolId": "p", "Username": "u"}',
                             headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.AdminGetUser"})
        SigV4Auth(Credentials(KEY_ID, KEY_SECRET), "cognito-idp", "us-east-1").add_auth(request)

    return {"sign": per_call_ms(lambda: jwt.encode({"sub": "x", "n": 1}, key, algorithm="RS256")),
            "verify": per_call_ms(lambda: jwt.decode(token, public, algorithms=["RS256"])),
            "sigv4": per_call_ms(sigv4)}


def signed_admin_get_user(url: str, pool_id: str) -> Request:
    """An AdminGetUser signed once with the bench's credentials (the emulator checks signatures, not their age)."""
    body = json.dumps({"UserPoolId": pool_id, "Username": USER}).encode()
    headers = {"X-Amz-Target": "AWSCognitoIdentityProviderService.AdminGetUser",
               "Content-Type": "application/x-amz-json-1.1"}
    request = AWSRequest("POST", url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(KEY_ID, KEY_SECRET), "cognito-idp", "us-east-1").add_auth(request)
    return Request("POST", "/", {k: v for k, v in request.headers.items() if k.lower() != "host"}, body)


def operations(emulator: Served) -> dict[str, tuple[Request, str, float]]:
    """name -> (request, the bound it is compared with, how many of that bound one call needs)."""
    auth = {"USERNAME": USER, "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(SECRET, USER, CLIENT)}
    sign_in = cognito("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": auth})
    result = http_load.run(emulator.url, sign_in, 1, 0.05)
    assert result.errors == 0, result.first_error
    import httpx

    tokens = httpx.post(emulator.url, content=sign_in.body, headers=sign_in.headers).json()["AuthenticationResult"]
    refresh = cognito("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {
        "REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": auth["SECRET_HASH"]}})
    basic = base64.b64encode(b"testserver01:testserversecret0123456789").decode()
    client_credentials = Request("POST", "/oauth2/token", {
        "Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
        b"grant_type=client_credentials&scope=test_resource%2Ftest")
    pool_id = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})["iss"].rsplit("/", 1)[-1]
    return {
        "InitiateAuth USER_PASSWORD_AUTH": (sign_in, "sign", 2),
        "InitiateAuth REFRESH_TOKEN_AUTH": (refresh, "sign", 2),
        "/oauth2/token client_credentials": (client_credentials, "sign", 1),
        "GetUser": (cognito("GetUser", {"AccessToken": tokens["AccessToken"]}), "verify", 1),
        "AdminGetUser (SigV4 checked)": (signed_admin_get_user(emulator.url, pool_id), "sigv4", 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    bound = bounds()
    print(f"bounds (one core): RS256 sign {bound['sign']:.3f} ms, RS256 verify {bound['verify']:.3f} ms, "
          f"SigV4 signature {bound['sigv4']:.3f} ms\n")
    config = config_with_free_ports()
    config["Credentials"] = [{"AccessKeyId": KEY_ID, "SecretAccessKey": KEY_SECRET}]
    print(f"{'operation':<36}{'bound':>9}{'c1 p50':>9}{'x bound':>8}{'c1 req/s':>10}{'c32 req/s':>10}"
          f"{'c32 p99':>9}{'CPU/req':>9}{'x bound':>8}{'errors':>7}")
    with served(config) as emulator:
        for name, (request, kind, count) in operations(emulator).items():
            limit = bound[kind] * count
            http_load.run(emulator.url, request, 1, 0.3)  # warm up
            cpu = emulator.cpu_seconds()
            c1 = http_load.run(emulator.url, request, 1, args.seconds)
            c32 = http_load.run(emulator.url, request, 32, args.seconds)
            per_request = (emulator.cpu_seconds() - cpu) * 1000 / max(1, len(c1.latencies_ms) + len(c32.latencies_ms))
            print(f"{name:<36}{limit:>7.3f}ms{c1.percentile(0.5):>7.2f}ms{c1.percentile(0.5) / limit:>7.2f}x"
                  f"{c1.rate:>10.0f}{c32.rate:>10.0f}{c32.percentile(0.99):>7.1f}ms{per_request:>7.2f}ms"
                  f"{per_request / limit:>7.2f}x{c1.errors + c32.errors:>7}")
            if c1.errors or c32.errors:
                print(f"  first error: {c1.first_error or c32.first_error}")
    print("\nx bound: the figure over its bound. CPU/req: the emulator process's CPU per answered request "
          "(steadier than latency on a shared machine).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
