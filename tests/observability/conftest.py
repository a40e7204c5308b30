"""The REST and GraphQL fixtures, reused: observability is checked through both transports."""

from tests.graphql.conftest import gql, graphql_app, graphql_settings, http  # noqa: F401
from tests.rest.conftest import signed  # noqa: F401
