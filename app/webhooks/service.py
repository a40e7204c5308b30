"""Webhook endpoints as merchants manage them: register (the secret shown once), list, change, delete,
and read the attempts made to deliver to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.db.engines import Database
from app.errors import ErrorCode, InvalidInput, NotFound
from app.paging import clean_offset, clean_page_size
from app.secrets_at_rest import SecretBox
from app.timestamps import utc_now
from app.webhooks import repository
from app.webhooks.domain import AttemptPage, CreatedEndpoint, WebhookEndpoint
from app.webhooks.rules import (
    MAX_ENDPOINTS,
    clean_description,
    clean_event_types,
    clean_url,
    new_endpoint_id,
    new_secret,
)
from app.webhooks.targets import UnsafeTarget, resolve

UPDATABLE = ("url", "description", "event_types", "enabled")


def _not_found() -> NotFound:
    return NotFound("webhook endpoint not found")


class WebhookService:
    """One merchant's webhook endpoints at a time; every call names the merchant."""

    def __init__(self, database: Database, *, secrets: SecretBox, allow_private: bool = False) -> None:
        self._db = database
        self._secrets = secrets
        self.allow_private = allow_private

    async def _checked_url(self, value: Any, field: str) -> str:
        url = clean_url(value, field)
        try:
            await resolve(url, allow_private=self.allow_private)
        except UnsafeTarget as refused:
            raise InvalidInput.for_field(
                field, ErrorCode.INVALID_FORMAT, f"{field} is refused: {refused}"
            ) from None
        return url

    async def create_endpoint(self, *, merchant_id: int, data: Mapping[str, Any]) -> CreatedEndpoint:
        """Register an endpoint from `{url, event_types?, description?}`; the answer holds its secret,
        which is stored sealed and never shown again."""
        event_types = clean_event_types(data.get("event_types"))
        description = clean_description(data.get("description"))
        url = await self._checked_url(data.get("url"), "url")
        secret = new_secret()
        async with self._db.writer() as conn:
            if await repository.count_endpoints(conn, merchant_id=merchant_id) >= MAX_ENDPOINTS:
                raise InvalidInput.for_field(
                    "url",
                    ErrorCode.OUT_OF_RANGE,
                    f"a merchant may have at most {MAX_ENDPOINTS} webhook endpoints",
                )
            endpoint = await repository.insert_endpoint(
                conn,
                merchant_id=merchant_id,
                public_id=new_endpoint_id(),
                url=url,
                description=description,
                event_types=event_types,
                sealed_secret=self._secrets.seal(secret),
                now=utc_now(),
            )
        return CreatedEndpoint(endpoint=endpoint, secret=secret)

    async def list_endpoints(self, *, merchant_id: int) -> list[WebhookEndpoint]:
        """Every endpoint of the merchant, newest first (at most MAX_ENDPOINTS)."""
        async with self._db.reader() as conn:
            return await repository.endpoints_of(conn, merchant_id=merchant_id)

    async def get_endpoint(self, *, merchant_id: int, endpoint_id: str) -> WebhookEndpoint:
        """One endpoint; NotFound for unknown or foreign ids."""
        async with self._db.reader() as conn:
            found = await repository.endpoint_by_id(conn, merchant_id=merchant_id, public_id=endpoint_id)
        if found is None:
            raise _not_found()
        return found[1]

    async def update_endpoint(
        self, *, merchant_id: int, endpoint_id: str, data: Mapping[str, Any]
    ) -> WebhookEndpoint:
        """Change `url`, `description`, `event_types` or `enabled` (false gives up its pending deliveries,
        true re-enables it for the events that follow; what it gave up on stays failed)."""
        unknown = sorted(set(data) - set(UPDATABLE))
        if unknown:
            raise InvalidInput.for_field(
                unknown[0],
                ErrorCode.INVALID_KEY,
                f"{unknown[0]} cannot be changed (only {', '.join(UPDATABLE)})",
            )
        values: dict[str, Any] = {}
        if "url" in data:
            values["url"] = await self._checked_url(data["url"], "url")
        if "description" in data:
            values["description"] = clean_description(data["description"])
        if "event_types" in data:
            values["event_types"] = [kind.value for kind in clean_event_types(data["event_types"])]
        if "enabled" in data:
            if not isinstance(data["enabled"], bool):
                raise InvalidInput.for_field(
                    "enabled", ErrorCode.INVALID_TYPE, "enabled must be true or false"
                )
            values["enabled"] = data["enabled"]
            values["disabled_reason"] = None if data["enabled"] else "disabled by the merchant"
        async with self._db.writer() as conn:
            found = await repository.endpoint_by_id(conn, merchant_id=merchant_id, public_id=endpoint_id)
            if found is None:
                raise _not_found()
            if values:
                await repository.update_endpoint(
                    conn, merchant_id=merchant_id, public_id=endpoint_id, values=values
                )
                if values.get("enabled") is False:
                    await repository.give_up_pending(conn, endpoint_id=found[0])
                found = await repository.endpoint_by_id(conn, merchant_id=merchant_id, public_id=endpoint_id)
                assert found is not None  # updated in this very transaction
        return found[1]

    async def delete_endpoint(self, *, merchant_id: int, endpoint_id: str) -> WebhookEndpoint:
        """Delete an endpoint, its pending deliveries and its attempts; the endpoint as it was."""
        async with self._db.writer() as conn:
            found = await repository.endpoint_by_id(conn, merchant_id=merchant_id, public_id=endpoint_id)
            if found is None:
                raise _not_found()
            await repository.delete_endpoint(conn, merchant_id=merchant_id, public_id=endpoint_id)
        return found[1]

    async def list_attempts(
        self,
        *,
        merchant_id: int,
        endpoint_id: str,
        limit: Any = None,
        offset: Any = None,
        limit_field: str = "limit",
    ) -> AttemptPage:
        """The attempts made to deliver to one endpoint, newest first."""
        size = clean_page_size(limit, limit_field)
        skip = clean_offset(offset)
        async with self._db.reader() as conn:
            found = await repository.endpoint_by_id(conn, merchant_id=merchant_id, public_id=endpoint_id)
            if found is None:
                raise _not_found()
            rows = await repository.attempts_page(conn, endpoint_id=found[0], limit=size + 1, offset=skip)
        return AttemptPage(items=rows[:size], has_next=len(rows) > size)
