"""Merchants (the tenants), their credentials and access tokens."""
