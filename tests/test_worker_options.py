"""`--workers`: the count it takes, the combination it refuses, and the shared pieces (clock cells, decisions
file) each worker process reads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emulator.cli import main
from emulator.clock import Clock
from emulator.shared_decisions import SharedDecisionLog
from emulator.worker_shared import SharedCells
from emulator.workers import refusal, worker_count
from tests.conftest import ROOT


@pytest.mark.parametrize(("requested", "cpus", "expected"), [
    ("1", 2, 1), ("3", 2, 3), ("auto", 2, 2), ("auto", None, 1),
])
def test_worker_count(requested: str, cpus: int | None, expected: int) -> None:
    assert worker_count(requested, cpus) == expected


@pytest.mark.parametrize("requested", ["0", "-1", "two", ""])
def test_a_worker_count_that_is_not_one_is_refused(requested: str) -> None:
    with pytest.raises(ValueError, match="--workers"):
        worker_count(requested, 2)


def test_several_workers_need_a_state_directory() -> None:
    assert refusal(1, None) is None and refusal(2, Path("state")) is None
    assert "in-memory store lives in one process" in (refusal(2, None) or "")


def test_the_cli_refuses_workers_in_memory_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(ROOT / "config.yaml"), "--in-memory", "--workers", "2"]) == 1
    assert "--workers 2 needs a state directory" in capsys.readouterr().err


def test_a_shared_clock_moves_for_every_process_that_reads_its_cells() -> None:
    cells = SharedCells()
    one, two = Clock(lambda: 1000.0), Clock(lambda: 1000.0)
    two.share(cells)
    one.advance(5)
    one.share(cells)  # sharing writes the clock's own offset and freeze into the cells
    assert (one(), two()) == (1005.0, 1005.0)
    two.freeze()
    one.set(2000)
    assert (one(), two(), one.frozen) == (2000.0, 2000.0, True)
    two.resume()
    assert (one(), one.frozen) == (2000.0, False)
    one.reset()
    assert two() == 1000.0


def test_a_forked_process_sees_the_clock_its_parent_sets() -> None:
    cells = SharedCells()
    clock = Clock(lambda: 1000.0)
    clock.share(cells)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child waits for the parent's change, then reports what it reads
        os.read(read, 1)
        os.write(write, str(clock()).encode())
        os._exit(0)
    clock.advance(60)
    os.write(write, b".")
    os.waitpid(pid, 0)
    assert float(os.read(read, 64)) == 1060.0


def test_the_shared_decisions_log_keeps_ids_and_the_newest_first(tmp_path: Path) -> None:
    log = SharedDecisionLog(tmp_path / "decisions.sqlite3", size=3)
    for n in range(5):
        log.reject("cognito-idp InitiateAuth", "NotAuthorizedException", f"reason {n}")
    other = SharedDecisionLog.__new__(SharedDecisionLog)  # another process's view: same file, no wipe
    other.__dict__.update(log.__dict__, _db=None, _pid=-1)
    newest = other.recent(limit=2)
    assert [d["reason"] for d in newest] == ["reason 4", "reason 3"]
    assert [d["reason"] for d in other.recent(after=newest[1]["id"])] == ["reason 4"]
    log.clear()
    assert other.recent() == []
