"""Finding customers: lists in any order paged both ways, filters, search, and Relay's node lookups.

The operations both transports call for reading many customers; each reads through the prepared reader
and opens no transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.customers import listing, node_reads
from app.customers.domain import Customer, CustomerFilter, PaymentMethod
from app.customers.global_ids import NodeType, check_node_ids, decode_global_id
from app.customers.listing_rules import CustomerQuery, PageRequest, clean_page_request, clean_query
from app.customers.ordering import CustomerOrder, encode_cursor
from app.db.engines import Database


@dataclass(frozen=True, slots=True)
class FoundPage:
    """One page of a customer list, always in the list's order, and what lies either side of it."""

    items: list[Customer]
    has_next: bool
    has_previous: bool
    order: CustomerOrder
    query: CustomerQuery

    def cursor(self, customer: Customer) -> str:
        """The cursor at `customer` in this page's order."""
        return encode_cursor(self.order, customer)


class CustomerFinder:
    """Reads of many customers, always for one explicitly named merchant."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def find(
        self,
        *,
        merchant_id: int,
        first: Any = None,
        after: str | None = None,
        last: Any = None,
        before: str | None = None,
        offset: Any = None,
        order: Any = None,
        customer_filter: CustomerFilter | None = None,
        search: str | None = None,
        first_field: str = "first",
        order_field: str = "orderBy",
        search_field: str = "search",
    ) -> FoundPage:
        """A page of live customers matching the filter and search, in `order` (newest first by default).

        Each page answers for the direction it was read in. The other flag is true only when certain
        without another statement (forwards: items skipped by an offset), else false, as Relay's
        connection specification allows; Relay reads only the flag of the direction it pages in.
        """
        page = clean_page_request(
            first=first,
            after=after,
            last=last,
            before=before,
            offset=offset,
            order=order,
            first_field=first_field,
            order_field=order_field,
        )
        query = clean_query(customer_filter, search, search_field)
        rows = await self._read(merchant_id, query, page)
        more = len(rows) > page.size
        items = rows[: page.size]
        if page.backwards:
            items.reverse()
            return FoundPage(items, False, more, page.order, query)
        return FoundPage(items, more, page.offset > 0 and bool(items), page.order, query)

    async def _read(self, merchant_id: int, query: CustomerQuery, page: PageRequest) -> list[Customer]:
        return await listing.read_page(
            self._db.prepared, sqlite=self._db.is_sqlite, merchant_id=merchant_id, query=query, page=page
        )

    async def count(self, *, merchant_id: int, query: CustomerQuery) -> int:
        """How many live customers a page's query matches (filter and search alike)."""
        return await listing.count(
            self._db.prepared, sqlite=self._db.is_sqlite, merchant_id=merchant_id, query=query
        )

    async def nodes(
        self, *, merchant_id: int, ids: Sequence[str], field_name: str = "ids"
    ) -> list[Customer | PaymentMethod | None]:
        """The objects named by global ids, in their order; None for ids that name nothing of this
        merchant's. One statement per type, whatever the number of ids (at most 100)."""
        check_node_ids(list(ids), field_name)
        decoded = [decode_global_id(value) for value in ids]
        wanted: dict[NodeType, list[str]] = {node_type: [] for node_type in NodeType}
        for global_id in decoded:
            if global_id is not None:
                wanted[global_id.type].append(global_id.key)
        reader = self._db.prepared
        found: dict[NodeType, dict[str, Any]] = {
            NodeType.CUSTOMER: await node_reads.customers_by_uuid(
                reader, merchant_id=merchant_id, uuids=list(dict.fromkeys(wanted[NodeType.CUSTOMER]))
            ),
            NodeType.PAYMENT_METHOD: await node_reads.payment_methods_by_id(
                reader, merchant_id=merchant_id, ids=list(dict.fromkeys(wanted[NodeType.PAYMENT_METHOD]))
            ),
        }
        return [None if item is None else found[item.type].get(item.key) for item in decoded]
