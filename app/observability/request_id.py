"""Request ids: taken from `X-Request-Id` when it is safe to echo, generated otherwise.

The id of the request being served lives in a context variable, so error bodies, GraphQL errors and log
records can all name it without passing it around. Tasks spawned while serving a request (DataLoader
batches) copy the context and see the same id.
"""

from __future__ import annotations

import itertools
import os
import re
from contextvars import ContextVar, Token

HEADER = b"x-request-id"
MAX_LENGTH = 128
# Letters, digits and the punctuation of common id formats (UUIDs, ULIDs, base64, W3C trace ids).
# Anything else (spaces, quotes, control characters, non-ASCII) could forge log lines or break headers.
_SAFE = re.compile(rb"[A-Za-z0-9._:/+=@-]{1,%d}" % MAX_LENGTH)

NO_REQUEST = "-"
_current: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


# A random per-process prefix and a counter: unique across processes and restarts without a system call
# per request (ids need to be unique, not unpredictable). A forked child draws a prefix of its own.
_prefix = os.urandom(8).hex()
_counter = itertools.count(1)


def _new_prefix() -> None:
    global _prefix
    _prefix = os.urandom(8).hex()


os.register_at_fork(after_in_child=_new_prefix)


def new_request_id() -> str:
    """A fresh id: 32 lowercase hex characters."""
    return f"{_prefix}{next(_counter):016x}"


def accept_request_id(value: bytes | None) -> str:
    """The client's id when it is 1-128 safe characters, else a generated one (never a cleaned-up echo)."""
    if value is not None and _SAFE.fullmatch(value):
        return value.decode("ascii")
    return new_request_id()


def request_id_from_headers(headers: list[tuple[bytes, bytes]]) -> str:
    """The request id for raw ASGI headers (names are lower-case bytes per the ASGI spec)."""
    for name, value in headers:
        if name == HEADER:
            return accept_request_id(value)
    return new_request_id()


def current_request_id() -> str:
    """The id of the request being served, or "-" outside a request."""
    return _current.get()


def bind_request_id(request_id: str) -> Token[str]:
    """Make `request_id` current; returns a token for `unbind_request_id`."""
    return _current.set(request_id)


def unbind_request_id(token: Token[str]) -> None:
    """Restore the id that was current before `bind_request_id`."""
    _current.reset(token)
