"""Writes made in one step of the event loop leave in one send, in order; closing sends what is pending first;
aborting drops it."""

from __future__ import annotations

import asyncio
from typing import Any

from emulator.write_coalescing import CoalescingTransport


class Recorder:
    def __init__(self) -> None:
        self.sent: list[bytes] = []
        self.events: list[str] = []

    def write(self, data: bytes) -> None:
        self.sent.append(data)
        self.events.append("write")

    def close(self) -> None:
        self.events.append("close")

    def abort(self) -> None:
        self.events.append("abort")

    def write_eof(self) -> None:
        self.events.append("eof")

    def get_write_buffer_size(self) -> int:
        return 7

    def is_closing(self) -> bool:
        return False


def run(steps: Any) -> Recorder:
    recorder = Recorder()

    async def main() -> None:
        transport = CoalescingTransport(recorder)  # type: ignore[arg-type]
        await steps(transport)
        await asyncio.sleep(0)

    asyncio.run(main())
    return recorder


def test_a_head_and_a_body_written_in_one_step_leave_together() -> None:
    async def steps(transport: CoalescingTransport) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"{}")
        assert transport.get_write_buffer_size() == 7 + 21

    assert run(steps).sent == [b"HTTP/1.1 200 OK\r\n\r\n{}"]


def test_writes_of_different_steps_leave_separately_and_in_order() -> None:
    async def steps(transport: CoalescingTransport) -> None:
        transport.write(b"a")
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        transport.write(b"b")
        transport.writelines([b"c", b"", b"d"])

    assert run(steps).sent == [b"a", b"bcd"]


def test_closing_sends_what_is_pending_first() -> None:
    async def steps(transport: CoalescingTransport) -> None:
        transport.write(b"last words")
        transport.close()

    recorder = run(steps)
    assert recorder.events == ["write", "close"] and recorder.sent == [b"last words"]


def test_end_of_file_sends_what_is_pending_first() -> None:
    async def steps(transport: CoalescingTransport) -> None:
        transport.write(b"tail")
        transport.write_eof()

    assert run(steps).events == ["write", "eof"]


def test_aborting_drops_what_is_pending() -> None:
    async def steps(transport: CoalescingTransport) -> None:
        transport.write(b"never sent")
        transport.abort()

    recorder = run(steps)
    assert recorder.events == ["abort"] and recorder.sent == []


def test_everything_else_is_the_transports_own() -> None:
    async def steps(transport: CoalescingTransport) -> None:
        assert transport.is_closing() is False

    run(steps)
