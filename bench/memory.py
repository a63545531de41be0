"""Resident memory of the emulator (its own process, in memory) over many mixed requests: sign-ins, refreshes,
GetUser, AdminGetUser, client_credentials tokens, authorized gateway calls with a new token per sign-in, and
refused requests (bad passwords, forged tokens: the decisions log). RSS is printed at checkpoints; figures are
printed, never asserted. Run: python bench/memory.py [--requests 100000] [--concurrency 8]"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import http_load  # noqa: E402
from gateway import HANDLER, ISSUER  # noqa: E402
from http_load import Request, cognito  # noqa: E402
from served import served  # noqa: E402

from emulator.cognito.lookup import secret_hash  # noqa: E402
from emulator.testing import free_port  # noqa: E402
from tests.conftest import POOL_ID, bundled_config  # noqa: E402

USER, CLIENT, SECRET = "peroper@hoge.com", "piyopiyo", "amoamo"
HASH = secret_hash(SECRET, USER, CLIENT)


def config() -> dict:
    data = bundled_config()
    data["Apis"] = [{"Name": "bench", "ProtocolType": "HTTP", "Port": free_port(),
                     "Authorizers": [{"Name": "jwt", "AuthorizerType": "JWT",
                                      "IdentitySource": "$request.header.Authorization",
                                      "JwtConfiguration": {"Issuer": ISSUER, "Audience": [CLIENT]}}],
                     "Routes": [{"RouteKey": "GET /guarded", "AuthorizerName": "jwt", "Target": HANDLER}]}]
    return data


class Mix:
    """The i-th request of the mix; the tokens of the latest sign-in are reused by the requests that need one."""

    def __init__(self, sign_ins: bool = True) -> None:
        self.sign_ins = sign_ins  # False: one sign-in, then its tokens reused (no refresh token stored per request)
        self.tokens: dict[str, str] = {}
        basic = base64.b64encode(b"testserver01:testserversecret0123456789").decode()
        self.client_credentials = Request("POST", "/oauth2/token", {
            "Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
            b"grant_type=client_credentials&scope=test_resource%2Ftest")

    def cognito(self, i: int) -> Request:
        kind = i % 6
        if kind == 0 and self.sign_ins or not self.tokens:
            return cognito("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH",
                                            "AuthParameters": {"USERNAME": USER, "PASSWORD": "munyamunya",
                                                               "SECRET_HASH": HASH}})
        if kind == 1 or kind == 0:
            return cognito("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": {
                "REFRESH_TOKEN": self.tokens["RefreshToken"], "SECRET_HASH": HASH}})
        if kind == 2:
            return cognito("GetUser", {"AccessToken": self.tokens["AccessToken"]})
        if kind == 3:
            return cognito("AdminGetUser", {"UserPoolId": POOL_ID, "Username": USER}, **{
                "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/cognito-idp/aws4_request, "
                                 "SignedHeaders=host;x-amz-date, Signature=00", "X-Amz-Date": "20260101T000000Z"})
        if kind == 4:
            return self.client_credentials
        # refused: a wrong password with a new username each time (the decisions log and lockout counters)
        return cognito("InitiateAuth", {"ClientId": CLIENT, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {
            "USERNAME": f"nobody{i}@hoge.com", "PASSWORD": "wrong", "SECRET_HASH": secret_hash(
                SECRET, f"nobody{i}@hoge.com", CLIENT)}})

    def answered(self, status: int, body: bytes) -> bool:
        if status == 200 and b'"AuthenticationResult"' in body and b"RefreshToken" in body:
            self.tokens = json.loads(body)["AuthenticationResult"]
        return status < 500

    def gateway(self, i: int) -> Request:
        token = self.tokens.get("IdToken", "x.y.z") if i % 4 else f"forged.{i}.token"
        return Request("GET", "/guarded", {"Authorization": f"Bearer {token}"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--checkpoints", type=int, default=5)
    parser.add_argument("--no-sign-ins", action="store_true",
                        help="sign in once: every sign-in stores a refresh token (state, kept 30 days), so RSS grows "
                             "with sign-ins by design; without them what is left is the process's own growth")
    args = parser.parse_args(argv)
    mix = Mix(sign_ins=not args.no_sign_ins)
    with served(config()) as emulator:
        api = emulator.api_urls["bench"]
        print(f"after start: RSS {emulator.rss_mb():.1f} MB")
        done = 0
        step = args.requests // args.checkpoints
        for _ in range(args.checkpoints):
            target = done + step
            while done < target:
                # Alternate bursts on the two ports, a quarter of the burst on the gateway.
                burst = min(2000, target - done)
                result = http_load.run_count(emulator.url, mix.cognito, args.concurrency, burst * 3 // 4,
                                             mix.answered)
                gateway = http_load.run_count(api, mix.gateway, args.concurrency, burst - burst * 3 // 4,
                                              lambda status, body: status < 500)
                if result.errors or gateway.errors:
                    print(f"  errors: {result.first_error or gateway.first_error}")
                done += burst
            signing = emulator.children_rss_mb()
            print(f"after {done:>9,} requests: RSS {emulator.rss_mb():6.1f} MB"
                  + (f" (+ {signing:.1f} MB in its signing process)" if signing else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
