"""The Python client for the REST API: httpx only, nothing of the server is imported.

from app.client import GatewayClient, SignedAuth
"""

from app.client.api import AsyncGatewayClient, GatewayClient
from app.client.auth import BearerAuth, SignedAuth, fetch_token
from app.client.errors import (
    AuthenticationError,
    ConflictError,
    GatewayError,
    InvalidRequestError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
)
from app.client.models import AccessToken, Customer, CustomerFields, Deleted, PaymentMethod

__all__ = [
    "AccessToken",
    "AsyncGatewayClient",
    "AuthenticationError",
    "BearerAuth",
    "ConflictError",
    "Customer",
    "CustomerFields",
    "Deleted",
    "GatewayClient",
    "GatewayError",
    "InvalidRequestError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PaymentMethod",
    "PermissionDeniedError",
    "RateLimitedError",
    "ServerError",
    "SignedAuth",
    "fetch_token",
]
