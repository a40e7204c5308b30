"""Helpers for tests that prove a value was never stored: every row of every table, as text, and every
stored client text that holds a card number."""

from __future__ import annotations

import re

from sqlalchemy import JSON, String, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from app.runtime import Services
from app.text.card_numbers import contains_card_number


async def everything_stored(services: Services) -> str:
    """Every value of every table, as text."""
    async with services.database.reader() as conn:
        dumped = [
            str(tuple(row))
            for table in SQLModel.metadata.sorted_tables
            for row in await conn.execute(select(table))
        ]
    return "\n".join(dumped)


def assert_card_number_absent(pan: str, *texts: str) -> None:
    """Neither the card number as written nor its bare digits appear in any of the texts."""
    digits = re.sub(r"\D", "", pan)
    for text in texts:
        assert pan not in text and digits not in re.sub(r"[ -]", "", text)


# Columns whose values the server makes (ids, hashes, ciphertexts), never a client's text. A stored
# response (idempotency_keys.response_body) only repeats what the other columns hold, plus request ids.
SERVER_MADE_COLUMNS = frozenset(
    {"uuid", "public_id", "authenticity_token", "merchant_key", "token_hash", "signature_hash"}
    | {"fingerprint", "response_body", "event_public_id", "secret", "sha256"}
)


def _texts(value: object) -> list[str]:
    """Every string in a column value (JSON columns: keys and values at any depth)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in [*_texts(key), *_texts(item)]]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    return []


async def card_numbers_stored(database_url: str) -> list[str]:
    """`table.column` of every stored client text holding a full card number (the values themselves are
    never returned: they would end up in a test report)."""
    engine = create_async_engine(database_url)
    found: list[str] = []
    try:
        async with engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                columns = [
                    column
                    for column in table.columns
                    if isinstance(column.type, String | JSON) and column.name not in SERVER_MADE_COLUMNS
                ]
                if not columns:
                    continue
                for row in await conn.execute(select(*columns)):
                    for column, value in zip(columns, row, strict=True):
                        if any(contains_card_number(text) for text in _texts(value)):
                            found.append(f"{table.name}.{column.name}")
    finally:
        await engine.dispose()
    return found
