"""The operations block of Settings: log format and level, access log, metrics, trusted proxies."""

from __future__ import annotations

import pytest

from app.settings import load_settings


def test_defaults() -> None:
    settings = load_settings({})

    assert (settings.log_format, settings.log_level) == ("text", "info")
    assert settings.access_log and settings.metrics_enabled
    assert settings.forwarded_allow_ips == "127.0.0.1"


def test_values_from_the_environment() -> None:
    settings = load_settings(
        {
            "GATEWAY_LOG_FORMAT": "JSON",
            "GATEWAY_LOG_LEVEL": "warning",
            "GATEWAY_ACCESS_LOG": "off",
            "GATEWAY_METRICS": "0",
            "GATEWAY_FORWARDED_ALLOW_IPS": "10.0.0.0/8,192.0.2.7",
        }
    )

    assert (settings.log_format, settings.log_level) == ("json", "warning")
    assert not settings.access_log and not settings.metrics_enabled
    assert settings.forwarded_allow_ips == "10.0.0.0/8,192.0.2.7"


@pytest.mark.parametrize(
    ("name", "value"),
    [("GATEWAY_LOG_FORMAT", "xml"), ("GATEWAY_LOG_LEVEL", "loud"), ("GATEWAY_ACCESS_LOG", "maybe")],
)
def test_invalid_values_stop_with_the_variable_named(name: str, value: str) -> None:
    with pytest.raises(SystemExit, match=name):
        load_settings({name: value})
