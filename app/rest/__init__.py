"""The REST compatibility transport: the gateway's exact /v2 Customers API over the customer service."""
