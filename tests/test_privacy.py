"""Personal data in public: one masking rule for names, one for phones, used everywhere."""

from datetime import timedelta

import pytest

from marketplace import clock
from marketplace.models.listings import ALL_WEEKDAYS
from marketplace.privacy import digits, mask_name, mask_phone
from marketplace.services.exchange import bookings
from marketplace.services.wishes import wishes
from tests.factories import make_member, make_offer, make_user


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("王小明", "王**"),
        ("李四", "李**"),  # two characters: the same two stars, the length does not leak
        ("欧阳修文", "欧**"),
        ("  张三 ", "张**"),
        ("Li", "L**"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_name_keeps_its_surname_and_two_stars(name, shown):
    assert mask_name(name) == shown


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812341234", "138****1234"),
        ("138 1234 1234", "138****1234"),
        ("+86 138-1234-1234", "861****1234"),
        ("0710-5551234", "071****1234"),
        ("5551234", "555****1234"),
        ("123456", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_phone_keeps_its_first_three_and_last_four_digits(phone, shown):
    assert mask_phone(phone) == shown
    assert digits(phone) not in mask_phone(phone) or not digits(phone)


def test_every_public_page_and_answer_shows_people_masked(app, client):
    """A two-character resident, a member claimer, a booking requester: all masked alike."""
    staff = make_user("community")
    deadline = (clock.today() + timedelta(days=10)).isoformat()
    wish = wishes.post_wish(
        staff,
        {"title": "一件棉衣", "description": "冬天到了", "value_yuan": 100,
         "resident_name": "李四", "deadline": deadline},
    )  # fmt: skip
    member = make_member(name="赵大勇")
    wishes.claim_wish(member.user, wish.id)
    room = make_offer(kind="facility", facility_kind="meeting_room", open_weekdays=ALL_WEEKDAYS)
    day = clock.today() + timedelta(days=2)
    booking = bookings.request_booking(
        None,
        room.id,
        {"starts_at": f"{day} 10:00", "ends_at": f"{day} 11:00", "requester_name": "钱多",
         "requester_phone": "13912345678", "purpose": "议事"},
    )  # fmt: skip

    public = [
        client.get("/wishes/").get_data(as_text=True),
        client.get(f"/wishes/{wish.id}").get_data(as_text=True),
        str(client.get("/api/v1/wishes").json),
        str(client.get(f"/api/v1/wishes/{wish.id}").json),
    ]
    for text in public:
        assert "李**" in text and "李四" not in text
        assert "赵**" in text and "赵大勇" not in text
    lookup = client.post(
        "/bookings/lookup", data={"number": booking.id, "phone": "13912345678"}
    ).get_data(as_text=True)
    assert "钱**" in lookup and "钱多" not in lookup
    assert "139****5678" in lookup and "13912345678" not in lookup
