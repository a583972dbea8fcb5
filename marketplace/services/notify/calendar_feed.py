"""A user's private calendar feed (iCalendar): meetings, bookings, pair activities, trainings.

Phone calendars subscribe to ``/calendar/<token>.ics``; the token comes from the
「通知设置」 page and dies when revoked. Timed events carry the county's time zone (with
its VTIMEZONE), day-long ones (meetings, pair activities) are all-day events.
"""

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import or_, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    Activity,
    Booking,
    JointMeeting,
    MeetingAttendance,
    Member,
    Offer,
    PairActivity,
    User,
)
from marketplace.models.members import ACTIVITY_KINDS
from marketplace.services.access import has_role
from marketplace.services.notify.preferences import user_for_calendar

PAST_DAYS, FUTURE_DAYS = 30, 366


def _meetings(user: User, first: date, last: date) -> list[JointMeeting]:
    query = select(JointMeeting).where(JointMeeting.held_on.between(first, last))
    if has_role(user, "community"):
        query = query.where(JointMeeting.community_id == user.community_id)
    elif has_role(user, "township"):
        query = query.where(JointMeeting.township_id == user.township_id)
    elif has_role(user, "unit"):
        invited = select(MeetingAttendance.meeting_id).where(
            MeetingAttendance.unit_id == user.unit_id
        )
        query = query.where(JointMeeting.id.in_(invited))
    else:
        return []
    return list(db.session.scalars(query.order_by(JointMeeting.held_on)))


def _bookings(user: User, start: datetime, end: datetime) -> list[Booking]:
    mine = Booking.requester_user_id == user.id
    if has_role(user, "unit"):  # the facilities the unit lends out, once accepted
        lent = select(Offer.id).where(Offer.unit_id == user.unit_id)
        mine = or_(mine, (Booking.offer_id.in_(lent)) & (Booking.status == "accepted"))
    query = select(Booking).where(
        mine,
        Booking.status.in_(("requested", "accepted")),
        Booking.starts_at >= start,
        Booking.starts_at < end,
    )
    return list(db.session.scalars(query.order_by(Booking.starts_at)))


def _pair_activities(user: User, first: date, last: date) -> list[PairActivity]:
    if has_role(user, "community"):
        owner = PairActivity.community_id == user.community_id
    elif has_role(user, "unit"):
        owner = PairActivity.unit_id == user.unit_id
    else:
        return []
    query = select(PairActivity).where(owner, PairActivity.held_on.between(first, last))
    return list(db.session.scalars(query.order_by(PairActivity.held_on)))


def _activities(user: User, start: datetime, end: datetime) -> list[Activity]:
    community_id = user.community_id if has_role(user, "community") else None
    if has_role(user, "member"):
        member = db.session.scalar(select(Member).where(Member.user_id == user.id))
        community_id = member.community_id if member else None
    if community_id is None:
        return []
    query = select(Activity).where(
        Activity.community_id == community_id, Activity.starts_at >= start, Activity.starts_at < end
    )
    return list(db.session.scalars(query.order_by(Activity.starts_at)))


def _calendar_event(uid: str, summary: str, begin, end, description: str = "") -> Event:
    event = Event()
    event.add("uid", f"{uid}@marketplace")
    event.add("summary", summary)
    event.add("dtstart", begin)
    event.add("dtend", end)
    event.add("dtstamp", clock.utcnow())
    if description:
        event.add("description", description)
    return event


def build_calendar(user: User) -> Calendar:
    """Return the user's calendar from a month ago to a year ahead."""
    today = clock.today()
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=FUTURE_DAYS)
    start, _ = clock.day_bounds(first)
    end, _ = clock.day_bounds(last)
    calendar = Calendar()
    calendar.add("prodid", "-//社区共建资源对接平台//日历//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{user.name}的日程")
    calendar.add("x-wr-timezone", clock.zone().key)
    for meeting in _meetings(user, first, last):
        summary = f"{meeting.host_name}联席会议：{meeting.theme}"
        end_day = meeting.held_on + timedelta(days=1)
        calendar.add_component(
            _calendar_event(f"meeting-{meeting.id}", summary, meeting.held_on, end_day)
        )
    for booking in _bookings(user, start, end):
        summary = f"场地预约：{booking.offer.title}（{booking.status_label}）"
        calendar.add_component(
            _calendar_event(
                f"booking-{booking.id}",
                summary,
                clock.local(booking.starts_at),
                clock.local(booking.ends_at),
                booking.purpose,
            )
        )
    for activity in _pair_activities(user, first, last):
        end_day = activity.held_on + timedelta(days=1)
        summary = f"结对活动：{activity.title}"
        calendar.add_component(
            _calendar_event(f"pair-{activity.id}", summary, activity.held_on, end_day)
        )
    for activity in _activities(user, start, end):
        kind = ACTIVITY_KINDS.get(activity.kind, "活动")
        calendar.add_component(
            _calendar_event(
                f"activity-{activity.id}",
                f"{kind}：{activity.title}",
                clock.local(activity.starts_at),
                clock.local(activity.ends_at),
            )
        )
    calendar.add_missing_timezones()
    return calendar


def feed(token: str) -> bytes:
    """Return the iCalendar text of the feed behind ``token``; NotFound if revoked."""
    return build_calendar(user_for_calendar(token)).to_ical()
