"""Database plumbing: engines, raw-driver reads, column types, conflict-free inserts, log redaction.

No domain queries live here."""
