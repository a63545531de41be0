"""`cognito-emulator token`: sign a user in against a running emulator and print a token.

It finds the client's pool and secret itself (so SECRET_HASH is computed for you) and picks a flow
the client allows: USER_PASSWORD_AUTH, or USER_SRP_AUTH with a real SRP proof, the flow a hosted-UI
client is limited to. Errors are AWS's, followed by the emulator's plain-words reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.session import Session

from emulator.cognito import srp
from emulator.cognito.lookup import secret_hash
from emulator.cognito.protocol import is_unsigned

TARGET = "AWSCognitoIdentityProviderService."
FIELDS = {"id": "IdToken", "access": "AccessToken", "refresh": "RefreshToken"}


class SignInFailed(Exception):
    pass


def signed_headers(url: str, body: bytes, headers: dict[str, str]) -> dict[str, str]:
    """`headers` plus SigV4's, by botocore's signer, with the credentials and region botocore would use."""
    session = Session()
    found = session.get_credentials()
    credentials = found.get_frozen_credentials() if found else None
    request = AWSRequest("POST", url, data=body, headers=headers)
    SigV4Auth(Credentials(*credentials) if credentials else Credentials("emulator", "emulator"), "cognito-idp",
              session.get_config_variable("region") or "us-east-1").add_auth(request)
    return dict(request.headers.items())


class Api:
    """A minimal cognito-idp JSON 1.1 caller. Operations AWS serves only signed are SigV4-signed with the
    AWS credentials botocore finds (environment, profile), or placeholder ones, as the emulator needs."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.http = httpx.Client(base_url=self.endpoint, timeout=30)

    def __call__(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(params).encode()
        headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"}
        if not is_unsigned(operation):
            headers = signed_headers(self.endpoint + "/", body, headers)
        response = self.http.post("/", content=body, headers=headers)
        body = response.json() if response.content else {}
        if response.status_code != 200:
            reason = response.headers.get("x-emulator-reason", "")
            raise SignInFailed(f"{operation}: {body.get('__type')}: {body.get('message')}"
                               + (f"\n  why: {reason}" if reason else ""))
        return body


def find_client(api: Api, client_id: str) -> dict[str, Any]:
    """DescribeUserPoolClient in whichever pool holds the client."""
    pools = api.http.get("/_emulator/health").json().get("pools", [])
    for pool_id in pools:
        try:
            return api("DescribeUserPoolClient", {"UserPoolId": pool_id, "ClientId": client_id})["UserPoolClient"]
        except SignInFailed:
            continue
    raise SignInFailed(f"no pool of this emulator has an app client '{client_id}' (pools: {', '.join(pools)})")


def choose_flow(flows: list[str], wanted: str) -> str:
    """USER_PASSWORD_AUTH when the client allows it, else USER_SRP_AUTH (pure)."""
    allows_password = bool({"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"} & set(flows))
    allows_srp = "ALLOW_USER_SRP_AUTH" in flows or not any(f.startswith("ALLOW_") for f in flows)
    if wanted == "password" or (wanted == "auto" and allows_password):
        return "USER_PASSWORD_AUTH"
    if wanted == "srp" or allows_srp:
        return "USER_SRP_AUTH"
    raise SignInFailed(f"the client allows {', '.join(flows)}: neither USER_PASSWORD_AUTH nor USER_SRP_AUTH")


def sign_in(api: Api, client: dict[str, Any], username: str, password: str, flow: str,
            new_password: str | None) -> dict[str, Any]:
    client_id, secret = client["ClientId"], client.get("ClientSecret")

    def with_hash(params: dict[str, str], name: str) -> dict[str, str]:
        return {**params, "SECRET_HASH": secret_hash(secret, name, client_id)} if secret else params

    if flow == "USER_PASSWORD_AUTH":
        answer = api("InitiateAuth", {"ClientId": client_id, "AuthFlow": flow,
                                      "AuthParameters": with_hash({"USERNAME": username, "PASSWORD": password},
                                                                  username)})
    else:
        small_a, big_a = srp.client_ephemeral()
        challenge = api("InitiateAuth", {"ClientId": client_id, "AuthFlow": flow, "AuthParameters": with_hash(
            {"USERNAME": username, "SRP_A": srp.to_hex(big_a)}, username)})
        params = challenge["ChallengeParameters"]
        user_id = params["USER_ID_FOR_SRP"]
        stamp = srp.format_timestamp(datetime.now(UTC))
        signature = srp.client_signature(client["UserPoolId"], user_id, password, params["SALT"], small_a, big_a,
                                         int(params["SRP_B"], 16), params["SECRET_BLOCK"], stamp)
        answer = api("RespondToAuthChallenge", {
            "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "Session": challenge.get("Session"),
            "ChallengeResponses": with_hash({"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                                             "TIMESTAMP": stamp, "PASSWORD_CLAIM_SIGNATURE": signature or ""},
                                            user_id)})
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        if not new_password:
            raise SignInFailed("the user must set a new password first (NEW_PASSWORD_REQUIRED): "
                               "run again with --new-password")
        user_id = answer["ChallengeParameters"].get("USER_ID_FOR_SRP", username)
        answer = api("RespondToAuthChallenge", {
            "ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": answer["Session"],
            "ChallengeResponses": with_hash({"USERNAME": user_id, "NEW_PASSWORD": new_password}, user_id)})
    if "AuthenticationResult" not in answer:
        raise SignInFailed(f"sign-in stopped at challenge {answer.get('ChallengeName')}, which this command "
                           "does not answer; use an SDK")
    return answer["AuthenticationResult"]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="cognito-emulator token",
                                     description="Sign a user in against a running emulator; print a token.")
    parser.add_argument("--endpoint", default="http://127.0.0.1:9229")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--new-password", help="answer NEW_PASSWORD_REQUIRED with this password")
    parser.add_argument("--flow", choices=("auto", "password", "srp"), default="auto")
    parser.add_argument("--print", dest="show", choices=(*FIELDS, "all"), default="id",
                        help="which token to print (default: the ID token); all prints the JSON result")
    args = parser.parse_args(argv)
    api = Api(args.endpoint)
    try:
        client = find_client(api, args.client_id)
        flow = choose_flow(client.get("ExplicitAuthFlows", []), args.flow)
        result = sign_in(api, client, args.username, args.password, flow, args.new_password)
    except SignInFailed as exc:
        print(f"cognito-emulator token: {exc}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"cognito-emulator token: cannot reach {args.endpoint}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.show == "all" else result[FIELDS[args.show]])
    return 0
