"""Unit tests for the transport-free authentication primitives."""

from __future__ import annotations

import hashlib

import pytest

from app.auth import (
    ALL_SCOPES,
    GRANTS,
    Access,
    BearerCredentials,
    Principal,
    Scope,
    SignedCredentials,
    check_signature,
    grants,
    hash_token,
    new_access_token,
    parse_authorization,
    signature_digest,
    stored_scopes,
)
from app.errors import Forbidden, Unauthenticated


def test_digest_is_sha512_of_the_documented_concatenation() -> None:
    digest = signature_digest(
        merchant_key="key",
        timestamp=1700000000,
        authenticity_token="tok",
        fullpath="/v2/customers?limit=2",
        body=b'{"a":1}',
    )
    assert digest == hashlib.sha512(b'key1700000000tok/v2/customers?limit=2{"a":1}').hexdigest()


def signed(fullpath: str, body: bytes, timestamp: int) -> SignedCredentials:
    digest = signature_digest(
        merchant_key="key", timestamp=timestamp, authenticity_token="tok", fullpath=fullpath, body=body
    )
    return SignedCredentials("tok", timestamp, digest)


def test_a_correct_signature_passes() -> None:
    check_signature(
        signed("/v2/customers", b"{}", 1000),
        merchant_key="key",
        fullpath="/v2/customers",
        body=b"{}",
        now=1000.0,
        window_seconds=300,
    )


@pytest.mark.parametrize(
    ("fullpath", "body", "now"),
    [
        ("/v2/customers?limit=1", b"{}", 1000.0),
        ("/v2/customers", b"{ }", 1000.0),
        ("/v2/customers", b"{}", 1301.0),
        ("/v2/customers", b"{}", 699.0),
    ],
)
def test_changed_target_body_or_stale_timestamp_fails(fullpath: str, body: bytes, now: float) -> None:
    with pytest.raises(Unauthenticated) as caught:
        check_signature(
            signed("/v2/customers", b"{}", 1000),
            merchant_key="key",
            fullpath=fullpath,
            body=body,
            now=now,
            window_seconds=300,
        )
    assert "Authorization" in caught.value.message


def test_window_edges_are_inclusive() -> None:
    for now in (700.0, 1300.0):
        check_signature(
            signed("/p", b"", 1000), merchant_key="key", fullpath="/p", body=b"", now=now, window_seconds=300
        )


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic abc",
        "WP3-v2.1 tok 123",
        "WP3-v2.1 tok notanumber digest",
        "WP3-v2.1 a b c d",
        "Bearer",
    ],
)
def test_unreadable_headers_are_unauthenticated(header: str | None) -> None:
    with pytest.raises(Unauthenticated) as caught:
        parse_authorization(header)
    assert "Authorization" in caught.value.message


def test_headers_parse() -> None:
    assert parse_authorization("Bearer abc") == BearerCredentials("abc")
    assert parse_authorization("bearer abc") == BearerCredentials("abc")
    assert parse_authorization("WP3-v2.1 tok 123 ff") == SignedCredentials("tok", 123, "ff")


def test_tokens_are_random_and_stored_hashed() -> None:
    first, second = new_access_token(), new_access_token()
    assert first != second and len(first) >= 43
    assert hash_token(first) == hashlib.sha256(first.encode()).hexdigest() != first


def test_principal_requires_scopes() -> None:
    Principal(1, ALL_SCOPES).require(Scope.CUSTOMERS, Scope.PAYMENT_METHODS)
    with pytest.raises(Forbidden):
        Principal(1, frozenset({Scope.CUSTOMERS})).require(Scope.CUSTOMERS, Scope.PAYMENT_METHODS)


READS = (Access.READ_CUSTOMERS, Access.READ_PAYMENT_METHODS, Access.LIST_MERCHANT_PAYMENT_METHODS)
# Webhook endpoints decide where customer data goes: not even their listing is a plain read.
WRITES = (Access.WRITE_CUSTOMERS, Access.WRITE_PAYMENT_METHODS, Access.MANAGE_WEBHOOKS)


def test_every_access_has_a_grant() -> None:
    assert set(GRANTS) == set(Access)
    assert set(READS) | set(WRITES) == set(Access)


def test_customers_read_grants_every_read_and_no_write() -> None:
    reader = frozenset({Scope.CUSTOMERS_READ})
    assert all(grants(reader, access) for access in READS)
    assert not any(grants(reader, access) for access in WRITES)


def test_customers_and_payment_methods_grant_everything_but_webhooks() -> None:
    both = frozenset({Scope.CUSTOMERS, Scope.PAYMENT_METHODS})
    assert [access for access in Access if not grants(both, access)] == [Access.MANAGE_WEBHOOKS]


def test_webhooks_alone_manages_webhook_endpoints_only() -> None:
    hooks = frozenset({Scope.WEBHOOKS})
    assert [access for access in Access if grants(hooks, access)] == [Access.MANAGE_WEBHOOKS]


def test_payment_methods_alone_lists_the_merchants_cards_only() -> None:
    cards = frozenset({Scope.PAYMENT_METHODS})
    assert [access for access in Access if grants(cards, access)] == [Access.LIST_MERCHANT_PAYMENT_METHODS]


def test_customers_alone_reaches_customers_but_no_cards() -> None:
    customers = frozenset({Scope.CUSTOMERS})
    assert [access for access in Access if grants(customers, access)] == [
        Access.READ_CUSTOMERS,
        Access.WRITE_CUSTOMERS,
    ]


def test_refusal_names_what_is_missing_for_each_way_in() -> None:
    with pytest.raises(Forbidden) as caught:
        Principal(1, frozenset({Scope.CUSTOMERS})).require_access(Access.READ_PAYMENT_METHODS)
    assert caught.value.message == (
        "the access token lacks the scope: payment-methods or customers:read"
        " (to read a customer's payment methods)"
    )
    with pytest.raises(Forbidden) as caught:
        Principal(1, frozenset({Scope.CUSTOMERS_READ})).require_access(Access.WRITE_CUSTOMERS)
    assert caught.value.message == "the access token lacks the scope: customers (to change customers)"
    Principal(1, frozenset({Scope.CUSTOMERS_READ})).require_access(Access.READ_CUSTOMERS)


def test_stored_scopes_read_a_token_rows_scope_text() -> None:
    assert stored_scopes("customers payment-methods") == frozenset({Scope.CUSTOMERS, Scope.PAYMENT_METHODS})
    assert stored_scopes("") == frozenset()
    with pytest.raises(ValueError):
        stored_scopes("customers everything")
