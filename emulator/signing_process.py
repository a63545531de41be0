"""RS256 signatures in a process of their own, for when requests overlap.

A sign-in's two RSA signatures are most of its CPU. On the event loop's thread they leave the machine's other
cores idle; a thread of this process can't take them over either, since after each signature it waits for the
GIL the loop holds. So when requests overlap, the loop writes the signing inputs down a pipe to a child process
and serves other requests while that child signs on another core. The framing is pure and tested on its own;
`SigningProcess` is the parent's end and `main` the child's.

Frames on both pipes: a 4-byte big-endian length, then the payload.
- Parent to child: a batch. A u32 count, then per item: the kid (u16 length, bytes), the key as PKCS#8 DER
  (u32 length, bytes; empty once the child holds that kid) and the signing input (u32 length, bytes).
- Child to parent: one empty frame once it is ready, then per batch the signatures in order, each with a u16
  length."""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import struct
import subprocess
import sys
from collections.abc import Sequence
from typing import IO, Any

log = logging.getLogger("cognito_emulator")

_LENGTH = struct.Struct(">I")
_SHORT = struct.Struct(">H")
# A child that fails this often in one process is not started again: signatures stay on the event loop.
MAX_STARTS = 3
# A batch not signed within this long means a child that is stuck: it is stopped and the caller signs.
ANSWER_SECONDS = 5.0

Item = tuple[str, bytes, bytes]  # (kid, key DER or b"" when the child has it, signing input)


def frame(payload: bytes) -> bytes:
    """`payload` with its length in front."""
    return _LENGTH.pack(len(payload)) + payload


def frames_in(buffer: bytearray) -> list[bytes]:
    """The whole frames at the start of `buffer`, removed from it (a partial one stays for more bytes)."""
    found, offset = [], 0
    while len(buffer) - offset >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(buffer, offset)
        if len(buffer) - offset - _LENGTH.size < length:
            break
        found.append(bytes(buffer[offset + _LENGTH.size:offset + _LENGTH.size + length]))
        offset += _LENGTH.size + length
    del buffer[:offset]
    return found


def encode_batch(items: Sequence[Item]) -> bytes:
    parts = [_LENGTH.pack(len(items))]
    for kid, der, data in items:
        encoded_kid = kid.encode()
        parts += [_SHORT.pack(len(encoded_kid)), encoded_kid, _LENGTH.pack(len(der)), der,
                  _LENGTH.pack(len(data)), data]
    return b"".join(parts)


def decode_batch(payload: bytes) -> list[Item]:
    (count,), offset = _LENGTH.unpack_from(payload), _LENGTH.size
    items: list[Item] = []
    for _ in range(count):
        (kid_length,) = _SHORT.unpack_from(payload, offset)
        kid = payload[offset + 2:offset + 2 + kid_length].decode()
        offset += 2 + kid_length
        (der_length,) = _LENGTH.unpack_from(payload, offset)
        der = payload[offset + 4:offset + 4 + der_length]
        offset += 4 + der_length
        (data_length,) = _LENGTH.unpack_from(payload, offset)
        data = payload[offset + 4:offset + 4 + data_length]
        offset += 4 + data_length
        items.append((kid, der, data))
    if offset != len(payload):
        raise ValueError("a signing batch has bytes after its last item")
    return items


def encode_signatures(signatures: Sequence[bytes]) -> bytes:
    return b"".join(_SHORT.pack(len(s)) + s for s in signatures)


def decode_signatures(payload: bytes) -> list[bytes]:
    signatures, offset = [], 0
    while offset < len(payload):
        (length,) = _SHORT.unpack_from(payload, offset)
        signatures.append(payload[offset + 2:offset + 2 + length])
        offset += 2 + length
    return signatures


