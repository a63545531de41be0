"""The Cognito port's 1 MiB body limit holds while the body arrives: a declared length over it is refused
before any body is read, a streamed body once the count passes it, and memory never holds the rest."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import httpx
import pytest

from emulator.cognito.body_limit import declared_length
from emulator.cognito.protocol import MAX_BODY_BYTES
from emulator.server import EmulatorServer
from emulator.testing import running_emulator
from tests.conftest import bundled_config

TARGET = "AWSCognitoIdentityProviderService.InitiateAuth"
BODY_SIZE = 256 * 1024 * 1024


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with running_emulator(bundled_config()) as emu:
        yield emu


def rss_bytes() -> int:
    """This process's resident memory (the emulator runs in it)."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    block = b"a" * size
    for _ in range(total // size):
        yield block


def read_response(sock: socket.socket) -> str:
    """One whole HTTP response (headers, then Content-Length bytes of body) from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(65536)
    return (head + b"\r\n\r\n" + body).decode()


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.json() == {"__type": "SerializationException", "message": "Request body is too large"}
    assert response.headers["x-amzn-errortype"] == "SerializationException:"
    assert str(MAX_BODY_BYTES) in response.headers["x-emulator-reason"]


@pytest.mark.parametrize("declare_length", [False, True])
def test_a_huge_streamed_body_is_refused_without_being_kept(server: EmulatorServer, declare_length: bool) -> None:
    headers = {"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1"}
    if declare_length:
        headers["Content-Length"] = str(BODY_SIZE)
    before = rss_bytes()
    response = httpx.post(server.url, content=chunks(BODY_SIZE), headers=headers, timeout=120)
    grown = rss_bytes() - before
    assert_too_large(response)
    assert ("declares" in response.headers["x-emulator-reason"]) is declare_length
    assert grown < BODY_SIZE // 8, f"memory grew by {grown // 2**20} MiB for a {BODY_SIZE // 2**20} MiB body"


def test_a_declared_length_is_refused_before_the_body_is_sent(server: EmulatorServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nX-Amz-Target: {TARGET}\r\n"
                     f"Content-Length: {BODY_SIZE}\r\n\r\n".encode())
        answer = read_response(sock)  # no byte of the body was sent, and the answer comes anyway
    head, _, body = answer.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 400")
    assert json.loads(body) == {"__type": "SerializationException", "message": "Request body is too large"}


def test_other_paths_of_the_port_have_the_limit_too(server: EmulatorServer) -> None:
    response = httpx.post(f"{server.url}/oauth2/token", content=chunks(8 * MAX_BODY_BYTES),
                          headers={"Content-Length": str(8 * MAX_BODY_BYTES),
                                   "Content-Type": "application/x-www-form-urlencoded"}, timeout=60)
    assert response.status_code == 413 and response.json() == {"message": "Request Entity Too Large"}
    assert "Content-Length" in response.headers["x-emulator-reason"]


def test_a_body_within_the_limit_is_read(server: EmulatorServer) -> None:
    padding = "x" * (MAX_BODY_BYTES - 200)
    body = json.dumps({"ClientId": "nosuch", "AuthFlow": "USER_PASSWORD_AUTH", "ClientMetadata": {"p": padding}})
    response = httpx.post(server.url, content=body.encode(), headers={"X-Amz-Target": TARGET})
    assert response.json()["__type"] != "SerializationException"


@pytest.mark.parametrize(("headers", "length"), [
    ([(b"content-length", b"12")], 12), ([], None), ([(b"content-length", b"1, 2")], None),
    ([(b"content-length", b"3"), (b"Content-Length", b"3")], None), ([(b"content-length", b"-1")], None),
])
def test_declared_length(headers: list[tuple[bytes, bytes]], length: int | None) -> None:
    assert declared_length({"headers": headers}) == length
