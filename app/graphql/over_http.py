"""GraphQL over HTTP (the GraphQL Foundation's specification) for /graphql: reading GET and POST requests,
choosing the response media type, and the status codes and headers each answer carries.

- Media types: `application/graphql-response+json` when the client accepts it at least as much as
  `application/json`; `application/json` otherwise (also for `*/*`, a missing or an unsatisfiable
  Accept, as the specification's legacy rules say).
- Under `application/graphql-response+json` a request error (the document does not parse or validate,
  variables do not coerce: nothing ran) answers 400; under `application/json` it answers 200, as before.
- GET reads `query`, `variables`, `operationName`, `extensions` (JSON-encoded) and `documentId` from the
  query string; only queries run over GET (a mutation answers 405, `Allow: POST`), and every GET answer
  carries `Cache-Control: private, no-cache` and `Vary: Authorization, Accept`: answers depend on the
  caller and on the negotiated media type, and must be revalidated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import GraphQLError

from app.errors import DomainError
from app.graphql.engine import DEADLINE_CODE
from app.graphql.errors import domain_extensions
from app.http import json_codec
from app.persisted.errors import (
    InvalidPersistedQuery,
    PersistedQueryNotFound,
    PersistedQueryRequired,
    UnknownDocument,
)
from app.persisted.rules import persisted_query_ref
from app.persisted.service import DocumentRequest

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
GET_HEADERS = {"Cache-Control": "private, no-cache", "Vary": "Authorization, Accept"}
# Query-string parameters that make a GET an operation rather than a browser opening GraphiQL.
OPERATION_PARAMETERS = ("query", "documentId", "extensions")


class RequestProblem(Exception):
    """A request the endpoint answers without executing anything."""

    def __init__(
        self,
        status: int,
        message: str,
        extensions: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extensions = extensions or {}
        self.headers = dict(headers or {})


# Not frozen: a frozen dataclass pays a setattr call per field, on every request.
@dataclass(slots=True)
class GraphQLRequest:
    """The parameters of one GraphQL-over-HTTP request, whichever method carried them."""

    query: str | None
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    extensions: dict[str, Any] | None = None
    document_id: str | None = None

    def document_request(self) -> DocumentRequest:
        """What the request says about its document, for the persisted-document policy."""
        try:
            reference = persisted_query_ref(self.extensions)
        except InvalidPersistedQuery as error:
            raise problem_of(error) from None
        return DocumentRequest(self.query, self.document_id, reference)


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


@lru_cache(maxsize=128)  # clients send a handful of distinct Accept headers, over and over
def response_media_type(accept: str | None) -> str:
    """The media type of the answer, negotiated from an Accept header (see the module docstring)."""
    if not accept:
        return JSON
    graphql_quality = json_quality = 0.0
    for media_range in accept.split(","):
        media_type, *parameters = media_range.split(";")
        media_type = media_type.strip().lower()
        quality = _quality(parameters)
        if media_type == GRAPHQL_RESPONSE_JSON:
            graphql_quality = max(graphql_quality, quality)
        elif media_type in (JSON, "application/*", "*/*"):
            json_quality = max(json_quality, quality)
    return GRAPHQL_RESPONSE_JSON if graphql_quality > 0 and graphql_quality >= json_quality else JSON


def _checked(
    query: Any, variables: Any, operation_name: Any, extensions: Any, document_id: Any
) -> GraphQLRequest:
    """The parameters, type-checked the same way for both methods."""
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise RequestProblem(400, "`query` must be a non-empty string")
    if variables is not None and not isinstance(variables, dict):
        raise RequestProblem(400, "`variables` must be an object")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestProblem(400, "`operationName` must be a string")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestProblem(400, "`extensions` must be an object")
    if document_id is not None and (not isinstance(document_id, str) or not document_id):
        raise RequestProblem(400, "`documentId` must be a non-empty string")
    has_reference = extensions is not None and "persistedQuery" in extensions
    if query is None and document_id is None and not has_reference:
        raise RequestProblem(400, "`query` must be a non-empty string")
    return GraphQLRequest(query, variables, operation_name, extensions, document_id)


def decode_post(content_type: str | None, body: bytes) -> GraphQLRequest:
    """The parameters of a POST: a JSON object body (`application/json`)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type != JSON:
        raise RequestProblem(415, "send the operation as JSON (Content-Type: application/json)")
    try:
        data = json_codec.loads(body)
    except (ValueError, RecursionError):  # also invalid UTF-8 and absurdly deep nesting
        raise RequestProblem(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise RequestProblem(400, "the request body must be a JSON object (batches are not supported)")
    return _checked(
        data.get("query"),
        data.get("variables"),
        data.get("operationName"),
        data.get("extensions"),
        data.get("documentId"),
    )


def _json_parameter(parameters: Mapping[str, str], name: str) -> Any:
    raw = parameters.get(name)
    if raw is None or raw == "":
        return None
    try:
        return json_codec.loads(raw)
    except (ValueError, RecursionError):
        raise RequestProblem(400, f"`{name}` must be JSON-encoded") from None


def decode_get(parameters: Mapping[str, str]) -> GraphQLRequest:
    """The parameters of a GET, from its query string (`variables` and `extensions` JSON-encoded)."""
    return _checked(
        parameters.get("query"),
        _json_parameter(parameters, "variables"),
        parameters.get("operationName") or None,
        _json_parameter(parameters, "extensions"),
        parameters.get("documentId"),
    )


def is_operation_get(parameters: Mapping[str, str]) -> bool:
    """True when a GET carries an operation (otherwise a browser may be opening GraphiQL)."""
    return any(name in parameters for name in OPERATION_PARAMETERS)


def is_request_error(errors: list[GraphQLError], data: Any, executed: bool) -> bool:
    """True when nothing ran: the document did not parse or validate, or the variables did not coerce
    (graphql-core then answers without data and with errors that have no path). An operation stopped at
    its deadline did run: its answer is an execution result, whatever the media type."""
    if not executed:
        return True
    return (
        data is None
        and bool(errors)
        and all(error.path is None and not _is_deadline(error) for error in errors)
    )


def _is_deadline(error: GraphQLError) -> bool:
    return (error.extensions or {}).get("code") == DEADLINE_CODE


def status_of(media_type: str, *, request_error: bool, forbidden: bool) -> int:
    """The HTTP status of an answer that holds a GraphQL response."""
    if forbidden:
        return 403
    if request_error and media_type == GRAPHQL_RESPONSE_JSON:
        return 400
    return 200


# Persisted-document refusals: (status, extensions.code). An unknown hash answers 200 whatever the
# media type: Apollo Client's persisted-query link treats a 400 as "this server has no persisted queries"
# and stops sending hashes, instead of retrying with the document.
_PERSISTED_ANSWERS: tuple[tuple[type[DomainError], int, str], ...] = (
    (PersistedQueryNotFound, 200, "PERSISTED_QUERY_NOT_FOUND"),
    (UnknownDocument, 400, "PERSISTED_DOCUMENT_NOT_FOUND"),
    (PersistedQueryRequired, 400, "PERSISTED_QUERY_REQUIRED"),
    (InvalidPersistedQuery, 400, "BAD_REQUEST"),
)


def problem_of(error: DomainError) -> RequestProblem:
    """The answer to a persisted-document refusal."""
    for kind, status, code in _PERSISTED_ANSWERS:
        if isinstance(error, kind):
            return RequestProblem(status, error.message, {"code": code})
    return RequestProblem(400, error.message, domain_extensions(error))
