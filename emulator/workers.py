"""`--workers N`: N processes serve the same ports, each with its own connection to the WAL-mode store. The ports
are bound before they fork, N sockets a port with SO_REUSEPORT, one for each worker: the kernel spreads new
connections over them evenly, where with one shared socket the first worker to wake accepted a whole burst (31 of
wrk's 32 connections went to one process).

What the workers must agree on is never kept in one process's memory: records are in the store (SQLite's write
lock serialises their transactions across processes), the definitions generation and the test clock are in shared
memory (worker_shared.py), the decisions log in a file beside the state (shared_decisions.py). What stays per
process is a cache of immutable things (parsed signing keys) or safe to repeat (Node trigger workers)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

from emulator.runtime import Runtime
from emulator.server import EmulatorServer, bind
from emulator.shared_decisions import SharedDecisionLog
from emulator.worker_shared import SharedCells

AUTO = "auto"
DECISIONS_FILE = "decisions.sqlite3"


def worker_count(requested: str, cpus: int | None) -> int:
    """The number of processes `--workers` asks for: a positive number, or `auto` (one per CPU)."""
    if requested == AUTO:
        return max(1, cpus or 1)
    try:
        count = int(requested)
    except ValueError:
        raise ValueError(f"--workers takes a number of processes or '{AUTO}', got {requested!r}") from None
    if count < 1:
        raise ValueError(f"--workers takes at least 1, got {count}")
    return count


def refusal(workers: int, state_dir: Path | None) -> str | None:
    """Why several worker processes cannot serve this, or None."""
    if workers > 1 and state_dir is None:
        return (f"--workers {workers} needs a state directory: an in-memory store lives in one process, so the "
                "workers would each have their own users and tokens (drop --in-memory, or use --workers 1)")
    return None


def shared_runtime_options(workers: int, state_dir: Path | None) -> dict[str, object]:
    """Runtime.open's options for `workers` processes: the decisions log in a file they all read."""
    if workers == 1 or state_dir is None:
        return {}
    return {"decisions": SharedDecisionLog(Path(state_dir) / DECISIONS_FILE)}


def share(runtime: Runtime, workers: int) -> None:
    """Move what the workers must agree on into shared memory (before EmulatorServer forks them)."""
    runtime.workers = workers
    if workers == 1:
        return
    runtime.keyring.drain()  # the config's pools' keys stored, and no key-making thread copied into the workers
    cells = SharedCells()
    runtime.store.share_generation(cells.counter(), cells.write_lock)
    runtime.clock.share(cells)


def _die_with_parent() -> None:
    # A worker outliving its parent (killed with SIGKILL) would keep serving a port nobody owns.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG, Linux


def _joined(sock: socket.socket) -> socket.socket:
    """Another listening socket on `sock`'s address (bound with SO_REUSEPORT, as `sock` is)."""
    address = sock.getsockname()
    return bind(address[0], address[1], reuse_port=True, joining=True)


def _child(server: EmulatorServer, ready: int, sockets: list[socket.socket]) -> int:
    _die_with_parent()
    for listener, sock in zip(server.listeners, sockets, strict=True):
        listener.sock = sock
    try:
        server.runtime.store.reopen()
        server.run(on_ready=lambda _line: os.write(ready, b"."))
        server.runtime.close()
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def serve_forked(server: EmulatorServer, workers: int, on_ready: Callable[[str], object]) -> int:
    """Fork `workers` processes that serve the server's sockets; print the ready line once all serve; stop them
    all on SIGINT/SIGTERM or when one dies. Returns the exit status."""
    if threading.active_count() > 1:  # a thread would be copied half-way (a lock held forever)
        raise RuntimeError("--workers: the emulator started a thread before forking its workers")
    server.runtime.store.close()  # SQLite connections never cross a fork
    # One socket a port for each worker (without reuse_port, all workers share the one socket).
    own = [[lst.sock, *(_joined(lst.sock) if server.reuse_port else lst.sock for _ in range(workers - 1))]
           for lst in server.listeners]
    read_end, write_end = os.pipe()
    children: list[int] = []
    for index in range(workers):
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            # Only its own sockets stay open in a worker: a connection the kernel hands to a socket nobody accepts
            # on would wait forever once that socket's worker had stopped.
            for sockets in own:
                for sock in sockets:
                    if sock is not sockets[index]:
                        sock.close()
            os._exit(_child(server, write_end, [sockets[index] for sockets in own]))
        children.append(pid)
    os.close(write_end)
    for sockets in own:
        for sock in sockets:
            sock.close()

    def stop(*_: object) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        started = b""
        while len(started) < workers:
            chunk = os.read(read_end, workers)
            if not chunk:
                break
            started += chunk
        os.close(read_end)
        if len(started) == workers:
            on_ready(f"{server.ready_line()} ({workers} worker processes)")
        status = 0
        remaining = set(children)
        while remaining:
            pid, code = os.wait()
            remaining.discard(pid)
            if code != 0 and remaining:  # one died: the others would serve only some connections well
                print(f"cognito-emulator: worker {pid} stopped (status {code}); stopping the others",
                      file=sys.stderr, flush=True)
                status = 1
                stop()
        return status if len(started) == workers else 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.runtime.store.reopen()
