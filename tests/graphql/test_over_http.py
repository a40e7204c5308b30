"""GraphQL over HTTP on /graphql: media type negotiation, request errors under
`application/graphql-response+json`, GET for queries, and the caching headers of GET answers."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx
import pytest

from app.graphql.over_http import GRAPHQL_RESPONSE_JSON, response_media_type
from app.merchants.repository import Merchant
from tests.graphql.conftest import GraphQLClient, signed_header

RESPONSE_JSON = {"accept": GRAPHQL_RESPONSE_JSON}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        ("text/plain", "application/json"),
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, application/json;q=0.9", GRAPHQL_RESPONSE_JSON),
        (f"application/json, {GRAPHQL_RESPONSE_JSON};q=0.5", "application/json"),
        (f"{GRAPHQL_RESPONSE_JSON};q=0", "application/json"),
        (f"{GRAPHQL_RESPONSE_JSON};q=oops", "application/json"),
        ("Application/GraphQL-Response+JSON ; q=1, */*;q=0.1", GRAPHQL_RESPONSE_JSON),
    ],
)
def test_response_media_type_is_negotiated_from_accept(accept: str | None, expected: str) -> None:
    assert response_media_type(accept) == expected


async def post(gql: GraphQLClient, payload: object, **headers: str) -> httpx.Response:
    return await gql.http.post(
        "/graphql",
        content=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "authorization": str(gql.authorization), **headers},
    )


async def get(
    gql: GraphQLClient, accept: str | None = "application/json", **parameters: str
) -> httpx.Response:
    headers = {"authorization": str(gql.authorization)}
    if accept is not None:
        headers["accept"] = accept
    return await gql.http.get("/graphql?" + urlencode(parameters), headers=headers)


async def test_graphql_response_json_is_answered_in_that_media_type(gql: GraphQLClient) -> None:
    response = await post(gql, {"query": "{ __typename }"}, **RESPONSE_JSON)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    assert response.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}


@pytest.mark.parametrize(
    "query", ["{ customers { ", "{ nope }", "query Q($id: ID!) { customer(uuid: $id) { uuid } }"]
)
async def test_request_errors_answer_400_without_data_under_graphql_response_json(
    gql: GraphQLClient, query: str
) -> None:
    response = await post(gql, {"query": query, "variables": {"id": None}}, **RESPONSE_JSON)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body = response.json()
    assert "data" not in body and body["errors"][0]["message"]


@pytest.mark.parametrize(
    "query", ["{ customers { ", "{ nope }", "query Q($id: ID!) { customer(uuid: $id) { uuid } }"]
)
async def test_request_errors_still_answer_200_under_application_json(gql: GraphQLClient, query: str) -> None:
    response = await post(gql, {"query": query, "variables": {"id": None}}, accept="application/json")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert "data" not in response.json()


async def test_transport_errors_use_the_negotiated_media_type(gql: GraphQLClient) -> None:
    response = await gql.http.post(
        "/graphql", content=b"{ not json", headers={"content-type": "application/json", **RESPONSE_JSON}
    )

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)


@pytest.mark.parametrize("extensions", ["string", 0, False, ["array"]])
async def test_extensions_must_be_an_object(gql: GraphQLClient, extensions: object) -> None:
    response = await post(gql, {"query": "{ __typename }", "extensions": extensions})

    assert response.status_code == 400
    assert "extensions" in response.json()["errors"][0]["message"]


async def test_unknown_extensions_are_ignored(gql: GraphQLClient) -> None:
    response = await post(gql, {"query": "{ __typename }", "extensions": {"some": "value"}})

    assert response.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}


async def test_get_runs_a_query_with_variables_and_operation_name(gql: GraphQLClient) -> None:
    response = await get(
        gql,
        query="query A { __typename } query B($first: Int) { customers(first: $first) { totalCount } }",
        variables=json.dumps({"first": 2}),
        operationName="B",
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["vary"] == "Authorization, Accept"


async def test_get_answers_carry_the_caching_headers_even_when_refused(gql: GraphQLClient) -> None:
    unauthenticated = await gql.http.get("/graphql?query=%7B__typename%7D")
    bad_variables = await get(gql, query="{ __typename }", variables="[1")

    for response in (unauthenticated, bad_variables):
        assert response.status_code in (400, 401)
        assert response.headers["cache-control"] == "private, no-cache"
        assert response.headers["vary"] == "Authorization, Accept"


async def test_mutation_over_get_answers_405_allow_post_and_changes_nothing(gql: GraphQLClient) -> None:
    response = await get(
        gql,
        GRAPHQL_RESPONSE_JSON,
        query='mutation { createCustomer(input: {name: "Via GET"}) { __typename } }',
    )

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["message"]
    assert await gql.execute("{ customers { totalCount } }") == {"customers": {"totalCount": 0}}


async def test_get_with_html_and_no_query_still_serves_graphiql(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


async def test_get_with_html_and_a_query_runs_the_query(gql: GraphQLClient) -> None:
    response = await get(gql, "text/html,*/*;q=0.8", query="{ __typename }")

    assert response.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}


async def test_signed_get_covers_the_query_string(gql: GraphQLClient, merchant: Merchant) -> None:
    target = "/graphql?" + urlencode({"query": "{ customers { totalCount } }"})
    signed = await gql.http.get(target, headers={"authorization": signed_header(merchant, b"", target)})
    replayed_elsewhere = await gql.http.get(
        "/graphql?" + urlencode({"query": "{ __typename }"}),
        headers={"authorization": signed_header(merchant, b"", target)},
    )

    assert signed.json() == {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}
    assert replayed_elsewhere.status_code == 401


@pytest.mark.parametrize(
    "parameters",
    [
        {},
        {"query": ""},
        {"query": "{ __typename }", "variables": "not json"},
        {"query": "{ __typename }", "extensions": "1"},
    ],
)
async def test_malformed_get_requests_answer_400(gql: GraphQLClient, parameters: dict[str, str]) -> None:
    response = await get(gql, **parameters)

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
