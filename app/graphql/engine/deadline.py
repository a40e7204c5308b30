"""The per-request execution deadline: past it, an operation stops and the worker is free again.

Two halves, because an operation can overrun in two ways:
- waiting (a slow statement, a stuck connection): a timer on the event loop cancels the awaited
  execution, and whatever it is waiting for, when the time is up;
- computing (a large selection resolved synchronously, where the event loop never gets a turn to fire a
  timer): the executors read the clock once per selection set they execute (one `time.monotonic()` per
  object, a few microseconds per page of customers) and raise `DeadlineExceeded` once it has passed.
  graphql-core turns that into field errors that unwind the remaining work quickly, because every
  further selection set raises at once; the engine then answers with the one deadline error below.
"""

from __future__ import annotations

import time

from graphql import GraphQLError

DEADLINE_CODE = "DEADLINE_EXCEEDED"


class DeadlineExceeded(Exception):
    """Raised inside the executor when the operation's deadline has passed."""


class Deadline:
    """The moment one execution must be finished by (monotonic clock)."""

    __slots__ = ("expired", "expires_at", "milliseconds")

    def __init__(self, milliseconds: int) -> None:
        self.milliseconds = milliseconds
        self.expires_at = time.monotonic() + milliseconds / 1000
        self.expired = False

    def remaining_seconds(self) -> float:
        """Seconds left (0 when already past)."""
        return max(0.0, self.expires_at - time.monotonic())

    def check(self) -> None:
        """Raise DeadlineExceeded when the deadline has passed (and remember that it did)."""
        if time.monotonic() > self.expires_at:
            self.expired = True
            raise DeadlineExceeded(f"deadline of {self.milliseconds} ms passed")

    def error(self) -> GraphQLError:
        """The one error an operation stopped by this deadline answers with."""
        return GraphQLError(
            f"The operation did not finish within its deadline of {self.milliseconds} ms and was stopped.",
            extensions={"code": DEADLINE_CODE},
        )
