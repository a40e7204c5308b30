"""The GraphQL transport (Strawberry) over the customer service."""
