"""The JSON Schemas of the REST contract's bodies (request, success, error), for app/rest/openapi.py.

Field limits come from the rules themselves (app/customers/rules.py) and error codes from `ErrorCode`,
so nothing here restates a rule by hand.
"""

from __future__ import annotations

from typing import Any

from app.auth import Scope
from app.customers.payment_method_rules import TOKEN_MAX_LENGTH
from app.customers.rules import (
    COUNTRY_FIELD,
    METADATA_KEY_MAX_LENGTH,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX_LENGTH,
    STRING_FIELD_LENGTHS,
)
from app.errors import ErrorCode
from app.events.domain import EventType
from app.webhooks.rules import DESCRIPTION_MAX_LENGTH, URL_MAX_LENGTH


def ref(name: str) -> dict[str, str]:
    """A reference to one of SCHEMAS."""
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


# Every error body names its request: the id also sent as the X-Request-Id header (app/observability).
_REQUEST_ID = {
    "type": "string",
    "description": "The request's id, as in the X-Request-Id response header and the server's logs.",
}


_TIMESTAMP = {"type": "string", "format": "date-time", "examples": ["2026-11-28T12:45:30.675+00:00"]}
_APPROVED = {"type": "string", "const": "approved"}
_METADATA_IN = {
    "type": "object",
    "maxProperties": METADATA_MAX_KEYS,
    "propertyNames": {"minLength": 1, "maxLength": METADATA_KEY_MAX_LENGTH},
    "additionalProperties": _nullable({"type": "string", "maxLength": METADATA_VALUE_MAX_LENGTH}),
    "description": "String values; on update a key set to null is removed, other keys merge.",
}


def _customer_input() -> dict[str, Any]:
    properties: dict[str, Any] = {
        name: _nullable({"type": ["string", "integer"], "minLength": low, "maxLength": high})
        for name, (low, high) in STRING_FIELD_LENGTHS.items()
    }
    properties[COUNTRY_FIELD] = _nullable(
        {"type": "string", "minLength": 2, "maxLength": 2, "description": "ISO 3166-1 alpha-2, any case."}
    )
    properties["metadata"] = _nullable(_METADATA_IN)
    return {
        "type": "object",
        "properties": properties,
        "description": "Every field optional. An integer is taken as its decimal string. On update a "
        "missing or null key keeps the value and an empty string clears it. Unknown keys are ignored.",
    }


def _customer() -> dict[str, Any]:
    text = _nullable({"type": "string"})
    properties: dict[str, Any] = {
        "status": _APPROVED,
        "uuid": {"type": "string", "format": "uuid"},
        **{name: text for name in STRING_FIELD_LENGTHS},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        COUNTRY_FIELD: text,
        "deleted": {"type": "boolean"},
        "created_at": _TIMESTAMP,
        "updated_at": _TIMESTAMP,
        "deleted_at": _nullable(_TIMESTAMP),
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


_PAYMENT_METHOD = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "status": {"type": "string", "const": "active"},
        "masked_pan": {"type": "string", "examples": ["411111******1111"]},
        "expiration_date": {"type": "string", "format": "date"},
        "keep_until": _nullable({"type": "string", "format": "date"}),
        "token": {"type": "string"},
        "expired": {"type": "boolean"},
        "customer_uuid": {"type": "string", "format": "uuid"},
        "created_at": _TIMESTAMP,
        "updated_at": _TIMESTAMP,
    },
    "required": [
        "id",
        "status",
        "masked_pan",
        "expiration_date",
        "keep_until",
        "token",
        "expired",
        "customer_uuid",
        "created_at",
        "updated_at",
    ],
    "additionalProperties": False,
}

