"""idempotency keys and seen signatures (issue 6)

Revision ID: 0002
Revises: 0001

Merchant keys are encrypted at rest from this version on. Existing plaintext keys are not touched here
(a migration has no business holding the server key): `python -m app migrate` and `serve` re-encrypt
them right after the schema is up to date, and any plaintext key is also re-encrypted on first use.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import app.db.column_types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("merchant_id", _KEY, nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", app.db.column_types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.db.column_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("merchant_id", "key", name="uq_idempotency_keys_merchant_key"),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_keys_merchant_expires", ["merchant_id", "expires_at"])

    op.create_table(
        "seen_signatures",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("merchant_id", _KEY, nullable=False),
        sa.Column("signature_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", app.db.column_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("signature_hash"),
    )
    with op.batch_alter_table("seen_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_seen_signatures_merchant_expires", ["merchant_id", "expires_at"])


def downgrade() -> None:
    with op.batch_alter_table("seen_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_seen_signatures_merchant_expires")
    op.drop_table("seen_signatures")
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_keys_merchant_expires")
    op.drop_table("idempotency_keys")
