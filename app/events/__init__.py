"""Customer events: the outbox written with every change, and the feed that reads it (SPEC section 9)."""
