"""Idempotency keys: a retried write answers like the first attempt instead of writing twice."""
