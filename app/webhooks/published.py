"""Webhook endpoints and attempts as both transports publish them."""

from __future__ import annotations

from typing import Any

from app.timestamps import format_timestamp
from app.webhooks.domain import Attempt, WebhookEndpoint


def endpoint_object(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """`{id, url, description, event_types, enabled, disabled_reason, created_at}` (never the secret)."""
    return {
        "id": endpoint.id,
        "url": endpoint.url,
        "description": endpoint.description,
        "event_types": [kind.value for kind in endpoint.event_types],
        "enabled": endpoint.enabled,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": format_timestamp(endpoint.created_at),
    }


def attempt_object(attempt: Attempt) -> dict[str, Any]:
    """`{event_id, attempt, succeeded, status_code, duration_ms, error, attempted_at}`."""
    return {
        "event_id": attempt.event_id,
        "attempt": attempt.attempt,
        "succeeded": attempt.succeeded,
        "status_code": attempt.status_code,
        "duration_ms": attempt.duration_ms,
        "error": attempt.error,
        "attempted_at": format_timestamp(attempt.attempted_at),
    }
