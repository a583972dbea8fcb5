"""Communities say, before a pairing run, which units they want to keep or gain.

The seeds pair units 「在征求社区党组织意见的基础上」: a community's staff mark up to
``MAX_KEEP`` of its current paired units to keep and up to ``MAX_GAIN`` other units of the
county it would like to gain. Each marked pair earns the ``preference`` score part in the
next run (weighted by the reviewer); nothing is forced.
"""

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import Community, PairingPreference, Township, Unit, User
from marketplace.services import audit
from marketplace.services.access import require_role
from marketplace.services.pairing.plan_history import published_keys

MAX_KEEP = 3
MAX_GAIN = 3


def community_preferences(community_id: int) -> list[PairingPreference]:
    """Return a community's stated preferences, keep before gain, by unit name."""
    rows = db.session.scalars(
        select(PairingPreference)
        .where(PairingPreference.community_id == community_id)
        .options(selectinload(PairingPreference.unit))
    ).all()
    return sorted(rows, key=lambda row: (row.kind != "keep", row.unit.name))


@dataclass
class PreferenceChoices:
    """What a community may mark: its current units (to keep) and the county's others."""

    community: Community
    current: list[Unit]
    others: list[Unit]
    chosen: list[PairingPreference]

    def chosen_ids(self, kind: str) -> list[int]:
        return [row.unit_id for row in self.chosen if row.kind == kind]


def preference_choices(actor: User) -> PreferenceChoices:
    """Return what the actor's community may mark, with what it marked before."""
    require_role(actor, "community")
    community = db.session.get(Community, actor.community_id)
    county_id = _county_of(community)
    current_ids = {u for u, c in published_keys(county_id) if c == community.id}
    units = db.session.scalars(
        select(Unit).where(Unit.county_id == county_id).order_by(Unit.name)
    ).all()
    return PreferenceChoices(
        community,
        [unit for unit in units if unit.id in current_ids],
        [unit for unit in units if unit.id not in current_ids],
        community_preferences(community.id),
    )


def _county_of(community: Community) -> int:
    return db.session.scalar(select(Township.county_id).where(Township.id == community.township_id))


def _ids(values, what: str) -> list[int]:
    ids = []
    for value in values or []:
        if isinstance(value, bool):
            raise InvalidInput(f"{what}中的单位编号无效。")
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            raise InvalidInput(f"{what}中的单位编号无效。") from None
    return sorted(set(ids))


def set_preferences(actor: User, keep, gain) -> list[PairingPreference]:
    """Replace the actor's community's preferences with ``keep`` and ``gain`` unit ids."""
    require_role(actor, "community")
    community = db.session.get(Community, actor.community_id)
    keep, gain = _ids(keep, "希望保留"), _ids(gain, "希望新增")
    if len(keep) > MAX_KEEP or len(gain) > MAX_GAIN:
        raise InvalidInput(f"最多保留 {MAX_KEEP} 个、新增 {MAX_GAIN} 个单位。")
    if set(keep) & set(gain):
        raise InvalidInput("同一个单位不能既希望保留又希望新增。")
    county_id = _county_of(community)
    current = {u for u, c in published_keys(county_id) if c == community.id}
    if not set(keep) <= current:
        raise InvalidInput("“希望保留”只能选择本社区现有的结对单位。", field="keep")
    if set(gain) & current:
        raise InvalidInput("“希望新增”不能选择已经结对的单位。", field="gain")
    known = set(
        db.session.scalars(
            select(Unit.id).where(Unit.id.in_(keep + gain), Unit.county_id == county_id)
        )
    )
    if known != set(keep + gain):
        raise InvalidInput("所选单位不属于本县。", field="gain")
    before = _summary(community_preferences(community.id))
    db.session.execute(
        delete(PairingPreference).where(PairingPreference.community_id == community.id)
    )
    rows = [
        PairingPreference(
            community_id=community.id, unit_id=unit_id, kind=kind, created_by_id=actor.id
        )
        for kind, ids in (("keep", keep), ("gain", gain))
        for unit_id in ids
    ]
    db.session.add_all(rows)
    audit.record(
        "pairing_preference.update",
        actor=actor,
        obj=community,
        before=before,
        after={"keep": keep, "gain": gain},
    )
    db.session.commit()
    return community_preferences(community.id)


def _summary(rows: list[PairingPreference]) -> dict:
    return {
        "keep": [row.unit_id for row in rows if row.kind == "keep"],
        "gain": [row.unit_id for row in rows if row.kind == "gain"],
    }


def preferences_to_json(rows: list[PairingPreference]) -> dict:
    """Return preferences as the API shows them."""
    return {
        "max_keep": MAX_KEEP,
        "max_gain": MAX_GAIN,
        "preferences": [
            {"unit_id": row.unit_id, "unit_name": row.unit.name, "kind": row.kind} for row in rows
        ],
    }
