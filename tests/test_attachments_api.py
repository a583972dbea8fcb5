"""Attachments: content-checked uploads, EXIF stripped, served only to who sees the record."""

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.models import Attachment, AuditEntry
from marketplace.services.oversight import pair_activities
from marketplace.services.oversight.oversight_calendar import county_today
from tests.attachment_helpers import (
    GPS_IFD,
    HTML_AS_JPEG,
    MINIMAL_PDF,
    jpeg_with_gps,
    png_bytes,
    upload,
)
from tests.oversight_helpers import PairWorld
from tests.test_api_marketplace import Api


@pytest.fixture
def world(app, client):
    world = PairWorld()
    world.activity = pair_activities.log_activity(
        world.unit_user,
        {
            "community_id": world.community.id,
            "date": county_today().isoformat(),
            "kind": "volunteering",
            "title": "小区清洁志愿服务",
        },
    )
    world.api = {
        name: Api(client, getattr(world, name))
        for name in ("unit_user", "staff", "other_staff", "township_user", "far_township_user")
    }
    world.client = client
    return world


def _url(world) -> str:
    return f"/pair-activities/{world.activity.id}/attachments"


def test_a_jpeg_comes_back_without_exif_and_with_a_thumbnail(world):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test can fail
    response = upload(world.api["unit_user"], _url(world), original, "现场.jpg")
    assert response.status_code == 201, response.json
    body = response.json
    assert body["content_type"] == "image/jpeg" and body["bytes"] > 0
    assert set(body) >= {"id", "url", "thumbnail_url", "content_type", "bytes"}

    served = world.client.get(body["url"], headers=world.api["staff"].headers)
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (800, 600)
    assert len(image.getexif()) == 0 and b"Exif" not in served.data[:4096]
    assert b"TestCam" not in served.data

    thumb = world.client.get(body["thumbnail_url"], headers=world.api["staff"].headers)
    assert thumb.status_code == 200
    assert max(Image.open(io.BytesIO(thumb.data)).size) <= 320


def test_api_list_and_delete_with_an_audit_entry(world, db):
    first = upload(world.api["staff"], _url(world), png_bytes(), "a.png").json
    pdf = upload(world.api["unit_user"], _url(world), MINIMAL_PDF, "签到表.pdf").json
    assert pdf["content_type"] == "application/pdf" and pdf["thumbnail_url"] is None
    listed = world.api["township_user"].get(_url(world))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json["results"]] == [first["id"], pdf["id"]]

    refused = world.client.delete(
        f"/api/v1/attachments/{first['id']}", headers=world.api["township_user"].headers
    )
    assert refused.status_code == 403
    gone = world.client.delete(
        f"/api/v1/attachments/{first['id']}", headers=world.api["unit_user"].headers
    )
    assert gone.status_code == 204
    assert db.session.get(Attachment, first["id"]) is None
    assert world.client.get(first["url"], headers=world.api["staff"].headers).status_code == 404
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "attachment")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["attachment.add", "attachment.add", "attachment.delete"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (HTML_AS_JPEG, "photo.jpg"),
        (b"\xff\xd8\xff" + b"not really a jpeg" * 20, "broken.jpg"),
        (b"PK\x03\x04 a zip file", "evidence.pdf"),
        (MINIMAL_PDF.replace(b"/Catalog", b"/Catalog/OpenAction<</S/JavaScript/JS(x)>>"), "a.pdf"),
    ],
)
def test_files_are_judged_by_their_content_not_their_name(world, db, data, name):
    response = upload(world.api["unit_user"], _url(world), data, name)
    assert response.status_code == 400
    assert response.json["field"] == "file" and response.json["error"]
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_another_communitys_staff_and_the_public_cannot_fetch_a_private_file(world):
    body = upload(world.api["unit_user"], _url(world), png_bytes(), "a.png").json
    for outsider in ("other_staff", "far_township_user"):
        headers = world.api[outsider].headers
        assert world.client.get(body["url"], headers=headers).status_code in (403, 404)
        assert world.api[outsider].get(_url(world)).status_code in (403, 404)
        assert upload(world.api[outsider], _url(world), png_bytes()).status_code == 403
    assert world.client.get(body["url"]).status_code == 401  # the API wants a token
    page_file = f"/attachments/{body['id']}"  # the pages' address: the public gets nothing
    assert world.client.get(page_file).status_code == 404
    assert world.client.get(f"{page_file}/thumbnail").status_code == 404
    assert world.client.get(f"/api/v1{_url(world)}").status_code == 401


def test_a_record_takes_at_most_twenty_files(world, monkeypatch):
    from marketplace.services.attachments import attachments

    monkeypatch.setattr(attachments, "MAX_PER_RECORD", 2)
    for _ in range(2):
        assert upload(world.api["unit_user"], _url(world), png_bytes()).status_code == 201
    third = upload(world.api["unit_user"], _url(world), png_bytes())
    assert third.status_code == 409 and "最多" in third.json["error"]


@pytest.fixture
def app_config():
    return {"ATTACHMENT_MAX_BYTES": 200 * 1024}


def test_the_size_limit_is_a_setting_and_a_larger_body_is_413(world):
    big = png_bytes(size=(200, 200)) + b"\0" * (150 * 1024)  # under the limit, padded
    assert upload(world.api["unit_user"], _url(world), big).status_code == 201
    over = png_bytes() + b"\0" * (210 * 1024)  # past the limit, within the multipart slack
    response = upload(world.api["unit_user"], _url(world), over)
    assert response.status_code == 400 and "不能超过" in response.json["error"]
    huge = b"\0" * (400 * 1024)  # past the request limit itself
    assert upload(world.api["unit_user"], _url(world), huge).status_code == 413


def test_confirming_a_pair_activity_needs_a_photo_when_the_rule_is_on(world, db):
    refused = world.api["staff"].post(f"/pair-activities/{world.activity.id}/confirm")
    assert refused.status_code == 409 and "照片" in refused.json["error"]
    db.session.refresh(world.activity)
    assert world.activity.status == "logged"
    upload(world.api["unit_user"], _url(world), jpeg_with_gps())
    confirmed = world.api["staff"].post(f"/pair-activities/{world.activity.id}/confirm")
    assert confirmed.status_code == 200 and confirmed.json["status"] == "confirmed"
