"""A second thread that makes half of a lone request's signatures while the caller makes the rest: cryptography
(>= 47) lets go of the GIL while OpenSSL signs, so a sign-in's two RSA signatures take about the time of one
when the machine has a core to spare. Overlapping requests go to the signing process instead (tokens.py)."""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

log = logging.getLogger("cognito_emulator")

T = TypeVar("T")
R = TypeVar("R")
# How long a caller waits for the thread's half before it signs that half itself and stops using the thread.
ANSWER_SECONDS = 5.0

_Job = tuple[Callable[[T], R], T, "queue.SimpleQueue[R | Exception]"]


class SigningThread:
    """Runs `sign` over items, every other one on a thread of its own (started at first use, again after a fork)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] | None = None
        self._pid = 0
        self._stuck = False
        self.signed = 0  # items the thread signed (tests and benches read it)

    def map(self, sign: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """`sign` of each item, in order; an exception of `sign` is raised here, wherever it ran."""
        if len(items) < 2 or self._stuck:
            return [sign(item) for item in items]
        jobs = self._started()
        answers: queue.SimpleQueue[R | Exception] = queue.SimpleQueue()
        theirs = items[1::2]
        for item in theirs:
            jobs.put((sign, item, answers))
        ours = [sign(item) for item in items[0::2]]
        try:
            got = [answers.get(timeout=ANSWER_SECONDS) for _ in theirs]
            self.signed += len(got)
        except queue.Empty:
            self._stuck = True
            log.warning("the signing thread answered nothing for %s s; signatures are made by their callers now",
                        ANSWER_SECONDS)
            got = [sign(item) for item in theirs]
        for answer in got:
            if isinstance(answer, Exception):
                raise answer
        merged: list[R] = [*ours, *got]
        merged[0::2], merged[1::2] = ours, got
        return merged

    def close(self) -> None:
        """Let the thread end (the server has stopped); a later `map` starts another."""
        if self._jobs is not None and self._pid == os.getpid():
            self._jobs.put(None)
        self._jobs = None

    def _started(self) -> queue.SimpleQueue[_Job | None]:
        # A forked worker has the queue but not the thread: it starts its own.
        if self._jobs is None or self._pid != os.getpid():
            self._jobs, self._pid = queue.SimpleQueue(), os.getpid()
            threading.Thread(target=_serve, args=(self._jobs,), name="token-signing", daemon=True).start()
        return self._jobs


def _serve(jobs: queue.SimpleQueue[_Job | None]) -> None:
    while (job := jobs.get()) is not None:
        sign, item, answers = job
        try:
            answers.put(sign(item))
        except Exception as error:  # the caller raises it, as if it had signed this item itself
            answers.put(error)
