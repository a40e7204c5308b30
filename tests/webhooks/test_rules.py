"""The webhook rules: what a URL may be, which addresses are refused, which events an endpoint gets, and
how long a failed delivery waits."""

from __future__ import annotations

import random

import pytest

from app.errors import ErrorCode, InvalidInput
from app.events.domain import EventType
from app.webhooks.rules import (
    JITTER_FRACTION,
    claim_lease_seconds,
    clean_description,
    clean_event_types,
    clean_url,
    forbidden_address,
    new_endpoint_id,
    new_secret,
    retry_delay,
    wants,
)


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/gateway", "http://hooks.example.com:8080/a?b=c", "https://[2001:db8::1]/x"],
)
def test_absolute_http_urls_are_accepted(url: str) -> None:
    assert clean_url(url) == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        (None, ErrorCode.REQUIRED),
        (42, ErrorCode.INVALID_TYPE),
        ("ftp://example.com/x", ErrorCode.INVALID_FORMAT),
        ("/relative", ErrorCode.INVALID_FORMAT),
        ("https://", ErrorCode.INVALID_FORMAT),
        ("https://user:pw@example.com/", ErrorCode.INVALID_FORMAT),
        ("https://example.com:99999/", ErrorCode.INVALID_FORMAT),
        ("https://exa mple.com/", ErrorCode.INVALID_FORMAT),
        ("https://example.com/" + "a" * 2048, ErrorCode.TOO_LONG),
    ],
)
def test_other_urls_are_refused_naming_the_field(url: object, code: ErrorCode) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_url(url)
    assert [(error.field, error.code) for error in refused.value.field_errors] == [("url", code)]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_loopback_private_link_local_and_reserved_addresses_are_forbidden(address: str) -> None:
    assert forbidden_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not forbidden_address(address)


def test_event_types_default_to_every_type_and_unknown_ones_are_refused() -> None:
    assert clean_event_types(None) == ()
    assert clean_event_types([]) == ()
    assert clean_event_types(["customer.created", "customer.created", "customer.deleted"]) == (
        EventType.CUSTOMER_CREATED,
        EventType.CUSTOMER_DELETED,
    )
    for bad in (["customer.exploded"], "customer.created", [1]):
        with pytest.raises(InvalidInput) as refused:
            clean_event_types(bad)
        assert refused.value.field_errors[0].field == "event_types"


def test_an_endpoint_without_types_gets_every_event() -> None:
    assert wants((), "customer.created")
    assert wants(("customer.created",), "customer.created")
    assert not wants(("customer.created",), "customer.deleted")


def test_descriptions_are_optional_and_bounded() -> None:
    assert clean_description(None) == ""
    assert clean_description("orders backend") == "orders backend"
    with pytest.raises(InvalidInput):
        clean_description("x" * 256)
    with pytest.raises(InvalidInput):
        clean_description(["x"])


def test_retries_follow_the_schedule_with_bounded_jitter_then_stop() -> None:
    rng = random.Random(7)
    schedule = (1.0, 2.0, 4.0)
    for attempts_made, base in enumerate(schedule, start=1):
        for _ in range(50):
            delay = retry_delay(schedule, attempts_made, rng)
            assert delay is not None
            assert base <= delay <= base * (1 + JITTER_FRACTION)
    assert retry_delay(schedule, len(schedule) + 1, rng) is None
    # Jitter spreads endpoints that failed together.
    assert len({retry_delay(schedule, 1, rng) for _ in range(20)}) > 1


def test_a_claim_outlives_the_request_timeout() -> None:
    assert claim_lease_seconds(10) > 2 * 10


def test_ids_and_secrets_are_random_and_in_the_standard_webhooks_form() -> None:
    import base64

    first, second = new_secret(), new_secret()
    assert first != second and first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert new_endpoint_id().startswith("we_") and new_endpoint_id() != new_endpoint_id()


def test_the_retry_schedule_setting_takes_seconds_and_refuses_the_rest() -> None:
    from app.settings import DEFAULT_RETRY_SCHEDULE, load_settings

    assert load_settings({}).webhooks_retry_schedule == DEFAULT_RETRY_SCHEDULE
    assert load_settings({"GATEWAY_WEBHOOKS_RETRY_SCHEDULE": "1, 2.5,4"}).webhooks_retry_schedule == (
        1.0,
        2.5,
        4.0,
    )
    for bad in ("1,x", "0", "1,,2", "inf", "nan"):
        with pytest.raises(SystemExit, match="GATEWAY_WEBHOOKS_RETRY_SCHEDULE"):
            load_settings({"GATEWAY_WEBHOOKS_RETRY_SCHEDULE": bad})
