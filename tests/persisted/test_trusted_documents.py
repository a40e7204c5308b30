"""Trusted documents from a manifest: named by documentId or hash, prepared once at start-up, and with
GATEWAY_GRAPHQL_DOCUMENTS=persisted the only documents that run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.graphql.documents import DocumentSource, TrustedDocumentError, persisted_documents
from app.graphql.engine import GraphQLEngine
from app.graphql.schema import build_schema
from app.main import create_app
from app.persisted.manifest_builder import build_manifest
from app.persisted.rules import persisted_query_ref, sha256_hex
from app.persisted.service import DocumentRequest
from app.runtime import Services
from app.settings import Settings
from tests.graphql.conftest import GraphQLClient
from tests.persisted.helpers import client_of, get_params, persisted_extension, post_json, unique_query

COUNT = "query Count {\n  customers {\n    totalCount\n  }\n}"
CREATE = 'mutation Create {\n  createCustomer(input: { name: "Trusted" }) {\n    __typename\n  }\n}'

NO_CUSTOMERS = {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}


def write_manifest(directory: Path, *bodies: str) -> Path:
    """A manifest (written by the same builder as the CLI) of these documents."""
    sources = directory / "documents"
    sources.mkdir()
    for index, body in enumerate(bodies):
        (sources / f"d{index}.graphql").write_text(body)
    path = directory / "manifest.json"
    path.write_text(json.dumps(build_manifest(sources).as_json()))
    return path


@pytest.fixture
def manifest_path(tmp_path: Path) -> Path:
    return write_manifest(tmp_path, COUNT, CREATE)


@pytest.fixture
def graphql_settings(settings: Settings, manifest_path: Path) -> Settings:
    """The app under test serves the manifest and, by default, any other document too."""
    return replace(settings, graphql_persisted_documents=str(manifest_path))


@pytest.fixture
async def only_trusted(graphql_settings: Settings, gql: GraphQLClient) -> AsyncIterator[GraphQLClient]:
    """A client of an app that runs the manifest's documents and nothing else."""
    settings = replace(graphql_settings, graphql_documents="persisted")
    async with client_of(create_app(settings), gql.authorization) as client:
        yield client


async def test_a_trusted_document_runs_by_manifest_id_sha256_id_or_hash(gql: GraphQLClient) -> None:
    digest = sha256_hex(COUNT)
    for payload in (
        {"documentId": digest},
        {"documentId": f"sha256:{digest}"},
        {"extensions": persisted_extension(COUNT)},
    ):
        response = await post_json(gql, payload)
        assert response.json() == NO_CUSTOMERS, payload


async def test_a_trusted_query_runs_over_get_and_a_trusted_mutation_does_not(gql: GraphQLClient) -> None:
    query = await get_params(gql, {"documentId": sha256_hex(COUNT)})
    mutation = await get_params(gql, {"documentId": sha256_hex(CREATE)})

    assert query.json() == NO_CUSTOMERS
    assert mutation.status_code == 405 and mutation.headers["allow"] == "POST"


async def test_a_document_id_with_a_query_is_refused(gql: GraphQLClient) -> None:
    response = await post_json(gql, {"documentId": sha256_hex(COUNT), "query": COUNT})

    assert response.status_code == 400


async def test_other_documents_still_run_by_default(gql: GraphQLClient) -> None:
    assert await gql.execute("{ __typename }") == {"__typename": "Query"}


async def test_only_trusted_documents_run_when_documents_are_persisted(only_trusted: GraphQLClient) -> None:
    by_id = await post_json(only_trusted, {"documentId": sha256_hex(COUNT)})
    same_text = await post_json(only_trusted, {"query": COUNT})
    other = await post_json(only_trusted, {"query": "{ __typename }"})

    assert by_id.json() == same_text.json() == NO_CUSTOMERS
    assert other.status_code == 400
    (error,) = other.json()["errors"]
    assert error["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
    assert "trusted" in error["message"]


async def test_persisted_mode_registers_nothing(only_trusted: GraphQLClient, services: Services) -> None:
    query = unique_query()

    with_query = await post_json(only_trusted, {"query": query, "extensions": persisted_extension(query)})
    hash_only = await post_json(only_trusted, {"extensions": persisted_extension(query)})

    for response in (with_query, hash_only):
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_REQUIRED"
    assert await services.persisted_queries.find(sha256_hex(query)) is None


async def test_trusted_documents_are_prepared_once_and_kept(
    graphql_settings: Settings, services: Services
) -> None:
    runner = GraphQLEngine(build_schema(), graphql_settings)
    source = DocumentSource(runner, persisted_documents(graphql_settings, services.persisted_queries))
    _, first = await source.prepare(DocumentRequest(document_id=sha256_hex(COUNT)))
    for index in range(300):  # more distinct documents than the runner's cache holds
        runner.prepare(f"{{ a{index}: __typename }}")

    _, again = await source.prepare(
        DocumentRequest(persisted_query=persisted_query_ref(persisted_extension(COUNT)))
    )

    assert again is first and first.plans is not None and not first.errors


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("query Broken { nope }", "trusted document Broken .* is invalid: Cannot query field 'nope'"),
        ("subscription Events { __typename }", "Events"),
    ],
)
async def test_an_invalid_trusted_document_stops_start_up_naming_it(
    tmp_path: Path, settings: Settings, body: str, message: str
) -> None:
    manifest = write_manifest(tmp_path, COUNT, body)

    with pytest.raises(TrustedDocumentError, match=message):
        create_app(replace(settings, graphql_persisted_documents=str(manifest)))


async def test_an_unreadable_manifest_stops_start_up_naming_the_file(
    tmp_path: Path, settings: Settings
) -> None:
    with pytest.raises(TrustedDocumentError, match=r"missing\.json"):
        create_app(replace(settings, graphql_persisted_documents=str(tmp_path / "missing.json")))
