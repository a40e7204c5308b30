"""Persisted GraphQL documents: Apollo's automatic persisted queries (shared through the database) and
the trusted documents of a persisted-query manifest."""
