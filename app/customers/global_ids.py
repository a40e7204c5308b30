"""Global object ids (Relay's object identification): opaque, stable, and naming the object's type.

An id is the standard base64 of `<TypeName>:<public id>`, the form graphql-relay and most servers use, so
client tooling that peeks into ids (debuggers, Relay devtools) shows something readable. Clients must still
treat it as opaque: only `decode_global_id` reads it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import StrEnum

from app.errors import ErrorCode, InvalidInput

# At most this many ids in one `nodes` call: one page's worth, and one batched statement per type.
MAX_NODE_IDS = 100
# The longest id worth decoding: a type name, a colon and a 36-character uuid, base64-encoded.
_MAX_ENCODED_LENGTH = 100


class NodeType(StrEnum):
    """The types that implement Node; the value is the GraphQL type name inside the id."""

    CUSTOMER = "Customer"
    PAYMENT_METHOD = "PaymentMethod"


@dataclass(frozen=True, slots=True)
class GlobalId:
    """A decoded global id: which type, and that type's own public id (a uuid)."""

    type: NodeType
    key: str


def encode_global_id(node_type: NodeType, key: str) -> str:
    """The global id of the object of `node_type` whose public id is `key`."""
    return base64.b64encode(f"{node_type.value}:{key}".encode()).decode("ascii")


def decode_global_id(value: str) -> GlobalId | None:
    """The type and key inside a global id; None when `value` is not one (it then names no object)."""
    if len(value) > _MAX_ENCODED_LENGTH:
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode("ascii")
    except (ValueError, UnicodeError, binascii.Error):
        return None
    type_name, separator, key = raw.partition(":")
    if not separator or not key:
        return None
    try:
        return GlobalId(NodeType(type_name), key)
    except ValueError:
        return None


def check_node_ids(ids: list[str], field_name: str = "ids") -> None:
    """Refuse more ids than one batched lookup serves."""
    if len(ids) > MAX_NODE_IDS:
        raise InvalidInput.for_field(
            field_name, ErrorCode.OUT_OF_RANGE, f"{field_name} may hold at most {MAX_NODE_IDS} ids"
        )


def payment_method_key(value: str) -> str:
    """A payment method's own id from either its global id or the id REST shows (both are accepted)."""
    decoded = decode_global_id(value)
    if decoded is not None and decoded.type is NodeType.PAYMENT_METHOD:
        return decoded.key
    return value
