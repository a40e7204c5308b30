"""Error translation: one mapping from domain errors to union members, and masking of the unexpected."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from app.errors import Conflict, CustomerDeleted, ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from app.graphql.errors import ConflictError, NotFoundError, ValidationError, error_member
from tests.graphql.conftest import GraphQLClient

ALL_MEMBERS = (ValidationError, NotFoundError, ConflictError)


def boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError("secret internals: password=hunter2 at /srv/app/db/engines.py")


def test_invalid_input_becomes_a_validation_error() -> None:
    error = InvalidInput("bad", [FieldError("zip_code", ErrorCode.TOO_LONG, "zip_code is too long")])

    member = error_member(error, ALL_MEMBERS)

    assert isinstance(member, ValidationError)
    assert member.message == "bad"
    assert [(e.field, e.code, e.message) for e in member.field_errors] == [
        ("zip_code", "too_long", "zip_code is too long")
    ]


def test_not_found_and_conflicts_map_to_their_members() -> None:
    not_found = error_member(NotFound("customer not found"), ALL_MEMBERS)
    conflict = error_member(Conflict("taken"), ALL_MEMBERS)
    deleted = error_member(CustomerDeleted("deleted"), ALL_MEMBERS)

    assert isinstance(not_found, NotFoundError) and not_found.message == "customer not found"
    assert isinstance(conflict, ConflictError) and conflict.code == "already_exists"
    assert isinstance(deleted, ConflictError) and deleted.code == "customer_deleted"


def test_errors_outside_the_union_are_raised_again() -> None:
    with pytest.raises(InvalidInput):
        error_member(InvalidInput("bad"), (NotFoundError,))
    with pytest.raises(Forbidden):
        error_member(Forbidden("no"), ALL_MEMBERS)


async def test_unexpected_query_error_is_masked_and_logged(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(gql.app.state.services.customers, "get", boom)

    with caplog.at_level(logging.ERROR, logger="app.graphql"):
        response = await gql.post('{ customer(uuid: "00000000-0000-4000-8000-000000000000") { uuid } }')

    assert response.status_code == 200
    assert response.json() == {
        "data": {"customer": None},
        "errors": [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["customer"],
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "requestId": response.headers["x-request-id"],
                },
            }
        ],
        "extensions": {"cost": 2},
    }
    for secret in ("secret", "hunter2", "RuntimeError", "/srv/app"):
        assert secret not in response.text
    assert any(record.exc_info and "hunter2" in str(record.exc_info[1]) for record in caplog.records)


async def test_unexpected_mutation_and_loader_errors_are_masked(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = gql.app.state.services
    await gql.execute('mutation { createCustomer(input: {name: "Ada"}) { __typename } }')
    monkeypatch.setattr(services.customers, "create", boom)
    monkeypatch.setattr(services.customers, "payment_methods_for_customers", boom)

    mutation = await gql.post('mutation { createCustomer(input: {name: "Ada"}) { __typename } }')
    cards = await gql.post("{ customers { nodes { paymentMethods { id } } } }")

    for response in (mutation, cards):
        assert response.status_code == 200
        assert "hunter2" not in response.text
        assert response.json()["errors"][0]["message"] == "Unexpected error."


async def test_failure_outside_execution_is_a_json_500(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gql.app.state.services.merchants, "authenticate", boom)

    response = await gql.post("{ __typename }")

    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "message": "Unexpected error.",
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "requestId": response.headers["x-request-id"],
                },
            }
        ]
    }
