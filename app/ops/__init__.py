"""Routes for people who run the gateway: health, readiness, metrics, the root page and the API docs."""
