"""The runtime's one clock: every expiry and time decision reads it, and tests (or the test-control API)
set, advance or freeze it instead of waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Epoch seconds from a source (real time by default) plus an offset the owner can move.

    Callable, so anything that takes a `Callable[[], float]` clock takes this one."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._offset = 0.0
        self._frozen: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> float:
        frozen = self._frozen
        return frozen if frozen is not None else self._source() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def now(self) -> int:
        """Whole epoch seconds, as JWT claims carry them."""
        return int(self())

    def set(self, epoch: float) -> None:
        """From now on, time reads `epoch` and runs on from there (or stays there while frozen)."""
        with self._lock:
            if self._frozen is not None:
                self._frozen = float(epoch)
            else:
                self._offset = float(epoch) - self._source()

    def advance(self, seconds: float) -> None:
        """Move time forward (or back, with a negative value) by `seconds`."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += seconds
            else:
                self._offset += seconds

    def freeze(self) -> None:
        """Stop time where it is; `resume` lets it run again from that moment."""
        with self._lock:
            if self._frozen is None:
                self._frozen = self._source() + self._offset

    def resume(self) -> None:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - self._source()
                self._frozen = None

    def reset(self) -> None:
        """Back to the source's own time, running."""
        with self._lock:
            self._offset, self._frozen = 0.0, None


def as_clock(clock: Clock | Callable[[], float] | None) -> Clock:
    """A Clock for whatever a caller passed: a Clock as is, a plain callable as the source, None: real time."""
    if isinstance(clock, Clock):
        return clock
    return Clock(clock or time.time)
