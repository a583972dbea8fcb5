"""Personal data shown to the public: residents' names masked, phones cut to four digits."""

import re


def digits(text) -> str:
    """Return only the digits of a phone number as typed (spaces, dashes, +86 removed)."""
    return re.sub(r"\D", "", str(text or ""))


def masked_name(name: str) -> str:
    """Mask a person's name for the public: 王小明 → 王**."""
    name = (name or "").strip()
    return f"{name[0]}{'*' * max(1, len(name) - 1)}" if name else ""


def masked_phone(phone: str) -> str:
    """Show a phone's last four digits only: *******1234."""
    number = digits(phone)
    return f"{'*' * max(0, len(number) - 4)}{number[-4:]}"
