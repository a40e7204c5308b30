"""The rules of persisted-query references: hashes, protocol versions, document ids. Pure functions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from app.persisted.errors import InvalidPersistedQuery

# Apollo's automatic persisted queries protocol: the only version there is.
PROTOCOL_VERSION = 1
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
DOCUMENT_ID_PREFIX = "sha256:"


def sha256_hex(document: str) -> str:
    """The lower-case hex SHA-256 of a document's UTF-8 text (what Apollo Client and manifests use)."""
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class PersistedQueryRef:
    """`extensions.persistedQuery` of a request: the document named by its hash."""

    sha256: str


def persisted_query_ref(extensions: dict[str, Any] | None) -> PersistedQueryRef | None:
    """The request's persisted-query reference, None when it has none; InvalidPersistedQuery when the
    reference is malformed or of a protocol version this server does not speak."""
    if not extensions or "persistedQuery" not in extensions:
        return None
    reference = extensions["persistedQuery"]
    if not isinstance(reference, dict):
        raise InvalidPersistedQuery("`extensions.persistedQuery` must be an object")
    version = reference.get("version")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        raise InvalidPersistedQuery(
            f"unsupported persisted query version {version!r}: this server speaks version {PROTOCOL_VERSION}"
        )
    digest = reference.get("sha256Hash")
    if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest.lower()):
        raise InvalidPersistedQuery("`extensions.persistedQuery.sha256Hash` must be 64 hex digits")
    return PersistedQueryRef(digest.lower())


def verify_hash(document: str, reference: PersistedQueryRef) -> None:
    """Refuse a document sent with a hash that is not its own (it would be registered under a lie)."""
    if sha256_hex(document) != reference.sha256:
        raise InvalidPersistedQuery("provided sha256Hash does not match the query")


def hash_of_document_id(document_id: str) -> str | None:
    """The hash a `sha256:<hex>` document id names, None for any other form of id."""
    if not document_id.startswith(DOCUMENT_ID_PREFIX):
        return None
    digest = document_id[len(DOCUMENT_ID_PREFIX) :].lower()
    return digest if _SHA256_HEX.fullmatch(digest) else None
