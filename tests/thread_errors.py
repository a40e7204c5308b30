"""One benign race of aiosqlite, recognised so it does not fail an unrelated test.

aiosqlite runs each connection's calls on a worker thread and hands each result back with
`loop.call_soon_threadsafe`. SQLAlchemy closes an invalidated connection behind `asyncio.shield`, so when
a test's task is cancelled mid-close (pytest-asyncio cancels what is left when a test's loop ends), the
close finishes on the worker thread after the loop is gone and delivering its result raises
`RuntimeError: Event loop is closed` in that thread. The call itself completed; the only thing lost is a
result nobody awaits any more. A serving process's loop ends only at exit, so this is a test-harness race.

Every other exception in any thread still reaches pytest and fails the test.
"""

from __future__ import annotations

import threading
from types import TracebackType


def is_late_aiosqlite_delivery(
    exc_type: type[BaseException], exc_value: BaseException | None, tb: TracebackType | None
) -> bool:
    """True for exactly the closed-loop RuntimeError raised in aiosqlite's connection worker thread."""
    if exc_type is not RuntimeError or str(exc_value) != "Event loop is closed":
        return False
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "_connection_worker_thread" and "aiosqlite" in code.co_filename:
            return True
        tb = tb.tb_next
    return False


def install(previous: object) -> None:
    """Put a hook in front of `previous` (pytest's) that drops the late delivery and passes the rest on."""

    def hook(args: threading.ExceptHookArgs) -> None:
        if is_late_aiosqlite_delivery(args.exc_type, args.exc_value, args.exc_traceback):
            return
        previous(args)  # type: ignore[operator]

    threading.excepthook = hook
