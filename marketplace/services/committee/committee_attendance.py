"""兼职委员 at the community's joint meetings: who was invited, who came, and the rates.

Kept apart from the meetings themselves (``services/oversight/meetings.py``): a community
meeting invites the members serving on its day; its host records who came.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select

from marketplace.errors import Conflict, Forbidden, InvalidInput
from marketplace.extensions import db
from marketplace.models import CommitteeAttendance, CommitteeMember, JointMeeting, User
from marketplace.services import audit
from marketplace.services.access import can_manage_committee, valid_id
from marketplace.services.oversight.meetings import get_meeting


def invited_members(meeting: JointMeeting) -> list[CommitteeMember]:
    """Return the 兼职委员 serving on the day of a community meeting (none for others)."""
    if meeting.level != "community":
        return []
    return list(
        db.session.scalars(
            select(CommitteeMember)
            .where(
                CommitteeMember.community_id == meeting.community_id,
                CommitteeMember.joined_on <= meeting.held_on,
                (CommitteeMember.left_on.is_(None)) | (CommitteeMember.left_on >= meeting.held_on),
            )
            .order_by(CommitteeMember.id)
        )
    )


def attendance_of(
    actor: User, meeting_id
) -> tuple[JointMeeting, list[tuple[CommitteeMember, bool | None]]]:
    """Return a meeting the actor may see, and each invited member's presence (None: unrecorded)."""
    meeting = get_meeting(actor, meeting_id)
    recorded = {
        row.member_id: row.present
        for row in db.session.scalars(
            select(CommitteeAttendance).where(CommitteeAttendance.meeting_id == meeting.id)
        )
    }
    return meeting, [(member, recorded.get(member.id)) for member in invited_members(meeting)]


def record_attendance(actor: User, meeting_id, present_ids: Iterable) -> JointMeeting:
    """Record which invited 兼职委员 came to a community meeting (replacing the last record)."""
    meeting = get_meeting(actor, meeting_id)
    if meeting.level != "community" or not can_manage_committee(actor, meeting.community_id):
        raise Forbidden("只有主持会议的社区可以登记兼职委员出席情况。")
    invited = {member.id for member in invited_members(meeting)}
    if not invited:
        raise Conflict("会议当天本社区没有在任的兼职委员。")
    chosen = set()
    for raw in present_ids or ():
        number = int(raw) if isinstance(raw, int | str) and str(raw).isdigit() else None
        if number is None or not valid_id(number) or number not in invited:
            raise InvalidInput("出席的兼职委员无效。", field="present")
        chosen.add(number)
    db.session.execute(
        delete(CommitteeAttendance).where(CommitteeAttendance.meeting_id == meeting.id)
    )
    db.session.add_all(
        CommitteeAttendance(meeting_id=meeting.id, member_id=member_id, present=member_id in chosen)
        for member_id in sorted(invited)
    )
    audit.record(
        "committee.attendance",
        actor=actor,
        obj=meeting,
        after={"invited": sorted(invited), "present": sorted(chosen)},
    )
    db.session.commit()
    return meeting


def attendance_rates(year: int, *, by: str = "unit") -> dict[int, float]:
    """Return the share (%) of invitations attended in ``year``, per unit or per member."""
    rows = db.session.execute(
        select(CommitteeMember.id, CommitteeMember.from_unit_id, CommitteeAttendance.present)
        .join(CommitteeAttendance, CommitteeAttendance.member_id == CommitteeMember.id)
        .join(JointMeeting, JointMeeting.id == CommitteeAttendance.meeting_id)
        .where(
            JointMeeting.held_on >= date(year, 1, 1), JointMeeting.held_on < date(year + 1, 1, 1)
        )
    )
    invited: dict[int, int] = defaultdict(int)
    came: dict[int, int] = defaultdict(int)
    for member_id, unit_id, present in rows:
        key = member_id if by == "member" else unit_id
        if key is None:
            continue
        invited[key] += 1
        came[key] += 1 if present else 0
    return {key: round(100.0 * came[key] / count, 1) for key, count in invited.items()}
