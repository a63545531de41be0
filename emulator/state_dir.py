"""The state directory of a served emulator: private to its user (0700; the store holds signing keys and
password verifiers), used by one emulator process at a time, and every problem with it said in one line
(never a traceback).

One process at a time: two writers would each seed and purge under the other's feet. The lock is an
flock on `emulator.lock`, which the kernel drops when its process ends however it ends, so a restart
after `kill -9` is never blocked by the dead process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = "emulator.lock"
STATE_FILES = ("state.sqlite3", "state.sqlite3-wal", "state.sqlite3-shm")


class StateDirError(Exception):
    """Why the state directory cannot be used, in plain words naming it."""


@dataclass
class StateLock:
    """Held for the life of the process; `release()` is for tests and orderly shutdown."""

    path: Path
    fd: int

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _private_dir(path: Path) -> None:
    """Create the directory 0700, or tighten one of ours that others can read."""
    if path.exists() and not path.is_dir():
        raise StateDirError(f"--state {path} is a file, not a directory; name a directory (it is created if "
                            "missing)")
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise StateDirError(f"cannot use --state {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StateDirError(f"cannot use --state {path}: this user may not write in it")
    for name in STATE_FILES:  # left readable by an older version
        with contextlib.suppress(OSError):
            if (path / name).exists() and stat.S_IMODE((path / name).stat().st_mode) & 0o077:
                (path / name).chmod(0o600)


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 64, 0).decode().strip()
        if text.isdigit():
            return f"pid {text}"
    return "another process"


def prepare(path: Path) -> StateLock:
    """Make `path` ready for one emulator: created private, and locked against a second process."""
    path = Path(path)
    _private_dir(path)
    lock_path = path / LOCK_NAME
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StateDirError(f"cannot use --state {path}: {lock_path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(fd)
        os.close(fd)
        raise StateDirError(f"state directory {path} is in use by another cognito-emulator ({holder}); stop it, "
                            "or give this one its own --state (or --in-memory)") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return StateLock(path, fd)
