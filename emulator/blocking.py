"""Whether the running call may wait on something outside this process (a Lambda function, a network peer).

The JSON API answers its cheap calls on the event loop, where a wait would hold up every port the loop serves;
such a call runs `on_loop()`, and whatever would wait calls `may_block()` first: on the loop that raises
WouldBlock, the call's transaction rolls back, and the call is answered again in the thread pool."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Any, Final, TypeVar

_ON_LOOP: ContextVar[bool] = ContextVar("on_event_loop", default=False)
T = TypeVar("T")


class WouldBlock(BaseException):
    """A call on the event loop reached a wait. A BaseException: no `except Exception` on the way (a trigger's
    failure handling, an operation's catch-all) may turn it into an answer."""


def on_event_loop() -> bool:
    """Whether the running call is one on the event loop."""
    return _ON_LOOP.get()


def may_block() -> None:
    """Say that a wait comes next: raises WouldBlock on the event loop, does nothing in a thread."""
    if _ON_LOOP.get():
        raise WouldBlock


@contextmanager
def on_loop() -> Iterator[None]:
    """Run the body as a call on the event loop (in the current context)."""
    reset = _ON_LOOP.set(True)
    try:
        yield
    finally:
        _ON_LOOP.reset(reset)


_IN_A_THREAD: Final = object()


def _on_loop_if_free(hold: Callable[[], AbstractContextManager[bool]], work: Callable[..., T], *args: Any) -> Any:
    with hold() as held:
        if not held:
            return _IN_A_THREAD
        try:
            with on_loop():
                return work(*args)
        except WouldBlock:
            return _IN_A_THREAD


async def on_loop_or_in_thread(hold: Callable[[], AbstractContextManager[bool]],
                               in_thread: Callable[..., Awaitable[T]], work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` on the event loop while `hold()` holds the store; `in_thread(work, *args)` when another thread
    held it, or when the call reached a wait (it rolled back its transaction first)."""
    answer = _on_loop_if_free(hold, work, *args)
    return await in_thread(work, *args) if answer is _IN_A_THREAD else answer
