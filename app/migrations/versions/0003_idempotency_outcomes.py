"""idempotency keys keep an outcome, not an HTTP status

Revision ID: 0003_idempotency_outcomes
Revises: 0002

`response_status` (an HTTP status, which GraphQL had to invent) becomes `outcome`: `succeeded` or the
code of the domain error the write raised (app/idempotency/outcomes.py). Kept rows are converted, so a
retry after the upgrade replays the same answer: a REST row by its status (each status stands for the
error class REST maps to it), a GraphQL row by the result it keeps in its body.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_idempotency_outcomes"
down_revision = "0002"
branch_labels = None
depends_on = None

SUCCEEDED = "succeeded"
# Written out, not imported: a migration must keep meaning what it meant when it was written.
_OUTCOME_BY_STATUS = {
    200: SUCCEEDED,
    400: "invalid_body",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "idempotency_key_in_use",
}
_OUTCOME_BY_ERROR_CLASS = {
    "InvalidInput": "invalid_body",
    "NotFound": "not_found",
    "Conflict": "already_exists",
    "CustomerDeleted": "customer_deleted",
    "RequestInProgress": "idempotency_key_in_use",
    "Unauthenticated": "unauthenticated",
    "Forbidden": "forbidden",
}
_STATUS_BY_OUTCOME = {
    SUCCEEDED: 200,
    "invalid_body": 400,
    "already_exists": 400,
    "customer_deleted": 400,
    "unauthenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "idempotency_key_in_use": 409,
}

_keys = sa.table(
    "idempotency_keys",
    sa.column("id", sa.BigInteger()),
    sa.column("response_status", sa.Integer()),
    sa.column("outcome", sa.String()),
    sa.column("response_body", sa.Text()),
)


def outcome_of_row(status: int | None, body: str | None) -> str | None:
    """The outcome a row written by revision 0002 stands for (None: the row holds no answer yet)."""
    if status is None or body is None:
        return None
    try:
        kept: Any = json.loads(body)
    except ValueError:
        kept = None
    if isinstance(kept, dict) and "kind" in kept:  # GraphQL's kept result, always stored as 200
        if kept["kind"] == "error":
            return _OUTCOME_BY_ERROR_CLASS.get(str(kept.get("class")), "invalid_body")
        return SUCCEEDED
    return _OUTCOME_BY_STATUS.get(status, "invalid_body")


def upgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.select(_keys.c.id, _keys.c.response_status, _keys.c.response_body)).all()
    for row_id, status, body in rows:
        outcome = outcome_of_row(status, body)
        if outcome is not None:
            connection.execute(_keys.update().where(_keys.c.id == row_id).values(outcome=outcome))
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("response_status")


def downgrade() -> None:
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("response_status", sa.Integer(), nullable=True))
    connection = op.get_bind()
    for row_id, outcome in connection.execute(sa.select(_keys.c.id, _keys.c.outcome)).all():
        if outcome is not None:
            status = _STATUS_BY_OUTCOME.get(outcome, 400)
            connection.execute(_keys.update().where(_keys.c.id == row_id).values(response_status=status))
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_column("outcome")
