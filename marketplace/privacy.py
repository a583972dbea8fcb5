"""How personal data looks in public: names masked, phones hidden."""


def mask_name(name: str | None) -> str:
    """Return a person's name as the public sees it: the surname and two stars (李**)."""
    name = (name or "").strip()
    return f"{name[0]}**" if name else ""


def mask_phone(phone: str | None) -> str:
    """Return a phone number with all but its last four digits hidden, for staff lists."""
    digits = (phone or "").strip()
    return f"*******{digits[-4:]}" if len(digits) >= 4 else "****"
