"""customers-gateway: customer records served over GraphQL and a REST /v2 compatibility API."""
