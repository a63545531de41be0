"""Trivial backends for the gateway benchmark: a Python handler (`handler`) and, run as a program, a keep-alive
HTTP server answering every request with a fixed JSON body (python bench/trivial_backend.py PORT)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

BODY = b'{"ok":true}'
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(BODY)).encode()
            + b"\r\n\r\n" + BODY)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A Lambda handler doing nothing: what the gateway itself costs is what is left."""
    return {"statusCode": 200, "body": '{"ok":true}'}


class _Answer(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, rest = self.buffer.partition(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            if len(rest) < length:
                return
            self.buffer = rest[length:]
            self.transport.write(RESPONSE)  # type: ignore[attr-defined]


async def _serve(port: int) -> None:
    server = await asyncio.get_running_loop().create_server(_Answer, "127.0.0.1", port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_serve(int(sys.argv[1])))
