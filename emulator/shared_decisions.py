"""The decisions log of `--workers N`: kept in an SQLite file beside the state, so /_emulator/decisions (and the
dashboard) answers the same whichever worker process a request reaches. One run's decisions only: the file is
emptied when the emulator starts."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict
from pathlib import Path
from typing import Any

from emulator.decisions import Decision, DecisionLog

SCHEMA = "CREATE TABLE IF NOT EXISTS decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)"


class SharedDecisionLog(DecisionLog):
    """A DecisionLog whose items live in `path` (each process opens its own connection, after it forks)."""

    def __init__(self, path: Path | str, size: int = 500) -> None:
        super().__init__(size)
        self._path = str(path)
        self._size = size
        self._pid = -1
        self._db: sqlite3.Connection | None = None
        self._connection().execute("DELETE FROM decisions")

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():
            self._db = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=OFF")  # a log for this run only
            self._db.execute(SCHEMA)
            self._pid = os.getpid()
        return self._db

    def _keep(self, decision: Decision) -> None:
        body = {k: v for k, v in asdict(decision).items() if k != "id"}
        with self._lock:
            db = self._connection()
            row_id = db.execute("INSERT INTO decisions (body) VALUES (?)",
                                (json.dumps(body, default=str),)).lastrowid or 0
            if row_id % 50 == 0:  # keep the newest `size`, pruned now and then
                db.execute("DELETE FROM decisions WHERE id <= ?", (row_id - self._size,))

    def recent(self, limit: int = 100, after: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._connection().execute("SELECT id, body FROM decisions WHERE id > ? ORDER BY id DESC LIMIT ?",
                                              (after, min(limit, self._size))).fetchall()
        return [{**json.loads(body), "id": row_id} for row_id, body in rows]

    def clear(self) -> None:
        with self._lock:
            self._connection().execute("DELETE FROM decisions")
