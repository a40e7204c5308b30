"""The rules of persisted-query references and the manifest format, without a server."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from app.persisted.errors import InvalidPersistedQuery
from app.persisted.manifest import Manifest, ManifestError, load_manifest, parse_manifest
from app.persisted.manifest_builder import build_manifest
from app.persisted.rules import (
    PersistedQueryRef,
    hash_of_document_id,
    persisted_query_ref,
    sha256_hex,
    verify_hash,
)

QUERY = "{ __typename }"
QUERY_HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def test_sha256_is_the_hex_digest_of_the_utf8_text() -> None:
    assert sha256_hex(QUERY) == QUERY_HASH
    assert sha256_hex("{ é }") == hashlib.sha256("{ é }".encode()).hexdigest()


def test_a_request_without_the_extension_has_no_reference() -> None:
    assert persisted_query_ref(None) is None
    assert persisted_query_ref({"other": 1}) is None


def test_a_reference_names_its_hash_in_lower_case() -> None:
    reference = persisted_query_ref({"persistedQuery": {"version": 1, "sha256Hash": QUERY_HASH.upper()}})

    assert reference == PersistedQueryRef(QUERY_HASH)


@pytest.mark.parametrize(
    "extension",
    [
        "x",
        {"sha256Hash": QUERY_HASH},
        {"version": 2, "sha256Hash": QUERY_HASH},
        {"version": True, "sha256Hash": QUERY_HASH},
        {"version": 1},
        {"version": 1, "sha256Hash": "abc"},
        {"version": 1, "sha256Hash": "g" * 64},
        {"version": 1, "sha256Hash": 5},
    ],
)
def test_malformed_references_are_refused(extension: Any) -> None:
    with pytest.raises(InvalidPersistedQuery):
        persisted_query_ref({"persistedQuery": extension})


def test_a_hash_must_be_the_documents_own() -> None:
    verify_hash(QUERY, PersistedQueryRef(QUERY_HASH))
    with pytest.raises(InvalidPersistedQuery, match="does not match"):
        verify_hash("{ customers { totalCount } }", PersistedQueryRef(QUERY_HASH))


def test_document_ids_in_sha256_form_name_a_hash() -> None:
    assert hash_of_document_id(f"sha256:{QUERY_HASH}") == QUERY_HASH
    assert hash_of_document_id(QUERY_HASH) is None
    assert hash_of_document_id("sha256:short") is None


def manifest_json(*operations: dict[str, str]) -> dict[str, Any]:
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": list(operations)}


def test_manifest_documents_are_found_by_id_by_sha256_id_and_by_hash_of_body() -> None:
    manifest = parse_manifest(manifest_json({"id": "my-id", "name": "T", "type": "query", "body": QUERY}))

    operation = manifest.by_document_id("my-id")
    assert operation is not None and operation.sha256 == QUERY_HASH
    assert manifest.by_document_id(f"sha256:{QUERY_HASH}") is operation
    assert manifest.by_hash(QUERY_HASH) is operation
    assert manifest.by_hash("0" * 64) is None and manifest.by_document_id("other") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "format"),
        ({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}, "version"),
        ({"format": "apollo-persisted-query-manifest", "version": 1}, "operations"),
        (manifest_json({"id": "a", "name": "T", "type": "query"}), "operation T: `body`"),
        (manifest_json({"id": "a", "name": "T", "type": "fragment", "body": QUERY}), "operation T: `type`"),
        (
            manifest_json(
                {"id": "a", "name": "T", "type": "query", "body": QUERY},
                {"id": "a", "name": "U", "type": "query", "body": QUERY},
            ),
            "operation U: id 'a' appears twice",
        ),
    ],
)
def test_unusable_manifests_are_refused_naming_the_problem(data: Any, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(data)


def test_load_manifest_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text("{ nope")

    with pytest.raises(ManifestError, match=re.escape(str(path))):
        load_manifest(path)
    with pytest.raises(ManifestError, match=r"missing\.json"):
        load_manifest(tmp_path / "missing.json")


def write(directory: Path, name: str, text: str) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_build_manifest_makes_one_entry_per_operation_with_the_fragments_it_uses(tmp_path: Path) -> None:
    write(
        tmp_path, "fragments.graphql", "fragment B on Customer { uuid ...C }\nfragment C on Customer { name }"
    )
    write(tmp_path, "unused.graphql", "fragment Unused on Customer { email }")
    write(tmp_path, "nested/list.graphql", "query List { customers { nodes { ...B } } }")
    write(tmp_path, "count.graphql", "query Count { customers { totalCount } }\nmutation M { __typename }")

    manifest = build_manifest(tmp_path)

    assert [(op.name, op.type) for op in manifest.operations] == [
        ("Count", "query"),
        ("List", "query"),
        ("M", "mutation"),
    ]
    listing = manifest.operations[1]
    assert (
        listing.body.index("query List") < listing.body.index("fragment B") < listing.body.index("fragment C")
    )
    assert "Unused" not in listing.body
    assert all(op.id == op.sha256 == sha256_hex(op.body) for op in manifest.operations)
    assert parse_manifest(manifest.as_json()).as_json() == manifest.as_json()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "no .graphql files"),
        ({"a.graphql": "{ __typename }"}, "needs a name"),
        ({"a.graphql": "query A { "}, "a.graphql"),
        ({"a.graphql": "query A { ...Missing }"}, "unknown fragment Missing"),
        ({"a.graphql": "query A { a }", "b.graphql": "query A { b }"}, "A is also defined"),
        ({"a.graphql": "type T { a: Int }"}, "only operations and fragments"),
    ],
)
def test_build_manifest_refuses_folders_it_cannot_describe(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)

    with pytest.raises(ManifestError, match=message):
        build_manifest(tmp_path)


def test_an_empty_manifest_finds_nothing() -> None:
    assert Manifest().by_hash(QUERY_HASH) is None
