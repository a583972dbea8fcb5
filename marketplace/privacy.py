"""How personal data looks in public: one rule for names, one for phones.

A name keeps its first character (the surname) and hides the rest behind exactly two
stars whatever its length, so the mask does not tell a two-character name from a
three-character one: 王小明 → 王**, 李四 → 李**. A phone keeps its first three and last
four digits, the rest are four stars: 13812341234 → 138****1234; a number too short
for that (under seven digits) shows as ``****``. Every public page and API answer
shows people through these two functions; only the owning staff see names in full.
"""

import re

NAME_MASK = "**"
PHONE_MASK = "****"


def digits(text) -> str:
    """Return only the digits of a phone number as typed (spaces, dashes, +86 removed)."""
    return re.sub(r"\D", "", str(text or ""))


def mask_name(name: str | None) -> str:
    """Return a person's name as the public sees it: the surname and two stars (王**)."""
    name = (name or "").strip()
    return f"{name[0]}{NAME_MASK}" if name else ""


def mask_phone(phone: str | None) -> str:
    """Return a phone as the public sees it: first three and last four digits (138****1234)."""
    number = digits(phone)
    if not number:
        return ""
    if len(number) < 7:
        return PHONE_MASK
    return f"{number[:3]}{PHONE_MASK}{number[-4:]}"
