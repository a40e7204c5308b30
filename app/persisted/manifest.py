"""Apollo's persisted query manifest: reading one, and finding its documents by id or by hash.

The format (`@apollo/generate-persisted-query-manifest`):
`{"format": "apollo-persisted-query-manifest", "version": 1,
  "operations": [{"id", "name", "type", "body"}, ...]}`.
Documents are found by their `id` (a request's `documentId`, also in the `sha256:<hex>` form) and by
the SHA-256 of their body (`extensions.persistedQuery.sha256Hash`), computed here rather than trusted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.persisted.rules import hash_of_document_id, sha256_hex

MANIFEST_FORMAT = "apollo-persisted-query-manifest"
MANIFEST_VERSION = 1
OPERATION_TYPES = ("query", "mutation", "subscription")


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the file and the operation."""


@dataclass(frozen=True, slots=True)
class ManifestOperation:
    """One trusted document."""

    id: str
    name: str
    type: str
    body: str
    sha256: str

    def as_json(self) -> dict[str, str]:
        """The operation as the manifest writes it."""
        return {"id": self.id, "name": self.name, "type": self.type, "body": self.body}


class Manifest:
    """The trusted documents of one manifest, indexed by id and by hash."""

    def __init__(self, operations: Iterable[ManifestOperation] = ()) -> None:
        self.operations = tuple(operations)
        self._by_id = {operation.id: operation for operation in self.operations}
        self._by_hash = {operation.sha256: operation for operation in self.operations}

    def __len__(self) -> int:
        return len(self.operations)

    def by_document_id(self, document_id: str) -> ManifestOperation | None:
        """The document a request's `documentId` names: its manifest id, or `sha256:<hash of body>`."""
        operation = self._by_id.get(document_id)
        if operation is not None:
            return operation
        digest = hash_of_document_id(document_id)
        return None if digest is None else self._by_hash.get(digest)

    def by_hash(self, sha256: str) -> ManifestOperation | None:
        """The document whose body has this SHA-256."""
        return self._by_hash.get(sha256)

    def as_json(self) -> dict[str, Any]:
        """The manifest in Apollo's format."""
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "operations": [operation.as_json() for operation in self.operations],
        }


def _operation(entry: Any, index: int) -> ManifestOperation:
    if not isinstance(entry, dict):
        raise ManifestError(f"operation #{index} is not an object")
    label = entry.get("name") if isinstance(entry.get("name"), str) else f"#{index}"
    for key in ("id", "name", "type", "body"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise ManifestError(f"operation {label}: `{key}` must be a non-empty string")
    if entry["type"] not in OPERATION_TYPES:
        raise ManifestError(f"operation {label}: `type` must be one of {', '.join(OPERATION_TYPES)}")
    return ManifestOperation(
        entry["id"], entry["name"], entry["type"], entry["body"], sha256_hex(entry["body"])
    )


def parse_manifest(data: Any) -> Manifest:
    """A Manifest from the decoded JSON; ManifestError naming what is wrong."""
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f'not a persisted query manifest: `format` must be "{MANIFEST_FORMAT}"')
    if data.get("version") != MANIFEST_VERSION:
        raise ManifestError(f"unsupported manifest version {data.get('version')!r} (expected 1)")
    entries = data.get("operations")
    if not isinstance(entries, list):
        raise ManifestError("`operations` must be a list")
    operations = [_operation(entry, index) for index, entry in enumerate(entries)]
    seen: set[str] = set()
    for operation in operations:
        if operation.id in seen:
            raise ManifestError(f"operation {operation.name}: id {operation.id!r} appears twice")
        seen.add(operation.id)
    return Manifest(operations)


def load_manifest(path: str | Path) -> Manifest:
    """Read and check a manifest file; ManifestError (naming the file) when it cannot be used."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ManifestError(f"persisted documents manifest {path}: {error}") from None
    try:
        return parse_manifest(data)
    except ManifestError as error:
        raise ManifestError(f"persisted documents manifest {path}: {error}") from None
