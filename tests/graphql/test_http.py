"""The /graphql endpoint as HTTP: exact path, methods, content types, body limits, malformed requests."""

from __future__ import annotations

import httpx

from tests.graphql.conftest import GraphQLClient


async def test_graphql_path_is_served_without_redirect(gql: GraphQLClient) -> None:
    response = await gql.post("{ __typename }")

    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}, "extensions": {"cost": 1}}


async def test_get_without_a_query_answers_400_and_other_methods_405_in_json(gql: GraphQLClient) -> None:
    headers = {"accept": "application/json", "authorization": str(gql.authorization)}
    get = await gql.http.get("/graphql", headers=headers)
    put = await gql.http.put("/graphql", content=b"{}")

    assert get.status_code == 400
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST"
    assert "errors" in get.json() and "errors" in put.json()


async def test_body_over_the_limit_answers_413_before_authentication(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["errors"][0]["message"]


async def test_non_json_content_type_answers_415(gql: GraphQLClient) -> None:
    response = await gql.http.post(
        "/graphql",
        content=b"{ __typename }",
        headers={"content-type": "application/graphql", "authorization": str(gql.authorization)},
    )

    assert response.status_code == 415


async def test_malformed_requests_answer_400(gql: GraphQLClient) -> None:
    bodies = [
        b"not json",
        b"[" * 50_000 + b"]" * 10_000,
        b"[1, 2]",
        b'[{"query": "{ __typename }"}]',
        b'{"query": 5}',
        b'{"query": ""}',
        b'{"query": "{ __typename }", "variables": [1]}',
        b'{"query": "{ __typename }", "operationName": 5}',
        b'{"query": "query A { __typename }", "operationName": "B"}',
        b'{"query": "subscription { x }"}',
    ]
    for body in bodies:
        response = await gql.http.post(
            "/graphql",
            content=body,
            headers={"content-type": "application/json", "authorization": str(gql.authorization)},
        )
        assert response.status_code == 400, (body, response.text)
        assert response.json()["errors"][0]["message"]


async def test_syntax_and_validation_errors_answer_200_without_data(gql: GraphQLClient) -> None:
    for query in ("{ customers { ", "{ nope }"):
        response = await gql.post(query)
        assert response.status_code == 200
        assert "data" not in response.json()
        assert response.json()["errors"]


async def test_operation_name_picks_the_operation(gql: GraphQLClient) -> None:
    response = await gql.http.post(
        "/graphql",
        json={"query": "query A { __typename } query B { customers { totalCount } }", "operationName": "B"},
        headers={"authorization": str(gql.authorization)},
    )

    assert response.json() == {"data": {"customers": {"totalCount": 0}}, "extensions": {"cost": 2}}
