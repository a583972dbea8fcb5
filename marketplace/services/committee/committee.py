"""A community's 大党委: its organisations and 兼职委员 (posts, duties, both-way seats).

Community staff keep their committee: they add organisations and members, and record a
member leaving (the row stays, with the day they left, so past attendance still reads
right). Township staff and reviewers read the committees they oversee. Attendance of
members at the community's joint meetings lives in ``committee_attendance``.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from marketplace import clock
from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import CommitteeMember, CommitteeOrg, Community, Unit, User
from marketplace.models.committee import MEMBER_ORIGINS, ORG_KINDS
from marketplace.services import audit
from marketplace.services.access import (
    can_manage_committee,
    is_community_staff,
    oversees_community,
    require_role,
    valid_id,
)
from marketplace.services.fields import COMMITTEE, FieldReader
from marketplace.services.oversight.oversight_scope import actor_community_ids

MEMBER_FIELDS = ("name", "origin", "from_unit_id", "organisation", "post", "duties",
                 "secretary_seat", "joined_on")  # fmt: skip


@dataclass
class Committee:
    community: Community
    orgs: list[CommitteeOrg]
    members: list[CommitteeMember]  # serving now
    former: list[CommitteeMember]

    def orgs_of(self, kind: str) -> list[CommitteeOrg]:
        return [org for org in self.orgs if org.kind == kind]


def _community(community_id) -> Community:
    community = db.session.get(Community, community_id) if valid_id(community_id) else None
    if community is None:
        raise NotFound("没有这个社区。")
    return community


def committee_of(community_id) -> Committee:
    """Return a community's committee: organisations, serving and former members."""
    community = _community(community_id)
    orgs = db.session.scalars(
        select(CommitteeOrg)
        .where(CommitteeOrg.community_id == community.id)
        .order_by(CommitteeOrg.kind, CommitteeOrg.id)
    ).all()
    members = db.session.scalars(
        select(CommitteeMember)
        .where(CommitteeMember.community_id == community.id)
        .options(selectinload(CommitteeMember.from_unit))
        .order_by(CommitteeMember.id)
    ).all()
    return Committee(
        community,
        list(orgs),
        [member for member in members if member.active],
        [member for member in members if not member.active],
    )


def read_committee(actor: User, community_id) -> Committee:
    """Return a committee its community's staff or who oversees it may read (else 403)."""
    require_role(actor, "community", "township", "reviewer")
    community = _community(community_id)
    if not (is_community_staff(actor, community.id) or oversees_community(actor, community)):
        raise Forbidden("只能查看本社区或所辖社区的大党委。")
    return committee_of(community.id)


def _managed(actor: User) -> Community:
    require_role(actor, "community")
    if not can_manage_committee(actor, actor.community_id):
        raise Forbidden("只能管理本社区的大党委。")
    return _community(actor.community_id)


def _unit(reader: FieldReader, key: str) -> int | None:
    unit_id = reader.integer(key, "来自单位")
    if unit_id is not None and (not valid_id(unit_id) or db.session.get(Unit, unit_id) is None):
        reader.fail(key, "请选择有效的单位。")
        return None
    return unit_id


def add_member(actor: User, data: Mapping) -> CommitteeMember:
    """Appoint a 兼职委员 to the actor's community committee, with post and duties."""
    community = _managed(actor)
    reader = FieldReader(data)
    values = {
        "name": reader.read("name", COMMITTEE["name"]),
        "origin": reader.choice("origin", "身份", MEMBER_ORIGINS),
        "from_unit_id": _unit(reader, "from_unit_id"),
        "organisation": reader.read("organisation", COMMITTEE["organisation"]),
        "post": reader.read("post", COMMITTEE["post"]),
        "duties": reader.read("duties", COMMITTEE["duties"]),
        "secretary_seat": reader.read("secretary_seat", COMMITTEE["secretary_seat"]),
        "joined_on": reader.day("joined_on", "任职日期") or clock.today(),
    }
    if values["from_unit_id"] is None and not values["organisation"]:
        reader.fail("organisation", "请选择来自的单位，或填写所在单位或组织。")
    reader.raise_if_invalid()
    member = CommitteeMember(community_id=community.id, **values)
    db.session.add(member)
    db.session.flush()
    audit.record(
        "committee.member_add",
        actor=actor,
        obj=member,
        after=audit.snapshot(member, *MEMBER_FIELDS),
    )
    db.session.commit()
    return member


def end_member(actor: User, member_id, data: Mapping) -> CommitteeMember:
    """Record that a 兼职委员 left the committee (the row is kept)."""
    community = _managed(actor)
    member = db.session.get(CommitteeMember, member_id) if valid_id(member_id) else None
    if member is None or member.community_id != community.id:
        raise NotFound("本社区没有这位兼职委员。")
    if not member.active:
        raise Conflict(f"{member.name}已于 {member.left_on} 离任。")
    reader = FieldReader(data)
    left_on = reader.day("left_on", "离任日期") or clock.today()
    if left_on < member.joined_on:
        reader.fail("left_on", "离任日期不能早于任职日期。")
    reader.raise_if_invalid()
    member.left_on = left_on
    audit.record(
        "committee.member_leave", actor=actor, obj=member, after={"left_on": left_on.isoformat()}
    )
    db.session.commit()
    return member


def add_org(actor: User, data: Mapping) -> CommitteeOrg:
    """Add an organisation (a unit's party organisation, branch or grid group)."""
    community = _managed(actor)
    reader = FieldReader(data)
    kind = reader.choice("kind", "组织类别", ORG_KINDS)
    name = reader.read("org_name", COMMITTEE["org_name"])
    unit_id = _unit(reader, "unit_id")
    reader.raise_if_invalid()
    org = CommitteeOrg(community_id=community.id, kind=kind, name=name, unit_id=unit_id)
    db.session.add(org)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(f"本社区大党委已有名为「{name}」的组织。") from None
    audit.record("committee.org_add", actor=actor, obj=org, after={"kind": kind, "name": name})
    db.session.commit()
    return org


def may_manage(actor: User, community_id) -> bool:
    """Tell whether ``actor`` may change that community's committee (for the pages)."""
    return can_manage_committee(actor, community_id)


def communities_for(actor: User) -> list[Community]:
    """Return the communities whose committees ``actor`` reads."""
    ids = actor_community_ids(actor)
    return list(
        db.session.scalars(select(Community).where(Community.id.in_(ids)).order_by(Community.id))
    )


def unit_choices() -> list[Unit]:
    """Return the units a member may come from (all units of the county), by name."""
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))
