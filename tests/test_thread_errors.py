"""The thread-exception filter drops only aiosqlite's late result delivery."""

from __future__ import annotations

import asyncio
import sys
import threading

import aiosqlite
import pytest

from tests import thread_errors


def _raised_in_thread(target: object) -> threading.ExceptHookArgs:
    caught: list[threading.ExceptHookArgs] = []
    previous = threading.excepthook
    threading.excepthook = caught.append
    try:
        thread = threading.Thread(target=target)  # type: ignore[arg-type]
        thread.start()
        thread.join()
    finally:
        threading.excepthook = previous
    assert caught
    return caught[0]


def test_a_result_delivered_to_a_closed_loop_by_aiosqlite_is_recognised() -> None:
    loop = asyncio.new_event_loop()
    future = loop.create_future()
    loop.close()
    queue: object = __import__("queue").SimpleQueue()
    queue.put_nowait((future, lambda: 1))  # type: ignore[attr-defined]
    queue.put_nowait((None, lambda: aiosqlite.core._STOP_RUNNING_SENTINEL))  # type: ignore[attr-defined]
    args = _raised_in_thread(lambda: aiosqlite.core._connection_worker_thread(queue))
    assert thread_errors.is_late_aiosqlite_delivery(args.exc_type, args.exc_value, args.exc_traceback)


def test_the_same_message_from_other_code_still_fails() -> None:
    def elsewhere() -> None:
        raise RuntimeError("Event loop is closed")

    args = _raised_in_thread(elsewhere)
    assert not thread_errors.is_late_aiosqlite_delivery(args.exc_type, args.exc_value, args.exc_traceback)


def test_other_errors_reach_the_previous_hook() -> None:
    passed_on: list[threading.ExceptHookArgs] = []
    saved = threading.excepthook
    try:
        thread_errors.install(passed_on.append)
        hook = threading.excepthook
    finally:
        threading.excepthook = saved
    try:
        raise ValueError("boom")
    except ValueError:
        exc_type, exc_value, tb = sys.exc_info()
    assert exc_type is not None
    hook(threading.ExceptHookArgs((exc_type, exc_value, tb, None)))  # type: ignore[arg-type]
    assert [type(args.exc_value) for args in passed_on] == [ValueError]


@pytest.mark.parametrize("message", ["Event loop is closed", "other"])
def test_only_runtime_errors_with_that_message_match(message: str) -> None:
    assert not thread_errors.is_late_aiosqlite_delivery(ValueError, ValueError(message), None)
