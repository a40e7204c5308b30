"""The GraphQL tests' app and client fixtures, for the persisted-document tests."""

from tests.graphql.conftest import gql, graphql_app, graphql_settings, http  # noqa: F401
