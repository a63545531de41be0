"""A small OpenID Connect provider for the federation tests: discovery, an authorize endpoint that signs in
one user at once, a token endpoint (client_secret_basic), a JWKS, and a userInfo endpoint that answers POST
only (so the relying party's attributes_request_method is visible). Loopback only; stops with its block."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID, CLIENT_SECRET = "mini-client", "mini-secret"
USER = {"sub": "mini-user-7", "email": "eve@mini.example", "email_verified": True, "groups": ["admins", "dev ops"]}
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class _Provider(BaseHTTPRequestHandler):
    server: _Server

    def _json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlsplit(self.path)
        issuer = self.server.issuer
        if url.path == "/.well-known/openid-configuration":
            self._json({"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                        "token_endpoint": f"{issuer}/token", "userinfo_endpoint": f"{issuer}/userinfo",
                        "jwks_uri": f"{issuer}/jwks"})
        elif url.path == "/jwks":
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
            self._json({"keys": [{**public, "kid": "mini-1", "alg": "RS256", "use": "sig"}]})
        elif url.path == "/authorize":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            code = secrets.token_urlsafe(16)
            self.server.codes[code] = query
            self.send_response(302)
            self.send_header("Location", query["redirect_uri"] + "?" + urlencode({"code": code,
                                                                                 "state": query["state"]}))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._json({"error": "not_found"}, 405 if url.path == "/userinfo" else 404)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        path = urlsplit(self.path).path
        if path == "/token":
            basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            request = self.server.codes.pop(form.get("code", ""), None)
            if self.headers.get("Authorization") != f"Basic {basic}" or request is None:
                self._json({"error": "invalid_client"}, 400)
                return
            now = int(time.time())
            claims = {"iss": self.server.issuer, "aud": CLIENT_ID, "sub": USER["sub"], "iat": now,
                      "exp": now + 300, "nonce": request.get("nonce"), "email": USER["email"]}
            token = jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "mini-1"})
            self._json({"id_token": token, "access_token": "mini-access", "token_type": "Bearer"})
        elif path == "/userinfo" and self.headers.get("Authorization") == "Bearer mini-access":
            self._json(USER)
        else:
            self._json({"error": "invalid_token"}, 401)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    issuer = ""
    codes: dict[str, dict[str, str]]


@contextmanager
def serving_oidc_provider(port: int) -> Iterator[str]:
    """Serve the provider on 127.0.0.1:`port` until the block ends; yields its issuer URL."""
    server = _Server(("127.0.0.1", port), _Provider)
    server.issuer, server.codes = f"http://127.0.0.1:{port}", {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.issuer
    finally:
        server.shutdown()
        server.server_close()
