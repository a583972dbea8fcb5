"""Meetings announced ahead: invitations, RSVPs, reminders, then the record on the same row.

A host announces a meeting (or a 社区大课堂 / 轮训 training session, recurring monthly
on the same weekday of the same week) for a day from today on, with a theme, an agenda
draft, the units invited and, optionally, a room from the facility list, which is
booked through the booking service in the same transaction. Invited units answer yes
or no until the day; the day before, those who did not decline are reminded. From the
day on, the host records who came, the minutes and the next theme on the same row.
"""

from collections.abc import Mapping
from datetime import date, time, timedelta

from sqlalchemy import select, update

from marketplace.errors import Conflict, Forbidden, InvalidInput, NotFound
from marketplace.extensions import db
from marketplace.models import JointMeeting, MeetingAttendance, Offer, User
from marketplace.models._common import utcnow
from marketplace.models.meetings import MEETING_KINDS, MEETING_LEVELS, RSVP_ANSWERS
from marketplace.services import audit
from marketplace.services.access import has_role, own_unit_row, valid_id
from marketplace.services.exchange import booking_series, bookings
from marketplace.services.fields import MEETING, FieldReader
from marketplace.services.notifications import notify, staff_of
from marketplace.services.oversight.meetings import (
    HOST_LEVEL,
    MEETINGS_URL,
    _unit_ids,
    check_host,
    draft_agenda,
    get_meeting,
    invited_units,
    is_host,
)
from marketplace.services.oversight.oversight_calendar import county_today
from marketplace.services.pairing.pairing_plans import default_county
from marketplace.services.transitions import move_if

MAX_REPEAT_MONTHS = 12


ROOM_KINDS = ("meeting_room", "activity_room")


def bookable_rooms() -> list[Offer]:
    """Return the published meeting and activity rooms a meeting can be held in."""
    return list(
        db.session.scalars(
            select(Offer)
            .where(
                Offer.kind == "facility",
                Offer.status == "published",
                Offer.facility_kind.in_(ROOM_KINDS),
            )
            .order_by(Offer.unit_id, Offer.id)
        )
    )


def announce_meeting(actor: User, data: Mapping) -> list[JointMeeting]:
    """Announce a meeting (or a monthly series of them); return the meetings, by date."""
    check_host(actor)
    reader = FieldReader(data)
    if data.get("level") not in (None, "", HOST_LEVEL[actor.role]):
        reader.fail("level", f"您的账号主持{MEETING_LEVELS[HOST_LEVEL[actor.role]]}级会议。")
    held_on = reader.day("date", "会议日期")
    if held_on is None and "date" not in reader.errors:
        reader.fail("date", "请填写会议日期。")
    if held_on and held_on < county_today():
        reader.fail("date", "预告的会议日期不能早于今天；已开过的会议请直接记录。")
    theme = reader.read("theme", MEETING["theme"])
    agenda_draft = reader.read("agenda_draft", MEETING["agenda_draft"])
    kind = reader.choice("kind", "会议类型", MEETING_KINDS, default="joint")
    repeat = reader.integer(
        "repeat_months", "按月重复次数", minimum=1, maximum=MAX_REPEAT_MONTHS, default=1
    )
    place_id = reader.integer("place_offer_id", "会议场地", minimum=1, maximum=2**31 - 1)
    allowed = {unit.id: unit for unit in invited_units(actor)}
    invited = _invited_ids(data.get("invited_unit_ids"), reader)
    if not invited:
        reader.fail("invited_unit_ids", "请选择受邀单位。")
    elif invited - allowed.keys():
        reader.fail("invited_unit_ids", "只能邀请本辖区结对的单位。")
    starts, ends = reader.clock("start", "开始时间"), reader.clock("end", "结束时间")
    reader.raise_if_invalid()
    days = [held_on]
    if repeat > 1:
        days = booking_series.occurrence_days(held_on, "month_weekday", repeat)
    meetings = [
        JointMeeting(
            level=HOST_LEVEL[actor.role],
            county_id=default_county().id,
            township_id=actor.township_id if has_role(actor, "township") else None,
            community_id=actor.community_id if has_role(actor, "community") else None,
            held_on=day,
            theme=theme,
            kind=kind,
            status="announced",
            agenda_draft=agenda_draft,
            agenda=draft_agenda(actor),
            place_offer_id=place_id,
            created_by_id=actor.id,
            attendance=[MeetingAttendance(unit_id=unit_id) for unit_id in sorted(invited)],
        )
        for day in days
    ]
    db.session.add_all(meetings)
    db.session.flush()
    for meeting in meetings[1:]:
        meeting.series_first_id = meetings[0].id
    if place_id:
        _book_place(actor, meetings, data, starts, ends)
    for meeting in meetings:
        audit.record(
            "meeting.announce",
            actor=actor,
            obj=meeting,
            after={"held_on": meeting.held_on.isoformat(), "invited": len(invited)},
            detail=theme,
        )
    when = meetings[0].held_on.isoformat() + (f" 起每月一次，共 {repeat} 次" if repeat > 1 else "")
    notify(
        [user for unit_id in sorted(invited) for user in staff_of(unit_id=unit_id)],
        "meeting_invited",
        f"{meetings[0].host_name}邀请贵单位参加{meetings[0].kind_label}「{theme}」（{when}），请回复是否参加。",
        MEETINGS_URL,
    )
    db.session.commit()
    return meetings


def _invited_ids(raw, reader: FieldReader) -> set[int]:
    values = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
    ids = set()
    for value in values:
        number = int(value) if str(value).strip().isdigit() else None
        if number is None or not valid_id(number):
            reader.fail("invited_unit_ids", "受邀单位无效。")
        else:
            ids.add(number)
    return ids


