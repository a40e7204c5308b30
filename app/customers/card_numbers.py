"""Whether a text holds a full card number (SPEC section 3): the one detector every rule calls.

A card number is a Luhn-valid run of 12-19 digits. People and attackers write them in many ways, so
before the checksum is computed the text is read the way a human would read it:

- any Unicode decimal digit counts as its digit (fullwidth, Arabic-Indic, Devanagari, ...);
- separators between digits are skipped, however many there are: whitespace of any kind, dashes of any
  kind, dots, slashes, underscores and invisible format characters (zero-width spaces and joiners, soft
  hyphens, byte order marks);
- anything else (a letter, `*`, `@`, `:`) ends the run.

Within a run, every sequence of consecutive digit groups of 12-19 digits is a candidate, so a card
number is found inside longer grouped text (`ref 2024 4111 1111 1111 1111`, `4111-1111-1111-1111-0000`).
A group of more than 19 digits with nothing between them is some other number (an account or order
reference), not a card number: reading windows of it would refuse most long references (a random
12-19 digit window passes the checksum one time in ten).

UUIDs are read as letters, not digits: they are the most common id format (merchant_customer_id,
metadata values), and their dash-separated groups are all-digit often enough that about one UUID in a
thousand would otherwise hold a "card number".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

PAN_MIN_DIGITS, PAN_MAX_DIGITS = 12, 19

# Separator characters beyond the Unicode categories below (whitespace, dashes, format characters).
_SEPARATORS = frozenset("./\\_\u00b7\u2022\u2024\u2027\uff0e\uff0f\uff3c\uff3f")
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Pd", "Cf"})
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every real card number passes (`digits`: ASCII digits only)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = ord(char) - 48
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def _is_separator(char: str) -> bool:
    return char in _SEPARATORS or char.isspace() or unicodedata.category(char) in _SEPARATOR_CATEGORIES


def _runs(text: str) -> Iterator[list[str]]:
    """Runs of digit groups (each group as ASCII digits): separators split groups, anything else runs."""
    groups: list[str] = []
    group: list[str] = []
    for char in text:
        if char.isdecimal():
            group.append(str(unicodedata.decimal(char)))
        elif _is_separator(char):
            if group:
                groups.append("".join(group))
                group = []
        else:
            if group:
                groups.append("".join(group))
                group = []
            if groups:
                yield groups
                groups = []
    if group:
        groups.append("".join(group))
    if groups:
        yield groups


def _candidates(groups: list[str]) -> Iterator[str]:
    """Every 12-19 digit sequence of consecutive groups."""
    for start in range(len(groups)):
        digits = ""
        for group in groups[start:]:
            digits += group
            if len(digits) > PAN_MAX_DIGITS:
                break
            if len(digits) >= PAN_MIN_DIGITS:
                yield digits


def contains_card_number(text: str) -> bool:
    """True when the text holds a full card number, however it is written (see the module docstring)."""
    # Most texts have too few digits to hold one: counting them is far cheaper than reading runs.
    if sum(map(str.isdecimal, text)) < PAN_MIN_DIGITS:
        return False
    if "-" in text:
        text = _UUID.sub("u", text)
    return any(luhn_valid(candidate) for groups in _runs(text) for candidate in _candidates(groups))
