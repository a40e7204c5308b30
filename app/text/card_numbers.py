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
from functools import lru_cache

PAN_MIN_DIGITS, PAN_MAX_DIGITS = 12, 19

# Non-ASCII separators beyond the Unicode categories below (whitespace, dashes, format characters).
_SEPARATORS = frozenset("\u00b7\u2022\u2024\u2027\uff0e\uff0f\uff3c\uff3f")
_SEPARATOR_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Pd", "Cf"})
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Once the text is ASCII: a run is digit groups with separators (any number of them) between them.
_RUN = re.compile(r"[0-9]+(?:[\s./\\_-]+[0-9]+)*")
_GROUP = re.compile(r"[0-9]+")
# A digit's contribution when Luhn doubles it.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every real card number passes (`digits`: ASCII digits only)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = ord(char) - 48
        total += _DOUBLED[number] if index % 2 else number
    return total % 10 == 0


@lru_cache(maxsize=4096)
def _as_ascii(char: str) -> str:
    """A non-ASCII character as the run reader sees it: its digit, a separator, or a run breaker."""
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    if char in _SEPARATORS or char.isspace() or unicodedata.category(char) in _SEPARATOR_CATEGORIES:
        return " "
    return "x"


def _weighted_sums(group: str) -> tuple[int, int]:
    """The group's Luhn sums when its last digit sits at an even position (not doubled) or an odd one."""
    plain = doubled = 0
    for index, char in enumerate(reversed(group)):
        number = ord(char) - 48
        if index % 2:
            plain += _DOUBLED[number]
            doubled += number
        else:
            plain += number
            doubled += _DOUBLED[number]
    return plain, doubled


def _holds_luhn_valid_sequence(groups: list[str]) -> bool:
    """True when consecutive groups join into a Luhn-valid 12-19 digit number.

    For each last group, groups are added leftwards: Luhn counts from the right, so the digits already
    summed keep their weights and each added group contributes one of its two precomputed sums. The
    work is a few steps per group however long the run is.
    """
    sums = [_weighted_sums(group) for group in groups]
    for end in range(len(groups)):
        total = count = 0
        for start in range(end, -1, -1):
            length = len(groups[start])
            if count + length > PAN_MAX_DIGITS:
                break
            total += sums[start][count % 2]
            count += length
            if count >= PAN_MIN_DIGITS and total % 10 == 0:
                return True
    return False


def contains_card_number(text: str) -> bool:
    """True when the text holds a full card number, however it is written (see the module docstring)."""
    # Most texts have too few digits to hold one: counting them is far cheaper than reading runs.
    if sum(map(str.isdecimal, text)) < PAN_MIN_DIGITS:
        return False
    if not text.isascii():
        text = _NON_ASCII.sub(lambda match: _as_ascii(match.group()), text)
    if "-" in text:
        text = _UUID.sub("u", text)
    return any(_holds_luhn_valid_sequence(_GROUP.findall(run.group())) for run in _RUN.finditer(text))
