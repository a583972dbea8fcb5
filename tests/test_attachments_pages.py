"""Pages: upload from the gallery page, the meeting page's gallery and RSVP, public photos."""

import io
from datetime import timedelta

from marketplace.models import Attachment, Wish
from marketplace.models._common import utcnow
from marketplace.services.attachments import attachments
from marketplace.services.oversight import meeting_schedule
from marketplace.services.oversight.oversight_calendar import county_today
from tests.attachment_helpers import HTML_AS_JPEG, png_bytes
from tests.factories import PASSWORD, make_community, make_unit, make_user


def _page_upload(client, kind, record_id, data, name="现场.png", **form):
    return client.post(
        f"/attachments/{kind}/{record_id}",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_host_uploads_on_the_meeting_page_and_a_unit_answers_there(app, client, login_as, db):
    community = make_community()
    unit = make_unit()
    staff = login_as("community", community=community)
    from tests.oversight_helpers import publish_pairs

    publish_pairs([(unit, community)])
    [meeting] = meeting_schedule.announce_meeting(
        staff,
        {
            "date": (county_today() + timedelta(days=7)).isoformat(),
            "theme": "冬季安全",
            "invited_unit_ids": [unit.id],
        },
    )
    page = _page_upload(client, "meeting", meeting.id, png_bytes())
    assert "附件已上传" in page.get_data(as_text=True)
    refused = _page_upload(client, "meeting", meeting.id, HTML_AS_JPEG, "a.jpg")
    assert "只能上传" in refused.get_data(as_text=True)  # shown on the page, not a 500
    shown = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    photo = db.session.scalars(db.select(Attachment)).one()
    assert f"/attachments/{photo.id}/thumbnail" in shown and "会议预告" in shown

    unit_client = app.test_client()
    secretary = make_user("unit", unit=unit)
    unit_client.post("/login", data={"username": secretary.username, "password": PASSWORD})
    invited = unit_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "不参加" in invited
    answered = unit_client.post(
        f"/meetings/{meeting.id}/rsvp", data={"answer": "yes", "note": "准时参加"}
    )
    assert answered.status_code == 302
    db.session.expire_all()
    assert meeting.attendance[0].rsvp == "yes"


def test_the_public_sees_a_fulfilled_wishs_public_photo_only(app, client, login_as, db):
    staff = login_as("community")
    claimer = make_user("unit")
    wish = Wish(
        community_id=staff.community_id,
        title="一台收音机",
        description="老人想听戏",
        value_yuan=80,
        resident_name="王秀英",
        deadline=county_today() + timedelta(days=30),
        status="fulfilled",
        claimer_kind="unit",
        claimer_user_id=claimer.id,
        claimer_unit_id=claimer.unit_id,
        claimed_at=utcnow(),
        fulfilled_on=county_today(),
    )
    db.session.add(wish)
    db.session.commit()
    shown = attachments.add_attachment(staff, "wish", wish.id, png_bytes(), public=True)
    hidden = attachments.add_attachment(staff, "wish", wish.id, png_bytes())
    client = app.test_client()  # a visitor, not signed in
    assert client.get(f"/attachments/{shown.id}").status_code == 200
    assert client.get(f"/attachments/{hidden.id}").status_code == 404
    gallery = client.get(f"/attachments/wish/{wish.id}").get_data(as_text=True)
    assert f"/attachments/{shown.id}/thumbnail" in gallery
    assert f"/attachments/{hidden.id}/" not in gallery
