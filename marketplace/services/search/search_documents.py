"""Turn database rows into search documents, and decide what the public may see.

The database is the source of truth: a document exists in the index only for a row
that is visible now; everything else is a deletion.
"""

from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.extensions import db
from marketplace.models import Community, Need, Offer, ServiceType, Township, Unit
from marketplace.models.listings import PUBLIC_NEED_STATUSES

BATCH = 500


def _minutes(moment) -> int | None:
    return moment.hour * 60 + moment.minute if moment else None


def need_document(need: Need) -> dict:
    community = need.community
    return {
        "key": f"need:{need.id}",
        "kind": "need",
        "id": need.id,
        "title": need.title,
        "body": need.description,
        "category": need.service_type.category.name,
        "type": need.service_type.name,
        "township": community.township.name,
        "community": community.name,
        "owner": community.name,
        "address": community.address,
        "capacity": need.remaining,
        "free": None,
        "open_weekdays": None,
        "open_from": None,
        "open_until": None,
        "url": f"/needs/{need.id}",
        "updated": need.updated_at,
    }


def offer_document(offer: Offer) -> dict:
    unit = offer.unit
    facility = offer.kind == "facility"
    return {
        "key": f"{offer.kind}:{offer.id}",
        "kind": offer.kind,
        "id": offer.id,
        "title": offer.title,
        "body": offer.description,
        "category": offer.service_type.category.name,
        "type": offer.facility_label if facility else offer.service_type.name,
        "township": unit.township.name if unit.township else "",
        "community": "",
        "owner": unit.name,
        "address": offer.address or unit.address,
        "capacity": offer.capacity if facility else offer.monthly_quantity,
        "free": offer.is_free if facility else None,
        "open_weekdays": offer.open_weekdays if facility else None,
        "open_from": _minutes(offer.open_from) if facility else None,
        "open_until": _minutes(offer.open_until) if facility else None,
        "url": f"/offers/{offer.id}",
        "updated": offer.updated_at,
    }


def unit_document(unit: Unit) -> dict:
    return {
        "key": f"unit:{unit.id}",
        "kind": "unit",
        "id": unit.id,
        "title": unit.name,
        "body": f"{unit.kind_label}，党员 {unit.party_members} 名",
        "category": "",
        "type": unit.kind_label,
        "township": unit.township.name if unit.township else "",
        "community": "",
        "owner": unit.name,
        "address": unit.address,
        "capacity": None,
        "free": None,
        "open_weekdays": None,
        "open_from": None,
        "open_until": None,
        "url": f"/units/{unit.id}",
        "updated": None,
    }


def community_document(community: Community) -> dict:
    return {
        "key": f"community:{community.id}",
        "kind": "community",
        "id": community.id,
        "title": community.name,
        "body": f"{community.households} 户，{community.address}",
        "category": "",
        "type": "",
        "township": community.township.name,
        "community": community.name,
        "owner": community.name,
        "address": community.address,
        "capacity": None,
        "free": None,
        "open_weekdays": None,
        "open_from": None,
        "open_until": None,
        "url": f"/communities/{community.id}",
        "updated": None,
    }


def _need_query():
    return (
        select(Need)
        .options(
            joinedload(Need.community).joinedload(Community.township),
            joinedload(Need.service_type).joinedload(ServiceType.category),
        )
        .where(Need.status.in_(PUBLIC_NEED_STATUSES))
    )


def _offer_query():
    return (
        select(Offer)
        .options(
            joinedload(Offer.unit).joinedload(Unit.township),
            joinedload(Offer.service_type).joinedload(ServiceType.category),
        )
        .where(Offer.status == "published", Offer.is_public.is_(True))
    )


def _unit_query():
    return select(Unit).options(joinedload(Unit.township))


def _community_query():
    return select(Community).options(joinedload(Community.township).joinedload(Township.county))


SOURCES = {
    "need": (Need, _need_query, need_document),
    "offer": (Offer, _offer_query, offer_document),
    "unit": (Unit, _unit_query, unit_document),
    "community": (Community, _community_query, community_document),
}


def count_documents(session=None) -> int:
    """Return how many rows are visible (for rebuild progress)."""
    from sqlalchemy import func

    session = session or db.session
    return sum(
        session.scalar(select(func.count()).select_from(query().subquery()))
        for _model, query, _build in SOURCES.values()
    )


def all_documents(session=None, *, short_transactions: bool = False) -> Iterator[dict]:
    """Yield a document for every visible row, in batches.

    With ``short_transactions`` each batch is read in its own transaction, so a long
    rebuild does not hold SQLite's write lock (every transaction there takes it); rows
    changed meanwhile have outbox entries that the next drain applies.
    """
    session = session or db.session
    for model, query, build in SOURCES.values():
        last_id = 0
        while True:
            rows = (
                session.scalars(query().where(model.id > last_id).order_by(model.id).limit(BATCH))
                .unique()
                .all()
            )
            if not rows:
                break
            documents = [build(row) for row in rows]
            last_id = rows[-1].id
            if short_transactions:
                session.commit()
            yield from documents


def resolve_outbox_keys(keys: Iterable[str], session=None) -> tuple[list[dict], list[str]]:
    """Map outbox keys (``need:3``, ``offer:7`` …) to documents to write and keys to delete."""
    session = session or db.session
    wanted: dict[str, set[int]] = {}
    for key in keys:
        kind, _, raw_id = key.partition(":")
        if kind in SOURCES and raw_id.isdigit():
            wanted.setdefault(kind, set()).add(int(raw_id))
    documents, deletions = [], []
    for kind, ids in wanted.items():
        model, query, build = SOURCES[kind]
        visible = {
            row.id: row for row in session.scalars(query().where(model.id.in_(ids))).unique()
        }
        for row_id in ids:
            if row_id in visible:
                documents.append(build(visible[row_id]))
            if kind == "offer":
                # an offer may have changed kind; drop whichever key no longer holds
                live = documents[-1]["key"] if row_id in visible else None
                deletions += [k for k in (f"facility:{row_id}", f"service:{row_id}") if k != live]
            elif row_id not in visible:
                deletions.append(f"{kind}:{row_id}")
    return documents, deletions


def outbox_key(search_key: str) -> str:
    """Map a search key (``facility:7``) to the outbox key of its row (``offer:7``)."""
    kind, _, raw_id = search_key.partition(":")
    return f"offer:{raw_id}" if kind in ("facility", "service") else search_key


def visible_documents(keys: Iterable[str], session=None) -> dict[str, dict]:
    """Return the current document of each search key visible in the database (no drafts)."""
    documents, _deletions = resolve_outbox_keys((outbox_key(key) for key in keys), session)
    return {document["key"]: document for document in documents}


def visible_keys(keys: Iterable[str], session=None) -> set[str]:
    """Return which search keys are visible in the database right now."""
    return set(visible_documents(keys, session))