class _Replies(asyncio.Protocol):
    def __init__(self, owner: SigningProcess, process: subprocess.Popen[bytes]) -> None:
        self.owner = owner
        self.process = process
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        for payload in frames_in(self.buffer):
            self.owner._replied(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner._lost(self.process, "its output closed")


class SigningProcess:
    """The parent's end: started on first need, its pipes joined to the event loop in the background (signatures
    stay on the loop until the child says it is ready); a child that exits fails its pending batches, whose
    callers then sign themselves."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._writer: asyncio.WriteTransport | None = None
        self._ready = False
        self._held: set[str] = set()  # kids whose keys the child has
        # Batches written, oldest first: each one's future and when it was written (the loop's clock).
        self._pending: collections.deque[tuple[asyncio.Future[list[bytes]], float]] = collections.deque()
        self._outbox: list[bytes] = []  # frames written together once this loop turn's requests have added theirs
        self._watchdog: asyncio.TimerHandle | None = None
        self.starts = 0  # children started by this process
        self.signatures = 0  # signatures children made for it

    @property
    def pid(self) -> int | None:
        """The running child's process id."""
        return None if self._process is None else self._process.pid

    def ready(self) -> bool:
        """Whether batches can go to the child from the running loop (else: start it if allowed, answer False)."""
        if self._pid != os.getpid():  # a --workers fork: the parent's child and pipes are not this process's
            self._reset()
        loop = asyncio.get_running_loop()
        if self._ready and loop is self._loop:
            return True
        if self._process is None and self.starts < MAX_STARTS and self._loop in (None, loop):
            self.starts += 1
            self._loop = loop
            try:
                # The child imports only the standard library and cryptography (not this package's modules).
                self._process = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                                                 stdout=subprocess.PIPE)
            except OSError as error:
                log.warning("the signing process did not start (%s): tokens are signed on the event loop", error)
                return False
            loop.create_task(self._connect(self._process))
        return False

    async def _connect(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        loop = asyncio.get_running_loop()
        try:
            self._writer, _ = await loop.connect_write_pipe(asyncio.BaseProtocol, process.stdin)
            # Its first frame (ready) is read once this is joined, so a ready child always has a writer.
            await loop.connect_read_pipe(lambda: _Replies(self, process), process.stdout)
        except (OSError, ValueError) as error:
            self._lost(process, f"its pipes could not be joined to the event loop: {error}")

    async def sign(self, items: Sequence[tuple[str, Any, bytes]]) -> list[bytes]:
        """Signatures of (kid, private key, signing input) items, in order, from the child (`ready()` first);
        ConnectionError when it stops or is stuck (then it is stopped)."""
        from cryptography.hazmat.primitives import serialization

        batch: list[Item] = []
        for kid, key, data in items:
            der = b""
            if kid not in self._held:
                der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
                self._held.add(kid)
            batch.append((kid, der, data))
        assert self._writer is not None and self._loop is not None
        future: asyncio.Future[list[bytes]] = self._loop.create_future()
        self._pending.append((future, self._loop.time()))
        if not self._outbox:
            self._loop.call_soon(self._flush)
        self._outbox.append(frame(encode_batch(batch)))
        if self._watchdog is None:
            self._watchdog = self._loop.call_later(ANSWER_SECONDS, self._check_answers)
        signatures = await future
        self.signatures += len(signatures)
        return signatures

    def _flush(self) -> None:
        if self._writer is not None:
            self._writer.write(b"".join(self._outbox))
        self._outbox.clear()

    def _check_answers(self) -> None:
        # One timer for every batch: the oldest one unanswered for ANSWER_SECONDS means a stuck child.
        self._watchdog = None
        if not self._pending or self._process is None or self._loop is None:
            return
        due = self._pending[0][1] + ANSWER_SECONDS
        if self._loop.time() >= due:
            self._lost(self._process, f"it signed nothing for {ANSWER_SECONDS:g} s")
        else:
            self._watchdog = self._loop.call_at(due, self._check_answers)

    def _replied(self, payload: bytes) -> None:
        if not self._ready:  # the first, empty frame: imports are done
            self._ready = True
            return
        if self._pending:
            future, _ = self._pending.popleft()
            if not future.done():
                future.set_result(decode_signatures(payload))

    def _lost(self, process: subprocess.Popen[bytes], why: str) -> None:
        if process is not self._process:
            return  # one stopped on purpose (close)
        log.warning("the signing process stopped (%s): tokens are signed on the event loop until it is started "
                    "again", why)
        self._process = None
        self._ready = False
        self._held.clear()
        self._outbox.clear()
        while self._pending:
            future, _ = self._pending.popleft()
            if not future.done():
                future.set_exception(ConnectionError("the signing process stopped"))
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        process.kill()
        process.wait()

    def close(self) -> None:
        """Stop the child (the server has stopped)."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


def main(stdin: IO[bytes], stdout: IO[bytes]) -> None:
    """The child: sign each batch read from `stdin`, write its signatures to `stdout`; end at end of input."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    keys: dict[str, Any] = {}
    buffer = bytearray()
    try:
        stdout.write(frame(b""))
        stdout.flush()
        while chunk := stdin.read1(65536):  # type: ignore[attr-defined]
            buffer += chunk
            for payload in frames_in(buffer):
                signatures = []
                for kid, der, data in decode_batch(payload):
                    if der:
                        keys[kid] = serialization.load_der_private_key(der, None)
                    signatures.append(keys[kid].sign(data, padding.PKCS1v15(), hashes.SHA256()))
                stdout.write(frame(encode_signatures(signatures)))
            stdout.flush()
    except BrokenPipeError:
        pass  # the emulator stopped: so does this child


# What the child runs: this module's `main`, loaded from its file without importing the package (whose
# import would cost the child a tenth of a second before its first signature).
CHILD = f"""
import importlib.util, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the emulator, which stops this child
spec = importlib.util.spec_from_file_location("signing_process", {__file__!r})
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.main(sys.stdin.buffer, sys.stdout.buffer)
"""
