"""The threads sync Python handlers run on when called from async code (the gateway): a queue to idle worker
threads, the result posted back to the caller's loop. asyncio.to_thread goes through concurrent.futures (a
Future, a work item, a chained asyncio future: ~50 us a call here); this hop costs ~35 us."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import Any

# As many handlers may run (or hang past their timeout) at once; past that, calls wait for a free thread.
MAX_THREADS = 32

_Job = tuple[asyncio.AbstractEventLoop, asyncio.Future, contextvars.Context, Callable[..., Any], tuple]


class HandlerThreads:
    """Daemon worker threads, started as calls need them, at most `max_threads`."""

    def __init__(self, max_threads: int = MAX_THREADS) -> None:
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._max = max_threads

    def run(self, function: Callable[..., Any], *args: Any) -> asyncio.Future:
        """A future of the running loop resolved with `function(*args)` (run in the caller's context, as
        asyncio.to_thread does) or its exception. Cancelling it drops the result; the thread finishes the call."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._lock:
            if self._idle:
                self._idle -= 1
            elif self._threads < self._max:
                self._threads += 1
                threading.Thread(target=self._work, name="python handler", daemon=True).start()
        self._jobs.put((loop, future, contextvars.copy_context(), function, args))
        return future

    def _work(self) -> None:
        while True:
            loop, future, context, function, args = self._jobs.get()
            try:
                result, error = context.run(function, *args), None
            except BaseException as exc:  # the handler's own failure, handed to the caller
                result, error = None, exc
            with self._lock:
                self._idle += 1
            with contextlib.suppress(RuntimeError):  # the caller's loop has closed: nobody waits for the result
                loop.call_soon_threadsafe(_settle, future, result, error)


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    elif isinstance(error, StopIteration):  # a future refuses it (it would end a generator): raise it as to_thread
        future.set_exception(RuntimeError(f"{type(error).__name__}: {error}"))
    else:
        future.set_exception(error)


HANDLER_THREADS = HandlerThreads()
