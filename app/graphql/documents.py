"""Where /graphql gets the prepared document of a request: trusted documents prepared once at start-up,
registered persisted queries, or the request's own text (app/persisted/service.py decides which).

Every trusted document is parsed, validated and given its execution plans when the endpoint is built, and
kept for the life of the process (outside the runner's bounded cache), so a trusted document is planned
once; an invalid one stops start-up with an error naming the operation.
"""

from __future__ import annotations

from app.graphql.engine import GraphQLEngine, PreparedDocument
from app.observability.metrics import PERSISTED_DOCUMENTS
from app.persisted.errors import PersistedQueryNotFound
from app.persisted.manifest import Manifest, ManifestError, load_manifest
from app.persisted.service import DocumentRequest, PersistedDocuments
from app.persisted.store import PersistedQueryStore
from app.settings import Settings


class TrustedDocumentError(RuntimeError):
    """The manifest of trusted documents cannot be served; the message names the operation."""


def _messages(prepared: PreparedDocument) -> str:
    return "; ".join(error.message for error in prepared.errors)


def prepare_manifest(runner: GraphQLEngine, manifest: Manifest) -> dict[str, PreparedDocument]:
    """Every manifest document prepared, by the SHA-256 of its body; TrustedDocumentError if one fails."""
    prepared: dict[str, PreparedDocument] = {}
    for operation in manifest.operations:
        document = runner.prepare(operation.body)
        if document.document is None or document.errors:
            raise TrustedDocumentError(
                f"trusted document {operation.name} ({operation.id}) is invalid: {_messages(document)}"
            )
        actual = document.operation_type(None)
        if actual is None or actual.value != operation.type:
            raise TrustedDocumentError(
                f"trusted document {operation.name} ({operation.id}) is declared as a {operation.type} "
                f"but its body is {'not a single operation' if actual is None else 'a ' + actual.value}"
            )
        prepared[operation.sha256] = document
    return prepared


def persisted_documents(settings: Settings, store: PersistedQueryStore) -> PersistedDocuments:
    """The persisted-document policy of these settings, with the manifest they name loaded."""
    manifest = Manifest()
    if settings.graphql_persisted_documents:
        try:
            manifest = load_manifest(settings.graphql_persisted_documents)
        except ManifestError as error:
            raise TrustedDocumentError(str(error)) from None
    return PersistedDocuments(store, manifest, only_trusted=settings.graphql_documents == "persisted")


class DocumentSource:
    """Prepared documents for requests, through the persisted-document policy; with `count`, each
    persisted document asked for is counted on /metrics by outcome."""

    def __init__(self, runner: GraphQLEngine, persisted: PersistedDocuments, *, count: bool = False) -> None:
        self.runner = runner
        self.persisted = persisted
        self.count = count
        self._trusted = prepare_manifest(runner, persisted.manifest)

    async def prepare(self, request: DocumentRequest) -> tuple[str, PreparedDocument]:
        """The document's text and its prepared form; the policy's domain errors propagate."""
        try:
            resolved = await self.persisted.resolve(request)
        except PersistedQueryNotFound:
            self._record("not_found")
            raise
        if resolved.trusted is not None:
            self._record("trusted")
            return resolved.query, self._trusted[resolved.trusted.sha256]
        prepared = self.runner.prepare(resolved.query)
        # Only documents that can run are registered: a hash must never name a broken document.
        if resolved.register_as is not None and prepared.document is not None and not prepared.errors:
            await self.persisted.register(resolved)
            self._record("registered")
        elif request.persisted_query is not None and resolved.register_as is None:
            self._record("hit")
        return resolved.query, prepared

    def _record(self, outcome: str) -> None:
        if self.count:
            PERSISTED_DOCUMENTS.labels(outcome).inc()
