"""Apollo's automatic persisted queries over POST and GET, registered in the database (so every worker
shares them), on both databases."""

from __future__ import annotations

import asyncio

from app.main import create_app
from app.persisted.rules import sha256_hex
from app.runtime import Services
from app.settings import Settings
from tests.graphql.conftest import GraphQLClient
from tests.persisted.helpers import client_of, get_params, persisted_extension, post_json, unique_query


def data_of(query: str) -> dict[str, str]:
    alias = query.split("{ ", 1)[1].split(":", 1)[0]
    return {alias: "Query"}


async def test_an_unknown_hash_answers_persisted_query_not_found(gql: GraphQLClient) -> None:
    response = await post_json(gql, {"extensions": persisted_extension(unique_query())})

    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "data" not in response.json()


async def test_not_found_is_200_under_graphql_response_json_too(gql: GraphQLClient) -> None:
    response = await post_json(
        gql, {"extensions": persisted_extension(unique_query())}, accept="application/graphql-response+json"
    )

    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_hash_with_query_registers_it_for_hash_only_posts_and_gets(gql: GraphQLClient) -> None:
    query = unique_query()
    extensions = persisted_extension(query)

    registered = await post_json(gql, {"query": query, "extensions": extensions})
    by_post = await post_json(gql, {"extensions": extensions})
    by_get = await get_params(gql, {"extensions": extensions})

    for response in (registered, by_post, by_get):
        assert response.status_code == 200, response.text
        assert response.json() == {"data": data_of(query), "extensions": {"cost": 1}}
    assert by_get.headers["cache-control"] == "private, no-cache"


async def test_a_registered_query_is_found_by_another_worker(
    gql: GraphQLClient, graphql_settings: Settings
) -> None:
    query = unique_query()
    await post_json(gql, {"query": query, "extensions": persisted_extension(query)})

    async with client_of(create_app(graphql_settings), gql.authorization) as other_worker:
        response = await post_json(other_worker, {"extensions": persisted_extension(query)})

    assert response.json() == {"data": data_of(query), "extensions": {"cost": 1}}


async def test_a_hash_that_is_not_the_querys_is_refused_and_not_registered(gql: GraphQLClient) -> None:
    query, other = unique_query(), unique_query()

    response = await post_json(
        gql, {"query": query, "extensions": persisted_extension(sha256=sha256_hex(other))}
    )
    afterwards = await post_json(gql, {"extensions": persisted_extension(other)})

    assert response.status_code == 400
    assert "does not match" in response.json()["errors"][0]["message"]
    assert afterwards.json()["errors"][0]["message"] == "PersistedQueryNotFound"


async def test_an_invalid_document_is_answered_but_never_registered(
    gql: GraphQLClient, services: Services
) -> None:
    query = "{ nope" + unique_query().split("{", 1)[1]
    digest = sha256_hex(query)

    response = await post_json(gql, {"query": query, "extensions": persisted_extension(query)})

    assert response.status_code == 200 and "data" not in response.json()
    assert await services.persisted_queries.find(digest) is None


async def test_other_protocol_versions_are_refused(gql: GraphQLClient) -> None:
    query = unique_query()
    extensions = {"persistedQuery": {"version": 2, "sha256Hash": sha256_hex(query)}}

    response = await post_json(gql, {"query": query, "extensions": extensions})

    assert response.status_code == 400
    assert "version" in response.json()["errors"][0]["message"]


async def test_racing_registrations_of_one_query_both_succeed(
    gql: GraphQLClient, graphql_settings: Settings
) -> None:
    query = unique_query()
    payload = {"query": query, "extensions": persisted_extension(query)}
    async with client_of(create_app(graphql_settings), gql.authorization) as other_worker:
        first, second = await asyncio.gather(post_json(gql, payload), post_json(other_worker, payload))

    assert first.json() == second.json() == {"data": data_of(query), "extensions": {"cost": 1}}


async def test_an_unknown_document_id_answers_400(gql: GraphQLClient) -> None:
    response = await post_json(gql, {"documentId": "sha256:" + "0" * 64})

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
