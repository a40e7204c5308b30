"""Webhooks: merchants' endpoints, the deliveries of events to them, and the worker that sends them."""
