"""The subscription settings: defaults, values from the environment, refusals of bad ones."""

from __future__ import annotations

import pytest

from app.settings import load_settings


def test_defaults() -> None:
    settings = load_settings({})

    assert settings.subscriptions_per_connection == 20
    assert settings.subscription_connections_per_merchant == 100
    assert settings.subscriptions_poll_seconds == 0.5


def test_values_from_the_environment() -> None:
    settings = load_settings(
        {
            "GATEWAY_SUBSCRIPTIONS_PER_CONNECTION": "3",
            "GATEWAY_SUBSCRIPTION_CONNECTIONS_PER_MERCHANT": "7",
            "GATEWAY_SUBSCRIPTIONS_POLL_SECONDS": "0.05",
        }
    )

    assert settings.subscriptions_per_connection == 3
    assert settings.subscription_connections_per_merchant == 7
    assert settings.subscriptions_poll_seconds == 0.05


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GATEWAY_SUBSCRIPTIONS_PER_CONNECTION", "0"),
        ("GATEWAY_SUBSCRIPTION_CONNECTIONS_PER_MERCHANT", "many"),
        ("GATEWAY_SUBSCRIPTIONS_POLL_SECONDS", "0"),
        ("GATEWAY_SUBSCRIPTIONS_POLL_SECONDS", "nan"),
        ("GATEWAY_SUBSCRIPTIONS_POLL_SECONDS", "soon"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SystemExit, match=name):
        load_settings({name: value})
