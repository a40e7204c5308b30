"""Rules of a customer list request: which page (Relay's first/after and last/before), which customers
(filters, search), in which order. Both transports hand their arguments here through the finder."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from app.customers.domain import CustomerFilter
from app.customers.ordering import Cursor, CustomerOrder, clean_order, decode_cursor
from app.customers.rules import (
    METADATA_KEY_MAX_LENGTH,
    METADATA_VALUE_MAX_LENGTH,
    clean_offset,
    clean_page_size,
)
from app.customers.search import search_words
from app.errors import ErrorCode, InvalidInput

# More metadata conditions than this is not a lookup anyone makes by hand; each one costs a probe per row.
MAX_METADATA_FILTERS = 10


@dataclass(frozen=True, slots=True)
class PageRequest:
    """One page: its order, size, direction, the cursor it starts from and the offset it skips."""

    order: CustomerOrder
    size: int
    backwards: bool = False
    cursor: Cursor | None = None
    offset: int = 0


@dataclass(frozen=True, slots=True)
class CustomerQuery:
    """Which live customers a list holds: every given filter and every search word must match."""

    customer_filter: CustomerFilter = dataclasses.field(default_factory=CustomerFilter)
    words: tuple[str, ...] = ()


def _refuse(field_name: str, message: str) -> InvalidInput:
    return InvalidInput.for_field(field_name, ErrorCode.INVALID_FORMAT, message)


def clean_page_request(
    *,
    first: Any = None,
    after: str | None = None,
    last: Any = None,
    before: str | None = None,
    offset: Any = None,
    order: Any = None,
    first_field: str = "first",
    order_field: str = "orderBy",
) -> PageRequest:
    """A page forwards (`first` after a cursor, default 50) or backwards (`last` before a cursor): the
    same items either way, in the same order. Mixing the two directions is refused."""
    chosen = clean_order(order, order_field)
    if first is not None and last is not None:
        raise _refuse("last", f"{first_field} and last cannot be used together: page one way at a time")
    if after is not None and before is not None:
        raise _refuse("before", "after and before cannot be used together: page one way at a time")
    backwards = last is not None or before is not None
    if not backwards:
        return PageRequest(
            order=chosen,
            size=clean_page_size(first, first_field),
            cursor=None if after is None else decode_cursor(after, chosen, "after"),
            offset=clean_offset(offset),
        )
    if first is not None:
        raise _refuse(first_field, f"page backwards with last and before, not {first_field}")
    if after is not None:
        raise _refuse("after", "page backwards with last and before, not after")
    if offset is not None and offset != 0:
        raise _refuse("offset", "offset pages forwards only")
    return PageRequest(
        order=chosen,
        size=clean_page_size(last, "last"),
        backwards=True,
        cursor=None if before is None else decode_cursor(before, chosen, "before"),
    )


def _clean_metadata_filters(pairs: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    if len(pairs) > MAX_METADATA_FILTERS:
        raise InvalidInput.for_field(
            "metadata", ErrorCode.OUT_OF_RANGE, f"metadata may hold at most {MAX_METADATA_FILTERS} conditions"
        )
    for key, value in pairs:
        if not 1 <= len(key) <= METADATA_KEY_MAX_LENGTH or len(value) > METADATA_VALUE_MAX_LENGTH:
            # No stored entry can have such a key or value: refusing says so instead of an empty list.
            raise InvalidInput.for_field(
                "metadata",
                ErrorCode.OUT_OF_RANGE,
                f"metadata keys are 1-{METADATA_KEY_MAX_LENGTH} characters, values at most "
                f"{METADATA_VALUE_MAX_LENGTH}",
            )
    return pairs


def clean_query(
    customer_filter: CustomerFilter | None, search: str | None, search_field: str = "search"
) -> CustomerQuery:
    """The list's filter with values in their stored form, and the search's words."""
    given = customer_filter or CustomerFilter()
    cleaned = dataclasses.replace(
        given,
        country=given.country.upper() if given.country is not None else None,
        metadata=_clean_metadata_filters(tuple(given.metadata)),
    )
    words = () if search is None else search_words(search, search_field)
    return CustomerQuery(customer_filter=cleaned, words=words)
