"""A lone request's signatures are split between the caller and one signing thread: the answers come back in
order, an error is raised to the caller, and a thread that stops answering is left behind, never waited on twice."""

from __future__ import annotations

import logging
import threading

import pytest

from emulator import signing_thread
from emulator.signing_thread import SigningThread


def where(item: int) -> tuple[int, str]:
    return item * 10, threading.current_thread().name


@pytest.fixture
def split() -> SigningThread:
    thread = SigningThread()
    yield thread
    thread.close()


@pytest.mark.parametrize(("count", "on_the_thread"), [(0, 0), (1, 0), (2, 1), (3, 1), (5, 2)])
def test_every_other_item_is_signed_on_the_thread_and_answers_keep_their_order(
        split: SigningThread, count: int, on_the_thread: int) -> None:
    answers = split.map(where, list(range(count)))
    assert [value for value, _ in answers] == [i * 10 for i in range(count)]
    assert [name for _, name in answers][1::2] == ["token-signing"] * on_the_thread
    assert all(name != "token-signing" for _, name in answers[0::2])
    assert split.signed == on_the_thread


def test_an_error_on_the_thread_is_raised_to_the_caller_and_the_thread_goes_on(split: SigningThread) -> None:
    def failing_on_the_thread(item: int) -> int:
        if threading.current_thread().name == "token-signing" and item == 1:
            raise ValueError("no key")
        return item

    with pytest.raises(ValueError, match="no key"):
        split.map(failing_on_the_thread, [0, 1])
    assert split.map(failing_on_the_thread, [2, 3]) == [2, 3]


def test_a_thread_that_answers_nothing_is_left_and_its_items_signed_by_the_caller(
        split: SigningThread, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(signing_thread, "ANSWER_SECONDS", 0.2)
    release = threading.Event()

    def hanging_on_the_thread(item: int) -> tuple[int, str]:
        if threading.current_thread().name == "token-signing":
            release.wait(10)
        return where(item)

    with caplog.at_level(logging.WARNING, logger="cognito_emulator"):
        answers = split.map(hanging_on_the_thread, [1, 2])
    release.set()
    assert [value for value, _ in answers] == [10, 20]
    assert all(name != "token-signing" for _, name in answers)
    assert "the signing thread answered nothing for 0.2 s" in caplog.text
    assert all(name != "token-signing" for _, name in split.map(where, [3, 4])) and split.signed == 0


def test_close_ends_the_thread_and_a_later_map_starts_another(split: SigningThread) -> None:
    split.map(where, [1, 2])
    [first] = [t for t in threading.enumerate() if t.name == "token-signing"]
    split.close()
    first.join(5)
    assert not first.is_alive()
    assert split.map(where, [1, 2])[1][1] == "token-signing"


def test_a_forked_worker_starts_a_thread_of_its_own(split: SigningThread, monkeypatch: pytest.MonkeyPatch) -> None:
    split.map(where, [1, 2])
    before = {t.ident for t in threading.enumerate() if t.name == "token-signing"}
    monkeypatch.setattr(signing_thread.os, "getpid", lambda: -1)  # what a fork's child sees: another pid
    assert split.map(where, [1, 2])[1][1] == "token-signing"
    after = {t.ident for t in threading.enumerate() if t.name == "token-signing"}
    assert after - before
