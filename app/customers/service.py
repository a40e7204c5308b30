"""The customer operations both transports call: one method per operation, one transaction each.

Each call opens its own connection, so concurrently running GraphQL resolvers never share one. Every write
that changes something records its event on the same connection (the outbox), so the event commits or
rolls back with the change; a write that changes nothing (an empty update, a repeated delete) records none.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.customers import reads, repository
from app.customers.domain import Customer, CustomerFilter, Page, PaymentMethod
from app.customers.finder import CustomerFinder
from app.customers.pagination import decode_cursor
from app.customers.payment_method_rules import clean_new_payment_method
from app.customers.published import customer_data, payment_method_data
from app.customers.rules import (
    NullMeans,
    canonical_uuid,
    clean_changes,
    clean_new_customer,
    clean_offset,
    clean_page_size,
    merchant_customer_id_to_look_up,
    merge_metadata,
)
from app.db.engines import Database
from app.errors import Conflict, CustomerDeleted, ErrorCode, FieldError, NotFound
from app.events import repository as outbox
from app.events.domain import EventType
from app.events.rules import previous_attributes
from app.timestamps import utc_now


def _customer_not_found() -> NotFound:
    return NotFound("customer not found")


def _duplicate_mcid() -> Conflict:
    message = "merchant_customer_id is already used by another customer"
    return Conflict(message, [FieldError("merchant_customer_id", ErrorCode.ALREADY_EXISTS, message)])


def _customer_deleted() -> CustomerDeleted:
    # Named as a field error too, so the code reaches REST clients in errors[] as it reaches GraphQL.
    message = "customer is deleted and cannot be changed"
    return CustomerDeleted(message, [FieldError("uuid", ErrorCode.CUSTOMER_DELETED, message)])


def _known_uuid(value: str) -> str:
    """The canonical uuid; a malformed one names no customer (404, not 400: SPEC section 4)."""
    canonical = canonical_uuid(value)
    if canonical is None:
        raise _customer_not_found()
    return canonical


async def _lock_customer(conn: AsyncConnection, *, merchant_id: int, uuid: str, live: bool) -> Customer:
    """The customer, row-locked for the transaction; NotFound, or CustomerDeleted when `live` is asked."""
    customer = await repository.lock_customer_by_uuid(conn, merchant_id=merchant_id, uuid=_known_uuid(uuid))
    if customer is None:
        raise _customer_not_found()
    if live and customer.deleted:
        raise _customer_deleted()
    return customer


class CustomerService:
    """Customer and payment-method operations, always for one explicitly named merchant."""

    def __init__(self, database: Database) -> None:
        self._db = database
        # Lists in any order, search and node lookups: reads of many customers, app/customers/finder.py.
        self.finder = CustomerFinder(database)

    async def create(self, *, merchant_id: int, data: Mapping[str, Any]) -> Customer:
        """Create a customer from client data (unknown keys ignored)."""
        fields, metadata = clean_new_customer(data)
        async with self._db.writer() as conn:
            now = utc_now()
            try:
                created = await repository.insert_customer(
                    conn,
                    merchant_id=merchant_id,
                    uuid=str(uuid_module.uuid4()),
                    fields=fields,
                    metadata=metadata,
                    now=now,
                )
            except repository.DuplicateMerchantCustomerId:
                raise _duplicate_mcid() from None
            await outbox.record(
                conn,
                merchant_id=merchant_id,
                type=EventType.CUSTOMER_CREATED,
                customer_uuid=created.uuid,
                data=customer_data(created),
                now=now,
            )
            return created

    async def get(self, *, merchant_id: int, uuid: str) -> Customer:
        """A customer by uuid, deleted ones included; NotFound for unknown, malformed or foreign uuids."""
        return await self._customer(merchant_id=merchant_id, uuid=uuid)

    async def _customer(self, *, merchant_id: int, uuid: str) -> Customer:
        customer = await reads.customer_by_uuid(
            self._db.prepared, merchant_id=merchant_id, uuid=_known_uuid(uuid)
        )
        if customer is None:
            raise _customer_not_found()
        return customer

    async def get_by_merchant_customer_id(self, *, merchant_id: int, merchant_customer_id: str) -> Customer:
        """The live customer with this merchant_customer_id; deleted ones are not found."""
        wanted = merchant_customer_id_to_look_up(merchant_customer_id)
        if wanted is None:
            raise _customer_not_found()
        customer = await reads.live_customer_by_merchant_customer_id(
            self._db.prepared, merchant_id=merchant_id, merchant_customer_id=wanted
        )
        if customer is None:
            raise _customer_not_found()
        return customer

    async def update(
        self, *, merchant_id: int, uuid: str, data: Mapping[str, Any], null_means: NullMeans
    ) -> Customer:
        """Change only what `data` names; metadata merges key by key. Racing updates all take effect."""
        changes = clean_changes(data, null_means)
        async with self._db.writer() as conn:
            # The row lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite) makes this read-merge-write atomic.
            current = await _lock_customer(conn, merchant_id=merchant_id, uuid=uuid, live=True)
            if changes.is_empty:
                return current
            values: dict[str, Any] = dict(changes.fields)
            if changes.metadata_patch or changes.clear_metadata:
                values["metadata"] = merge_metadata(current.metadata, changes)
            values["updated_at"] = now = utc_now()
            try:
                updated = await repository.update_customer(
                    conn, merchant_id=merchant_id, customer_id=current.id, values=values
                )
            except repository.DuplicateMerchantCustomerId:
                raise _duplicate_mcid() from None
            after = customer_data(updated)
            await outbox.record(
                conn,
                merchant_id=merchant_id,
                type=EventType.CUSTOMER_UPDATED,
                customer_uuid=updated.uuid,
                data=after,
                previous_attributes=previous_attributes(customer_data(current), after),
                now=now,
            )
            return updated

    async def delete(self, *, merchant_id: int, uuid: str) -> Customer:
        """Soft-delete a customer and drop its payment methods; deleting again returns the same result."""
        async with self._db.writer() as conn:
            current = await _lock_customer(conn, merchant_id=merchant_id, uuid=uuid, live=False)
            if current.deleted:
                return current
            now = utc_now()
            deleted = await repository.mark_deleted(
                conn, merchant_id=merchant_id, customer_id=current.id, now=now
            )
            await outbox.record(
                conn,
                merchant_id=merchant_id,
                type=EventType.CUSTOMER_DELETED,
                customer_uuid=deleted.uuid,
                data=customer_data(deleted),
                now=now,
            )
            return deleted

    async def list_customers(
        self,
        *,
        merchant_id: int,
        limit: Any = None,
        offset: Any = None,
        after: str | None = None,
        customer_filter: CustomerFilter | None = None,
        limit_field: str = "limit",
    ) -> Page[Customer]:
        """A page of live customers, newest first, by offset and/or keyset cursor (`after`).

        `limit_field` is what the caller calls the page size, for the error naming it.
        """
        size = clean_page_size(limit, limit_field)
        skip = clean_offset(offset)
        cursor = decode_cursor(after) if after is not None else None
        rows = await reads.list_live_customers(
            self._db.prepared,
            merchant_id=merchant_id,
            limit=size + 1,
            offset=skip,
            after=cursor,
            customer_filter=customer_filter,
        )
        return Page(items=rows[:size], has_next=len(rows) > size)

    async def count(self, *, merchant_id: int, customer_filter: CustomerFilter | None = None) -> int:
        """How many live customers match."""
        return await reads.count_live_customers(
            self._db.prepared, merchant_id=merchant_id, customer_filter=customer_filter
        )

    async def add_payment_method(
        self, *, merchant_id: int, customer_uuid: str, data: Mapping[str, Any]
    ) -> PaymentMethod:
        """Attach a tokenised card to a live customer."""
        card = clean_new_payment_method(data)
        async with self._db.writer() as conn:
            customer = await _lock_customer(conn, merchant_id=merchant_id, uuid=customer_uuid, live=True)
            now = utc_now()
            method = await repository.insert_payment_method(
                conn,
                merchant_id=merchant_id,
                customer=customer,
                public_id=str(uuid_module.uuid4()),
                masked_pan=card.masked_pan,
                expiration_date=card.expiration_date,
                token=card.token,
                keep_until=card.keep_until,
                now=now,
            )
            await outbox.record(
                conn,
                merchant_id=merchant_id,
                type=EventType.PAYMENT_METHOD_ATTACHED,
                customer_uuid=customer.uuid,
                data=payment_method_data(method),
                now=now,
            )
            return method

    async def list_payment_methods(
        self, *, merchant_id: int, customer_uuid: str, limit: Any = None, offset: Any = None
    ) -> list[PaymentMethod]:
        """One customer's payment methods, newest first (empty once the customer is deleted)."""
        size, skip = clean_page_size(limit), clean_offset(offset)
        customer = await self._customer(merchant_id=merchant_id, uuid=customer_uuid)
        return await reads.list_payment_methods(
            self._db.prepared, merchant_id=merchant_id, customer_id=customer.id, limit=size, offset=skip
        )

    async def list_merchant_payment_methods(
        self, *, merchant_id: int, limit: Any = None, offset: Any = None
    ) -> list[PaymentMethod]:
        """Every payment method of the merchant, newest first."""
        size, skip = clean_page_size(limit), clean_offset(offset)
        return await reads.list_payment_methods(
            self._db.prepared, merchant_id=merchant_id, customer_id=None, limit=size, offset=skip
        )

    async def payment_methods_for_customers(
        self,
        *,
        merchant_id: int,
        customer_ids: Sequence[int],
        limit: Any = None,
        offset: Any = None,
        limit_field: str = "limit",
    ) -> dict[int, list[PaymentMethod]]:
        """Payment methods of many customers in one statement (for per-request DataLoaders).

        `limit_field` is what the caller calls the page size, for the error naming it.
        """
        size, skip = clean_page_size(limit, limit_field), clean_offset(offset)
        if not customer_ids:
            return {}
        return await reads.payment_methods_for_customers(
            self._db.prepared, merchant_id=merchant_id, customer_ids=customer_ids, limit=size, offset=skip
        )

    async def remove_payment_method(
        self, *, merchant_id: int, customer_uuid: str, payment_method_id: str
    ) -> None:
        """Detach one card; NotFound when the customer or the card is not the merchant's."""
        async with self._db.writer() as conn:
            customer = await _lock_customer(conn, merchant_id=merchant_id, uuid=customer_uuid, live=False)
            removed = await repository.delete_payment_method(
                conn, merchant_id=merchant_id, customer=customer, public_id=payment_method_id
            )
            if removed is None:
                raise NotFound("payment method not found")
            await outbox.record(
                conn,
                merchant_id=merchant_id,
                type=EventType.PAYMENT_METHOD_DETACHED,
                customer_uuid=customer.uuid,
                data=payment_method_data(removed),
                now=utc_now(),
            )