def _book_place(actor, meetings, data, starts, ends) -> None:
    """Book the room for every meeting (a series when recurring); refuse all on a clash."""
    start, end = starts or time(9, 0), ends or time(11, 0)
    first = meetings[0].held_on
    request = {
        "starts_at": f"{first:%Y-%m-%d} {start:%H:%M}",
        "ends_at": f"{first:%Y-%m-%d} {end:%H:%M}",
        "requester_name": actor.name,
        "requester_phone": str(data.get("phone") or actor.phone or ""),
        "purpose": f"{meetings[0].kind_label}：{meetings[0].theme}",
    }
    try:
        if len(meetings) == 1:
            booked = [bookings.add_booking_request(actor, meetings[0].place_offer_id, request)]
        else:
            request["repeat"] = {"every": "month_weekday", "count": len(meetings)}
            series = booking_series.add_series_request(actor, meetings[0].place_offer_id, request)
            booked = list(series.bookings)
    except (InvalidInput, NotFound) as error:
        field = "phone" if error.field == "requester_phone" else "place_offer_id"
        raise InvalidInput(f"会议场地：{error.message}", field=field) from None
    for meeting, booking in zip(meetings, booked, strict=True):
        meeting.booking_id = booking.id


def open_invitation(actor: User, meeting: JointMeeting) -> MeetingAttendance | None:
    """Return the actor's unit's invitation to an announced meeting, if it has one."""
    if not has_role(actor, "unit") or meeting.status != "announced":
        return None
    return own_unit_row(actor, meeting.attendance)


def answer_invitation(actor: User, meeting_id, data: Mapping) -> MeetingAttendance:
    """Record an invited unit's yes or no (and a note) until the meeting's day."""
    if not has_role(actor, "unit"):
        raise Forbidden("只有受邀单位可以回复会议邀请。")
    meeting = get_meeting(actor, meeting_id)
    row = own_unit_row(actor, meeting.attendance)
    if row is None:
        raise Forbidden("贵单位不在该会议的受邀名单中。")
    reader = FieldReader(data)
    answer = reader.choice("answer", "是否参加", RSVP_ANSWERS)
    note = reader.read("note", MEETING["rsvp_note"])
    reader.raise_if_invalid()
    if meeting.status != "announced" or meeting.held_on < county_today():
        raise Conflict("会议已召开或已过日期，不能再回复。")
    before = {"rsvp": row.rsvp}
    row.rsvp, row.rsvp_note, row.rsvp_at = answer, note, utcnow()
    audit.record(
        "meeting.rsvp", actor=actor, obj=meeting, before=before, after={"rsvp": answer}, detail=note
    )
    host_staff = staff_of(community_id=meeting.community_id) if meeting.community_id else []
    notify(
        host_staff,
        "meeting_rsvp",
        f"{actor.unit.name}回复「{meeting.theme}」（{meeting.held_on}）：{RSVP_ANSWERS[answer]}。",
        MEETINGS_URL,
    )
    db.session.commit()
    return row


def record_held(actor: User, meeting_id, data: Mapping) -> JointMeeting:
    """On or after its day, record an announced meeting: who came, minutes, next theme."""
    meeting = get_meeting(actor, meeting_id)
    if not is_host(actor, meeting):
        raise Forbidden("只有会议主持方可以记录会议。")
    if meeting.held_on > county_today():
        raise Conflict(f"会议定于 {meeting.held_on} 召开：请在会议当天或之后记录出席情况。")
    reader = FieldReader(data)
    minutes = reader.read("minutes", MEETING["minutes"])
    next_theme = reader.read("next_theme", MEETING["next_theme"])
    present = _unit_ids(data.get("present"), reader)
    invited = {row.unit_id for row in meeting.attendance}
    if present - invited:
        reader.fail("present", "出席单位只能从受邀单位中选择。")
    reader.raise_if_invalid()
    move_if(
        meeting,
        (JointMeeting.status == "announced",),
        {"status": "held", "minutes": minutes, "next_theme": next_theme},
        "该会议已经记录过了。",
    )
    for row in meeting.attendance:
        row.present = row.unit_id in present
    audit.record(
        "meeting.record",
        actor=actor,
        obj=meeting,
        before={"status": "announced"},
        after={"status": "held", "present": len(present), "invited": len(invited)},
        detail=meeting.theme,
    )
    db.session.commit()
    return meeting


def remind_upcoming(today: date | None = None) -> int:
    """Remind invited units the day before a meeting (once each); return how many meetings."""
    today = today or county_today()
    due = db.session.scalars(
        select(JointMeeting).where(
            JointMeeting.status == "announced",
            JointMeeting.held_on.between(today, today + timedelta(days=1)),
            JointMeeting.reminded_at.is_(None),
        )
    ).all()
    count = 0
    for meeting in due:
        claimed = db.session.execute(
            update(JointMeeting)
            .where(JointMeeting.id == meeting.id, JointMeeting.reminded_at.is_(None))
            .values(reminded_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue  # another runner reminded it
        units = [row.unit_id for row in meeting.attendance if row.rsvp != "no"]
        notify(
            [user for unit_id in units for user in staff_of(unit_id=unit_id)],
            "meeting_reminder",
            f"提醒：{meeting.host_name}{meeting.kind_label}「{meeting.theme}」"
            f"将于 {meeting.held_on} 召开。",
            MEETINGS_URL,
        )
        count += 1
    if count:
        audit.record(
            "meeting.remind",
            object_type="joint_meeting",
            detail=f"提醒 {count} 场会议",
            username="system",
        )
    db.session.commit()
    return count