_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "examples": ["evt_5f0c6a3e9b1d4c7a8e2f0a1b2c3d4e5f"]},
        "type": {"type": "string", "enum": [member.value for member in EventType]},
        "created_at": _TIMESTAMP,
        "customer_uuid": {"type": "string", "format": "uuid"},
        "data": {
            "type": "object",
            "description": "The customer (without `status`) or the payment method as REST shows it after "
            "the change; for `payment_method.detached`, the card as it was.",
        },
        "previous_attributes": {
            "type": "object",
            "description": "On `customer.updated` only: the old values of the fields the update changed.",
        },
    },
    "required": ["id", "type", "created_at", "customer_uuid", "data"],
}

_WEBHOOK_ENDPOINT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "examples": ["we_3f1c0e9a7b2d4c6e8f0a1b2c"]},
        "url": {"type": "string", "format": "uri", "maxLength": URL_MAX_LENGTH},
        "description": {"type": "string", "maxLength": DESCRIPTION_MAX_LENGTH},
        "event_types": {
            "type": "array",
            "items": {"type": "string", "enum": [member.value for member in EventType]},
            "description": "The event types delivered; empty: every type.",
        },
        "enabled": {"type": "boolean"},
        "disabled_reason": _nullable({"type": "string"}),
        "created_at": _TIMESTAMP,
    },
    "required": ["id", "url", "description", "event_types", "enabled", "disabled_reason", "created_at"],
}
_WEBHOOK_ATTEMPT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event_id": {"type": "string"},
        "attempt": {"type": "integer", "minimum": 1},
        "succeeded": {"type": "boolean"},
        "status_code": _nullable({"type": "integer"}),
        "duration_ms": {"type": "integer", "minimum": 0},
        "error": _nullable({"type": "string"}),
        "attempted_at": _TIMESTAMP,
    },
    "required": ["event_id", "attempt", "succeeded", "status_code", "duration_ms", "error", "attempted_at"],
}
_EVENT_TYPE_LIST = {
    "type": "array",
    "items": {"type": "string", "enum": [member.value for member in EventType]},
}

