"""The category taxonomy shipped as data (12 categories × 53 types)."""

import json
from functools import cache
from importlib import resources

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Category, ServiceType

# Facility kinds map onto the 场地设施 types, so every offer has a type.
FACILITY_TYPE_CODES = {
    "meeting_room": "meeting_room",
    "parking": "parking",
    "sports_ground": "sports_ground",
    "activity_room": "activity_room",
    "equipment": "equipment",
}


@cache
def shipped_taxonomy() -> dict:
    """Return the taxonomy as shipped in ``marketplace/data/taxonomy.json``."""
    text = resources.files("marketplace.data").joinpath("taxonomy.json").read_text("utf-8")
    return json.loads(text)


def load_taxonomy() -> dict[str, int]:
    """Insert the shipped categories and types that are missing; return what was added."""
    existing_categories = {c.code: c for c in db.session.scalars(select(Category))}
    existing_types = set(db.session.scalars(select(ServiceType.code)))
    added = {"categories": 0, "types": 0}
    for position, entry in enumerate(shipped_taxonomy()["categories"]):
        category = existing_categories.get(entry["code"])
        if category is None:
            category = Category(code=entry["code"], name=entry["name"], position=position)
            db.session.add(category)
            added["categories"] += 1
        for type_position, type_entry in enumerate(entry["types"]):
            if type_entry["code"] not in existing_types:
                category.types.append(
                    ServiceType(
                        code=type_entry["code"], name=type_entry["name"], position=type_position
                    )
                )
                added["types"] += 1
    db.session.commit()
    return added


def types_by_code() -> dict[str, ServiceType]:
    """Return every service type keyed by its code."""
    return {t.code: t for t in db.session.scalars(select(ServiceType))}
