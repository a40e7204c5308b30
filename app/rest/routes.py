"""Every /v2 path -> endpoint (placeholder until the REST transport lands)."""

from __future__ import annotations

from starlette.routing import BaseRoute


def rest_routes() -> list[BaseRoute]:
    """The /v2 routes."""
    return []
