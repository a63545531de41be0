"""Numbers the worker processes of one emulator share (`--workers N`): a few 8-byte cells in an anonymous
MAP_SHARED mapping made before the workers fork, so each reads them in well under a microsecond.

Two uses: the store's definitions generation (a pool or client changed in another worker: re-read it) and the
runtime clock's test-time offset and freeze."""

from __future__ import annotations

import math
import mmap
import struct

_CELL = struct.Struct("d")
CELLS = 4
GENERATION, CLOCK_OFFSET, CLOCK_FROZEN = 0, 1, 2
NOT_FROZEN = math.nan


class SharedCells:
    """Float cells visible to every process forked after this was made; writes are serialised by a semaphore
    that lives in shared memory too, reads take no lock (an aligned 8-byte copy is not torn on the platforms
    the emulator runs on)."""

    def __init__(self) -> None:
        import multiprocessing  # only with --workers: it costs start-up time otherwise

        self._map = mmap.mmap(-1, _CELL.size * CELLS, flags=mmap.MAP_SHARED)
        self.lock = multiprocessing.get_context("fork").Lock()
        # The store's writers take this before SQLite's write lock: a waiting process is woken when it is free,
        # where SQLite's own busy handler would sleep and poll (up to 100 ms a time).
        self.write_lock = multiprocessing.get_context("fork").Lock()
        self.set(CLOCK_FROZEN, NOT_FROZEN)

    def get(self, cell: int) -> float:
        return _CELL.unpack_from(self._map, cell * _CELL.size)[0]

    def set(self, cell: int, value: float) -> None:
        _CELL.pack_into(self._map, cell * _CELL.size, value)

    def counter(self, cell: int = GENERATION) -> SharedCounter:
        return SharedCounter(self, cell)


class SharedCounter:
    """A counter in one shared cell (exact up to 2**53 increments)."""

    def __init__(self, cells: SharedCells, cell: int) -> None:
        self._cells = cells
        self._cell = cell

    def value(self) -> int:
        return int(self._cells.get(self._cell))

    def bump(self) -> None:
        with self._cells.lock:
            self._cells.set(self._cell, self._cells.get(self._cell) + 1)