SCHEMAS: dict[str, Any] = {
    "CustomerInput": _customer_input(),
    "Customer": _customer(),
    "CustomerList": {
        "type": "object",
        "properties": {"status": _APPROVED, "data": {"type": "array", "items": ref("Customer")}},
        "required": ["status", "data"],
    },
    "DeletedCustomer": {
        "type": "object",
        "properties": {
            "status": _APPROVED,
            "uuid": {"type": "string"},
            "id": {"type": "string"},
            "deleted": {"type": "boolean", "const": True},
        },
        "required": ["status", "uuid", "id", "deleted"],
    },
    "PaymentMethodInput": {
        "type": "object",
        "properties": {
            "masked_pan": {
                "type": "string",
                "description": "First 6 and last 4 digits, `*` between. A full card number is refused.",
                "examples": ["411111******1111"],
            },
            "expiration_date": {"type": "string", "examples": ["12/34", "2034-12"]},
            "token": {"type": "string", "minLength": 1, "maxLength": TOKEN_MAX_LENGTH},
            "keep_until": _nullable({"type": "string", "format": "date"}),
        },
        "required": ["masked_pan", "expiration_date", "token"],
    },
    "PaymentMethod": _PAYMENT_METHOD,
    "PaymentMethodEnvelope": {
        "type": "object",
        "properties": {"status": _APPROVED, "data": ref("PaymentMethod")},
        "required": ["status", "data"],
    },
    "PaymentMethodList": {
        "type": "object",
        "properties": {"status": _APPROVED, "data": {"type": "array", "items": ref("PaymentMethod")}},
        "required": ["status", "data"],
    },
    "RemovedPaymentMethod": {
        "type": "object",
        "properties": {"status": _APPROVED, "id": {"type": "string"}, "deleted": {"type": "boolean"}},
        "required": ["status", "id", "deleted"],
    },
    "Event": _EVENT,
    "EventEnvelope": {
        "type": "object",
        "properties": {"status": _APPROVED, **_EVENT["properties"]},
        "required": ["status", *_EVENT["required"]],
    },
    "EventList": {
        "type": "object",
        "properties": {"status": _APPROVED, "data": {"type": "array", "items": ref("Event")}},
        "required": ["status", "data"],
    },
    "WebhookEndpointInput": {
        "type": "object",
        "properties": {
            "url": {"type": "string", "format": "uri", "maxLength": URL_MAX_LENGTH},
            "event_types": {**_EVENT_TYPE_LIST, "description": "Absent or empty: every type."},
            "description": {"type": "string", "maxLength": DESCRIPTION_MAX_LENGTH},
        },
        "required": ["url"],
    },
    "WebhookEndpointUpdate": {
        "type": "object",
        "properties": {
            "url": {"type": "string", "format": "uri", "maxLength": URL_MAX_LENGTH},
            "event_types": _EVENT_TYPE_LIST,
            "description": {"type": "string", "maxLength": DESCRIPTION_MAX_LENGTH},
            "enabled": {
                "type": "boolean",
                "description": "true re-enables an endpoint disabled by failures.",
            },
        },
        "additionalProperties": False,
    },
    "WebhookEndpoint": _WEBHOOK_ENDPOINT,
    "WebhookEndpointEnvelope": {
        "type": "object",
        "properties": {"status": _APPROVED, **_WEBHOOK_ENDPOINT["properties"]},
        "required": ["status", *_WEBHOOK_ENDPOINT["required"]],
    },
    "CreatedWebhookEndpoint": {
        "type": "object",
        "properties": {
            "status": _APPROVED,
            **_WEBHOOK_ENDPOINT["properties"],
            "secret": {
                "type": "string",
                "description": "The Standard Webhooks signing secret (`whsec_...`), shown this once.",
            },
        },
        "required": ["status", *_WEBHOOK_ENDPOINT["required"], "secret"],
    },
    "DeletedWebhookEndpoint": {
        "type": "object",
        "properties": {
            "status": _APPROVED,
            **_WEBHOOK_ENDPOINT["properties"],
            "deleted": {"type": "boolean", "const": True},
        },
        "required": ["status", *_WEBHOOK_ENDPOINT["required"], "deleted"],
    },
    "WebhookEndpointList": {
        "type": "object",
        "properties": {"status": _APPROVED, "data": {"type": "array", "items": ref("WebhookEndpoint")}},
        "required": ["status", "data"],
    },
    "WebhookAttemptList": {
        "type": "object",
        "properties": {"status": _APPROVED, "data": {"type": "array", "items": _WEBHOOK_ATTEMPT}},
        "required": ["status", "data"],
    },
    "TokenRequest": {
        "type": "object",
        "properties": {
            "client_id": {"type": "string", "description": "The merchant's authenticity_token."},
            "client_secret": {"type": "string", "description": "The merchant_key."},
            "grant_type": {"type": "string", "const": "client_credentials"},
            "scopes": {
                "type": "array",
                "items": {"type": "string", "enum": [scope.value for scope in Scope]},
            },
        },
        "required": ["client_id", "client_secret", "grant_type"],
    },
    "TokenResponse": {
        "type": "object",
        "properties": {
            "status": _APPROVED,
            "access_token": {"type": "string"},
            "token_type": {"type": "string", "const": "Bearer"},
            "expires_in": {"type": "integer"},
        },
        "required": ["status", "access_token", "token_type", "expires_in"],
    },
    "Error": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "const": "invalid-request"},
            "message": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string"},
                        "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
                        "message": {"type": "string"},
                    },
                    "required": ["field", "code", "message"],
                },
            },
            "request_id": _REQUEST_ID,
        },
        "required": ["status", "message", "errors", "request_id"],
    },
    "InternalError": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "const": "error"},
            "message": {"type": "string"},
            "request_id": _REQUEST_ID,
        },
        "required": ["status", "message", "request_id"],
    },
    "OpenAPIDocument": {"type": "object", "required": ["openapi", "paths"]},
}
