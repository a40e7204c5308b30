"""Why a request's persisted document cannot be run; translated at the transport's edge."""

from __future__ import annotations

from app.errors import DomainError, InvalidInput, NotFound


class PersistedQueryNotFound(NotFound):
    """A hash nobody registered yet: the client should send it again with the document."""


class UnknownDocument(NotFound):
    """A `documentId` that names no trusted document."""


class PersistedQueryRequired(DomainError):
    """Only trusted documents may run, and the request sent another one."""


class InvalidPersistedQuery(InvalidInput):
    """A malformed persisted-query reference, or a hash that is not the document's."""
