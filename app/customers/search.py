"""Finding customers by words: the rule for what a search means, and the index-backed condition for it.

A search matches the customers for which every word of it is the beginning of a word of their name,
email, merchant_customer_id, phone or city, ignoring case. Words are runs of letters and digits; anything
else (spaces, `@`, `.`, `-`, `+`) separates them, in the search as in the customer's fields, so
`ada lov` finds "Ada Lovelace" and `example.com` finds every address at example.com. There is no
stemming (names and emails are not prose) and no ranking: results come in the list's chosen order.

SQLite: an FTS5 table `customers_search` with a prefix index, kept in step with every write by triggers
(so inside the writing transaction), holds live customers only. PostgreSQL: a GIN index over a `simple`
tsvector of the same fields, with non-alphanumerics turned into spaces first, queried with prefix terms.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import String, bindparam, column, func, literal_column, select, table
from sqlalchemy.sql import ColumnElement

from app.customers.statements import c
from app.errors import ErrorCode, InvalidInput

SEARCHED_FIELDS = ("name", "email", "merchant_customer_id", "phone", "city")
MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10
_WORD = re.compile(r"[^\W_]+")

# The indexed document on PostgreSQL; the expression index of the migration is this exact text.
POSTGRES_DOCUMENT = (
    "to_tsvector('simple'::regconfig, regexp_replace(lower("
    "coalesce(name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(merchant_customer_id, '') || ' ' "
    "|| coalesce(phone, '') || ' ' || coalesce(city, '')), '[^[:alnum:]]+', ' ', 'g'))"
)
_FTS = table("customers_search", column("rowid"))


def search_words(value: Any, field_name: str = "search") -> tuple[str, ...]:
    """The distinct lower-cased words of a search; refused when it has none or too many."""
    if not isinstance(value, str):
        raise InvalidInput.for_field(field_name, ErrorCode.INVALID_TYPE, f"{field_name} must be a string")
    if len(value) > MAX_SEARCH_LENGTH:
        raise InvalidInput.for_field(
            field_name, ErrorCode.TOO_LONG, f"{field_name} must be at most {MAX_SEARCH_LENGTH} characters"
        )
    words = tuple(dict.fromkeys(word.lower() for word in _WORD.findall(value)))
    if not words:
        raise InvalidInput.for_field(
            field_name, ErrorCode.REQUIRED, f"{field_name} must contain at least one letter or digit"
        )
    if len(words) > MAX_SEARCH_WORDS:
        raise InvalidInput.for_field(
            field_name, ErrorCode.OUT_OF_RANGE, f"{field_name} may have at most {MAX_SEARCH_WORDS} words"
        )
    return words


def search_parameter(words: tuple[str, ...], *, sqlite: bool) -> str:
    """The bound value of `search_condition`: an FTS5 query or a tsquery, every word a prefix term.

    Words hold only letters and digits, so neither query language sees an operator from the client.
    """
    if sqlite:
        return " ".join(f'"{word}"*' for word in words)
    return " & ".join(f"{word}:*" for word in words)


def search_condition(*, sqlite: bool) -> ColumnElement[Any]:
    """The condition on `customers` that a search holds, reading the parameter `search`."""
    query = bindparam("search", type_=String)
    if sqlite:
        matching = select(_FTS.c.rowid).where(literal_column("customers_search").op("MATCH")(query))
        return c.id.in_(matching)
    tsquery = func.to_tsquery(literal_column("'simple'::regconfig"), query)
    return literal_column(POSTGRES_DOCUMENT).op("@@")(tsquery)
