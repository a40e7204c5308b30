"""Which document a request runs: its own text, a registered persisted query, or a trusted document.

Order: a `documentId` names a trusted document; a persisted-query hash is looked up among the trusted
documents first, then (unless only trusted documents may run) among registered ones; a hash sent with
its document registers it once the caller has found the document valid. With `only_trusted`, any
document that is not in the manifest is refused and nothing is registered.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.persisted.errors import (
    InvalidPersistedQuery,
    PersistedQueryNotFound,
    PersistedQueryRequired,
    UnknownDocument,
)
from app.persisted.manifest import Manifest, ManifestOperation
from app.persisted.rules import PersistedQueryRef, sha256_hex, verify_hash
from app.persisted.store import PersistedQueryStore

NOT_FOUND_MESSAGE = "PersistedQueryNotFound"


# Not frozen (like ResolvedDocument): built on every request, and a frozen dataclass pays a setattr call
# per field.
@dataclass(slots=True)
class DocumentRequest:
    """What a request says about its document (any of the three may be absent)."""

    query: str | None = None
    document_id: str | None = None
    persisted_query: PersistedQueryRef | None = None


@dataclass(slots=True)
class ResolvedDocument:
    """The document to run. `trusted` is the manifest entry when it is one; `register_as` is the hash to
    register the document under once it proved valid (None: nothing to register)."""

    query: str
    trusted: ManifestOperation | None = None
    register_as: str | None = None


class PersistedDocuments:
    """The persisted-document policy over a manifest and the store of registered queries."""

    def __init__(self, store: PersistedQueryStore, manifest: Manifest, *, only_trusted: bool) -> None:
        self.store = store
        self.manifest = manifest
        self.only_trusted = only_trusted

    async def resolve(self, request: DocumentRequest) -> ResolvedDocument:
        """The document the request runs; a domain error when there is none it may run."""
        if request.document_id is not None:
            return self._by_document_id(request)
        reference = request.persisted_query
        if reference is not None:
            return await self._by_hash(reference, request.query)
        if request.query is None:
            raise InvalidPersistedQuery("send `query`, `documentId` or `extensions.persistedQuery`")
        if self.only_trusted:
            trusted = self.manifest.by_hash(sha256_hex(request.query))
            if trusted is None:
                raise _required()
            return ResolvedDocument(trusted.body, trusted=trusted)
        return ResolvedDocument(request.query)

    async def register(self, resolved: ResolvedDocument) -> None:
        """Keep a verified, valid document for the hash-only requests that follow, on every worker."""
        if resolved.register_as is not None:
            await self.store.register(resolved.register_as, resolved.query)

    def _by_document_id(self, request: DocumentRequest) -> ResolvedDocument:
        if request.query is not None or request.persisted_query is not None:
            raise InvalidPersistedQuery("send either `documentId` or a document, not both")
        trusted = self.manifest.by_document_id(str(request.document_id))
        if trusted is None:
            raise UnknownDocument(f"no trusted document has the id {request.document_id!r}")
        return ResolvedDocument(trusted.body, trusted=trusted)

    async def _by_hash(self, reference: PersistedQueryRef, query: str | None) -> ResolvedDocument:
        if query is not None:
            verify_hash(query, reference)
        trusted = self.manifest.by_hash(reference.sha256)
        if trusted is not None:
            return ResolvedDocument(trusted.body, trusted=trusted)
        if self.only_trusted:
            raise _required()
        if query is not None:
            known = self.store.cached(reference.sha256) is not None
            return ResolvedDocument(query, register_as=None if known else reference.sha256)
        body = await self.store.find(reference.sha256)
        if body is None:
            raise PersistedQueryNotFound(NOT_FOUND_MESSAGE)
        return ResolvedDocument(body)


def _required() -> PersistedQueryRequired:
    return PersistedQueryRequired(
        "this server runs only its trusted (persisted) documents: send a `documentId` or the "
        "`extensions.persistedQuery.sha256Hash` of a document from its manifest"
    )
