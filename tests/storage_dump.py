"""Helpers for tests that prove a value was never stored: every row of every table, as text."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlmodel import SQLModel

from app.runtime import Services


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
