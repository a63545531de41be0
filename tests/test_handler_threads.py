"""The worker threads sync Python handlers run on from async code (emulator/lambdas/handler_threads.py)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from emulator.lambdas.handler_threads import HandlerThreads

SEEN: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="unset")


def test_result_exception_context_and_thread() -> None:
    threads = HandlerThreads()

    def handler(event: dict, context: object) -> dict:
        return {"event": event, "thread": threading.current_thread().name, "seen": SEEN.get()}

    def boom() -> None:
        raise ValueError("kaput")

    def stop() -> None:
        raise StopIteration("done")

    async def main() -> None:
        SEEN.set("caller's")
        result = await threads.run(handler, {"a": 1}, None)
        assert result == {"event": {"a": 1}, "thread": "python handler", "seen": "caller's"}
        with pytest.raises(ValueError, match="kaput"):
            await threads.run(boom)
        with pytest.raises(RuntimeError, match="StopIteration: done"):
            await threads.run(stop)

    asyncio.run(main())


def test_a_timed_out_call_drops_its_result_and_later_calls_still_run() -> None:
    threads = HandlerThreads()
    release = threading.Event()

    async def main() -> None:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await threads.run(release.wait, 5)
        assert await threads.run(lambda: "next") == "next"  # on another thread: the first one still waits
        release.set()
        await asyncio.sleep(0.05)
        assert await threads.run(lambda: "again") == "again"

    asyncio.run(main())


def test_threads_are_reused_and_bounded() -> None:
    threads = HandlerThreads(max_threads=2)
    names: set[int] = set()

    def note() -> None:
        names.add(threading.get_ident())
        time.sleep(0.02)

    async def main() -> None:
        for _ in range(5):
            await threads.run(note)
        assert len(names) == 1  # one at a time: the same idle thread takes each call
        await asyncio.gather(*(threads.run(note) for _ in range(6)))  # six at once: two threads, the rest wait
        assert len(names) == 2

    asyncio.run(main())


def test_a_result_for_a_closed_loop_is_dropped_quietly() -> None:
    threads = HandlerThreads()
    release = threading.Event()
    finished = threading.Event()

    def slow() -> None:
        release.wait(5)
        finished.set()

    async def main() -> None:
        threads.run(slow)

    asyncio.run(main())
    release.set()
    assert finished.wait(5)

    async def again() -> int:
        return await threads.run(lambda: 1)

    assert asyncio.run(again()) == 1
