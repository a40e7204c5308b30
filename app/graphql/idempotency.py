"""The GraphQL side of idempotency keys and replay protection.

`idempotencyKey` on a mutation runs it through `app.idempotency.service`, like REST's `Idempotency-Key`
header. "The request" is the mutation's name and arguments; "the answer" is the service's outcome (see
`app.idempotency.outcomes`), rendered again for each request's own selection. A malformed or reused
key is a request error (top-level, `BAD_USER_INPUT` with `fieldErrors`), the same on every mutation.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from graphql import GraphQLError

from app.errors import DomainError
from app.graphql.errors import domain_extensions
from app.idempotency import outcomes
from app.idempotency.service import IdempotencyService

ARGUMENT = "idempotencyKey"
ARGUMENT_DESCRIPTION = (
    "Send the same key again (within 24 h) to get the first answer instead of a second write; "
    "1-255 printable ASCII characters, one per intended write."
)

T = TypeVar("T", bound=outcomes.Result)


async def run_mutation(
    idempotency: IdempotencyService,
    *,
    merchant_id: int,
    mutation: str,
    arguments: Mapping[str, Any],
    key: str | None,
    execute: Callable[[], Awaitable[T]],
) -> T:
    """The mutation's result: `execute()`'s, or the first one under `key`; stored domain errors re-raise."""
    if key is None:
        return await execute()

    async def run_and_encode() -> str:
        return outcomes.encode_result(await execute())

    try:
        answer = await idempotency.run(
            merchant_id=merchant_id,
            key=key,
            field=ARGUMENT,
            request=(b"graphql", mutation.encode(), _canonical(arguments)),
            execute=run_and_encode,
            render_error=outcomes.encode_error,
        )
    except DomainError as error:
        # About the key, not the operation: a request error rather than one of the mutation's results.
        raise GraphQLError(error.message, extensions=domain_extensions(error)) from None
    return outcomes.decode(answer.body)  # type: ignore[return-value]


def _canonical(arguments: Mapping[str, Any]) -> bytes:
    """Arguments as bytes that are equal exactly when the arguments are (key order aside)."""
    return json.dumps(arguments, sort_keys=True, separators=(",", ":"), default=str).encode()
