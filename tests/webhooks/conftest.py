"""Webhook tests run with deliveries allowed to reach this machine (the receiver listens on 127.0.0.1)
and a retry schedule in fractions of a second; the refusal of private targets is tested with the
default settings explicitly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.settings import Settings
from tests.conftest import TEST_SECRET_KEY
from tests.rest.conftest import other_signed, signed

__all__ = ["other_signed", "signed"]

FAST_SCHEDULE = (0.2, 0.4, 0.8)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Test settings with private targets allowed and fast retries; no worker inside the app (tests run
    their own)."""
    return replace(
        Settings(database_url=database_url, secret_key=TEST_SECRET_KEY),
        webhooks_worker=False,
        webhooks_allow_private=True,
        webhooks_retry_schedule=FAST_SCHEDULE,
        webhooks_timeout_seconds=2,
        webhooks_poll_ms=20,
    )
