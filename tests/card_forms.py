"""Full card numbers as the attack run wrote them (each Luhn-valid), shared by the rule and API tests."""

from __future__ import annotations


def in_digits(number: str, zero: str) -> str:
    """The number written in the script whose digit zero is `zero` (fullwidth, Arabic-Indic, ...)."""
    return "".join(chr(ord(zero) + int(digit)) for digit in number)


WRITTEN_FORMS = {
    "plain": "4111111111111111",
    "dots": "5105.1051.0510.5100",
    "slashes": "3782/8224/6310/005",
    "double spaces": "4111  1111  1111  1111",
    "underscores": "4111_1111_1111_1111",
    "fullwidth": in_digits("4111111111111111", "\uff10"),
    "arabic-indic": in_digits("4111111111111111", "\u0660"),
    "zero-width spaces": "\u200b".join("4111111111111111"),
}
# Every customer text field (the email's local part and metadata keys and values are added by tests).
CUSTOMER_TEXT_FIELDS = ["merchant_customer_id", "description", "name", "phone", "zip_code", "city", "address"]


def every_field_holding(form: str) -> dict[str, object]:
    """A customer whose every text field, metadata key and value, and email local part hold `form`."""
    return {
        **dict.fromkeys(CUSTOMER_TEXT_FIELDS, form),
        "email": f"{form}@example.com",
        "metadata": {form: "value", "note": form},
    }


# The (field, code) pairs refusing `every_field_holding(form)`: metadata twice (its key and a value).
EVERY_FIELD_REFUSED = sorted(
    [(name, "full_card_number") for name in [*CUSTOMER_TEXT_FIELDS, "email"]]
    + [("metadata", "full_card_number")] * 2
)
