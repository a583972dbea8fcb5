"""The demo county's evidence: photos on pair activities, an announced meeting, a series.

Photos are drawn here with Pillow (coloured shapes, no real people), so the demo needs
no image files and every confirmed activity carries the photo its confirmation needs.
"""

import io
import random
from datetime import timedelta

from PIL import Image, ImageDraw
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import JointMeeting, MeetingAttendance, PairActivity
from marketplace.services.attachments.attachments import seed_attachment
from marketplace.services.oversight.oversight_calendar import county_today

SEED = 2017
PALETTE = [(196, 43, 28), (230, 162, 60), (64, 128, 96), (52, 101, 164), (120, 84, 160)]
# Share of activities still awaiting confirmation that already carry a photo.
LOGGED_WITH_PHOTO = 0.6


def demo_photo(rng: random.Random, size=(480, 320)) -> bytes:
    """Return a PNG of a few coloured shapes standing in for an activity photo."""
    image = Image.new("RGB", size, rng.choice(PALETTE))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randint(30, 160), rng.randint(30, 120)
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape((x, y, x + w, y + h), fill=rng.choice(PALETTE), outline=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def load_evidence_demo() -> None:
    """Photograph the demo's activities and announce next week's meeting (caller commits)."""
    rng = random.Random(SEED)  # its own draws: the rest of the demo stays as it was
    db.session.flush()
    activities = db.session.scalars(select(PairActivity).order_by(PairActivity.id)).all()
    for activity in activities:
        if activity.status == "confirmed" or rng.random() < LOGGED_WITH_PHOTO:
            seed_attachment("pair_activity", activity.id, demo_photo(rng), "活动现场.png")
    _announced_meeting()


def _announced_meeting() -> None:
    """Copy the latest community meeting's host and invitations into one for next week."""
    latest = db.session.scalar(
        select(JointMeeting)
        .where(JointMeeting.level == "community")
        .order_by(JointMeeting.held_on.desc(), JointMeeting.id.desc())
        .limit(1)
    )
    if latest is None:
        return
    upcoming = JointMeeting(
        level="community",
        county_id=latest.county_id,
        community_id=latest.community_id,
        held_on=county_today() + timedelta(days=7),
        theme="冬季安全联席会议（预告）",
        status="announced",
        agenda_draft="一、通报辖区冬季安全隐患排查情况\n二、议定结对单位志愿巡查分工",
        agenda={},
        attendance=[MeetingAttendance(unit_id=row.unit_id) for row in latest.attendance],
    )
    if upcoming.attendance:
        upcoming.attendance[0].rsvp = "yes"
        upcoming.attendance[0].rsvp_note = "书记带队参加"
    db.session.add(upcoming)
