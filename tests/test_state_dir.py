"""The state directory: private (0700, files 0600), one emulator at a time (a killed one blocks nobody), and
a --state that cannot be used is one clear line and exit 1, never a traceback."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from emulator.state import Store
from emulator.state_dir import StateDirError, prepare
from emulator.testing import free_port
from tests.conftest import bundled_config


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_state_dir_is_private(tmp_path: Path) -> None:
    lock = prepare(tmp_path / "a" / "state")
    try:
        assert mode(tmp_path / "a" / "state") == 0o700
        assert mode(tmp_path / "a" / "state" / "emulator.lock") == 0o600
    finally:
        lock.release()


def test_an_existing_state_dir_of_ours_is_tightened(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    (state / "state.sqlite3").write_bytes(b"")
    os.chmod(state, 0o755)
    os.chmod(state / "state.sqlite3", 0o644)
    prepare(state).release()
    assert mode(state) == 0o700 and mode(state / "state.sqlite3") == 0o600


def test_the_store_and_its_journal_files_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = Store(tmp_path / "state.sqlite3")
        store.put("k", "s", "key", {"v": 1})
        files = [p for p in tmp_path.iterdir() if p.name.startswith("state.sqlite3")]
        assert {p.name for p in files} >= {"state.sqlite3", "state.sqlite3-wal"}
        assert all(mode(p) == 0o600 for p in files), {p.name: oct(mode(p)) for p in files}
        store.close()
    finally:
        os.umask(old)


def test_a_second_holder_is_refused_naming_the_dir_and_the_pid(tmp_path: Path) -> None:
    first = prepare(tmp_path)
    try:
        with pytest.raises(StateDirError) as info:
            prepare(tmp_path)
        assert str(tmp_path) in str(info.value) and f"pid {os.getpid()}" in str(info.value)
    finally:
        first.release()
    prepare(tmp_path).release()  # free again once released


def test_a_file_is_not_a_state_dir(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(StateDirError, match="is a file, not a directory"):
        prepare(tmp_path / "file")


# -- the command line ----------------------------------------------------------------------------------
@pytest.fixture()
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(bundled_config()))
    return path


def command(config_file: Path, state: Path) -> list[str]:
    return [sys.executable, "-m", "emulator", "--config", str(config_file), "--port", str(free_port()),
            "--state", str(state), "--log-level", "warning"]


@contextmanager
def serving(config_file: Path, state: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(command(config_file, state), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert "cognito-emulator ready" in process.stdout.readline(), process.stderr.read()
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(10)


def test_a_served_state_dir_is_private(config_file: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    with serving(config_file, state):
        assert mode(state) == 0o700
        assert all(mode(p) == 0o600 for p in state.iterdir()), {p.name: oct(mode(p)) for p in state.iterdir()}


def test_a_second_emulator_on_the_same_dir_refuses_and_a_killed_one_blocks_nobody(config_file: Path,
                                                                                  tmp_path: Path) -> None:
    state = tmp_path / "state"
    with serving(config_file, state) as first:
        second = subprocess.run(command(config_file, state), capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and "Traceback" not in second.stderr
        assert str(state) in second.stderr and f"pid {first.pid}" in second.stderr
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        with serving(config_file, state):
            pass  # the lock died with its process


def test_unusable_state_paths_are_one_line_and_exit_1(config_file: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    garbage = tmp_path / "garbage"
    garbage.mkdir(mode=0o700)
    (garbage / "state.sqlite3").write_bytes(b"this is not a database" * 100)
    cases = {tmp_path / "a-file": "is a file", tmp_path / "a-file" / "below": "cannot use --state",
             garbage: "cannot use --state"}
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        cases[locked] = "may not write"
    for state, words in cases.items():
        result = subprocess.run(command(config_file, state), capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, (state, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
