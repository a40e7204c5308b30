"""Which texts a client may send at all (SPEC section 3): the one decision, for every transport and rule.

NUL and lone surrogates are refused wherever they appear (body fields, metadata keys and values, path
segments, query parameters, GraphQL variables, arguments and `operationName`). Neither can be stored:
PostgreSQL refuses both, and a lone surrogate cannot even be encoded as UTF-8, so it also breaks every
log line and JSON response that would echo it. SQLite stores NUL but compares strings as C strings, so a
NUL in a filter matches everything. Other characters (tabs, newlines, any printable script) are the
field rules' business.

The decision lives here, below the transports, because the field rules (app/customers/rules.py) make it
too: a service called without a transport (the CLI, tests) refuses the same texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from app.errors import UnacceptableText
from app.text.card_numbers import PAN_MIN_DIGITS

# Keys shown in the `field` of an error: a name a person would write. Other keys (long, odd characters,
# enough digits to be a card number) are not echoed; the error names their parent instead.
_SHOWABLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")


def is_acceptable(text: str) -> bool:
    """True when the text holds neither NUL nor a lone surrogate."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # only a lone surrogate fails to encode
        return False
    return True


def check_text(text: str, where: str) -> None:
    """Refuse the text with `UnacceptableText` naming `where` unless it is acceptable."""
    if not is_acceptable(text):
        raise UnacceptableText.at(where)


def _joined(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def showable_key(key: str) -> bool:
    """True when an error may echo the key as part of a `field` path."""
    return bool(_SHOWABLE_KEY.fullmatch(key)) and sum(map(str.isdecimal, key)) < PAN_MIN_DIGITS


def check_texts(value: Any, where: str = "") -> None:
    """Refuse the first unacceptable text anywhere in a decoded JSON value: strings, object keys and
    values, array items, at any depth. `where` names the value (empty for a body's top level, whose
    keys are then the field names)."""
    if isinstance(value, str):
        check_text(value, where or "body")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(key, where or "body")
                inner = _joined(where, key) if showable_key(key) else where
            else:
                inner = where
            check_texts(item, inner)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_texts(item, f"{where or 'body'}[{index}]")


def check_pairs(pairs: Iterable[tuple[str, str]], where: str) -> None:
    """Refuse the first unacceptable name or value among (name, value) pairs, such as query parameters:
    a value is named by its parameter, a name (or a value under an unshowable name) by `where`."""
    for name, value in pairs:
        check_text(name, where)
        check_text(value, name if showable_key(name) else where)
