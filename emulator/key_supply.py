"""Fresh RSA signing keys made ahead of need on a background thread, each handed out exactly once.

A 2048-bit key takes 25-150 ms to make; the pools of a config need two each. Made while the emulator imports its
server and binds its ports (OpenSSL releases the GIL, so on another core), they are ready by the first sign-in;
a taker that finds none ready waits for the one being made, or makes its own when none is coming. A key is never
handed out twice, so no two pools share one; none outlives the process unless a keyring stores it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

Key = TypeVar("Key")


class KeySupply(Generic[Key]):
    """Keys made by `make`: `order(n)` starts making n on a background thread, `take()` hands one out."""

    def __init__(self, make: Callable[[], Key]) -> None:
        self._make = make
        self._ready: list[Key] = []
        self._ordered = 0  # keys ordered and not made yet (the one being made included)
        self._advanced = 0  # keys ordered ahead (advance) that no order has claimed yet
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def advance(self, count: int) -> None:
        """Start making `count` keys before anyone asks for them (at start, before the store says which pools lack
        keys): the next orders are served from these before more are made."""
        with self._changed:
            self._advanced += max(0, count)
        self._start(count)

    def order(self, count: int) -> None:
        """Start making `count` more keys in the background (fewer when keys made in advance cover them)."""
        with self._changed:
            covered = min(self._advanced, max(0, count))
            self._advanced -= covered
        self._start(count - covered)

    def _start(self, count: int) -> None:
        if count <= 0:
            return
        with self._changed:
            self._ordered += count
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="cognito-emulator keys", daemon=True)
                self._thread.start()

    def take(self) -> Key:
        """A key nobody else got: a ready one, the one being made, or (none coming) one made now."""
        with self._changed:
            while not self._ready and self._ordered:
                self._changed.wait()
            if self._ready:
                return self._ready.pop(0)
        return self._make()

    def drain(self) -> None:
        """Cancel what is not being made yet, wait for the thread to end and drop unused keys (before a fork: a
        child must not hand out a key its parent or a sibling also holds; and before closing)."""
        with self._changed:
            self._ordered = min(self._ordered, 1)
            self._advanced = 0
            thread = self._thread
        if thread is not None:
            thread.join()
        with self._changed:
            self._ready.clear()

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._ordered:
                    self._thread = None
                    self._changed.notify_all()
                    return
            try:
                key = self._make()
            except Exception:  # noqa: BLE001 - takers stop waiting and make their own, raising where it is seen
                with self._changed:
                    self._ordered = 0
                    self._thread = None
                    self._changed.notify_all()
                return
            with self._changed:
                self._ordered = max(0, self._ordered - 1)
                self._ready.append(key)
                self._changed.notify_all()
