"""The runtime's one clock: every expiry and time decision reads it, and tests (or the test-control API)
set, advance or freeze it instead of waiting."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from emulator.worker_shared import CLOCK_FROZEN, CLOCK_OFFSET, NOT_FROZEN, SharedCells


class Clock:
    """Epoch seconds from a source (real time by default) plus an offset the owner can move.

    Callable, so anything that takes a `Callable[[], float]` clock takes this one."""

    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._local_offset = 0.0
        self._local_frozen: float | None = None
        self._cells: SharedCells | None = None
        self._lock: Any = threading.Lock()

    def share(self, cells: SharedCells) -> None:
        """Keep the offset and the freeze in cells every worker process reads (--workers): a test that sets the
        clock through one worker's /_emulator/clock moves it for all of them."""
        offset, frozen = self._offset, self._frozen
        self._lock = cells.lock
        self._cells = cells
        self._frozen = frozen
        self._offset = offset

    @property
    def _offset(self) -> float:
        return self._local_offset if self._cells is None else self._cells.get(CLOCK_OFFSET)

    @_offset.setter
    def _offset(self, value: float) -> None:
        if self._cells is None:
            self._local_offset = value
        else:
            self._cells.set(CLOCK_OFFSET, value)

    @property
    def _frozen(self) -> float | None:
        if self._cells is None:
            return self._local_frozen
        frozen = self._cells.get(CLOCK_FROZEN)
        return None if frozen != frozen else frozen  # NaN: running

    @_frozen.setter
    def _frozen(self, value: float | None) -> None:
        if self._cells is None:
            self._local_frozen = value
        else:
            self._cells.set(CLOCK_FROZEN, NOT_FROZEN if value is None else value)

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
            frozen = self._frozen
            if frozen is not None:
                self._offset = frozen - self._source()  # before unfreezing: a reader never sees the old offset run
                self._frozen = None

    def reset(self) -> None:
        """Back to the source's own time, running."""
        with self._lock:
            self._offset = 0.0
            self._frozen = None


def as_clock(clock: Clock | Callable[[], float] | None) -> Clock:
    """A Clock for whatever a caller passed: a Clock as is, a plain callable as the source, None: real time."""
    if isinstance(clock, Clock):
        return clock
    return Clock(clock or time.time)
