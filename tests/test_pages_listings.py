"""Public listing pages, hostile text shown verbatim on every page, bounded queries (no N+1)."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Claim, Need, Offer
from marketplace.services import notifications
from tests.factories import make_community, make_need, make_offer, make_unit
from tests.pages_helpers import (
    HOSTILE,
    assert_escaped,
    counted_statements,
    need_form,
    signed_in,
)


def test_public_pages_of_a_need_offer_unit_and_community(client):
    community = make_community(name="城南社区")
    need = make_need(community=community, title="春节联欢场地")
    draft = make_need(community=community, status="draft", title="草稿需求")
    unit = make_unit(name="县人民医院")
    offer = make_offer(unit=unit, kind="facility", title="医院会议室")
    hidden = make_offer(unit=unit, status="draft", title="未发布的资源")

    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "春节联欢场地" in page and "城南社区" in page and "认领此需求" not in page
    assert client.get(f"/needs/{draft.id}").status_code == 404
    assert "医院会议室" in client.get(f"/offers/{offer.id}").get_data(as_text=True)
    assert client.get(f"/offers/{hidden.id}").status_code == 404
    unit_page = client.get(f"/units/{unit.id}").get_data(as_text=True)
    assert (
        "县人民医院" in unit_page and "医院会议室" in unit_page and "未发布的资源" not in unit_page
    )
    community_page = client.get(f"/communities/{community.id}").get_data(as_text=True)
    assert "春节联欢场地" in community_page and "草稿需求" not in community_page
    assert client.get("/units/999999").status_code == 404
    assert client.get("/communities/999999").status_code == 404


def test_drafts_are_seen_only_by_their_own_community(app, client, login_as):
    staff = login_as("community")
    draft = make_need(community_id=staff.community_id, status="draft", title="本社区草稿")
    assert "本社区草稿" in client.get(f"/needs/{draft.id}").get_data(as_text=True)
    _other, other_client = signed_in(app, "community")
    assert other_client.get(f"/needs/{draft.id}").status_code == 404
    _unit, unit_client = signed_in(app, "unit")
    assert unit_client.get(f"/needs/{draft.id}").status_code == 404


def test_hostile_text_is_escaped_on_every_page(app, client, login_as):
    staff = login_as("community")
    response = client.post(
        "/community/needs/new",
        data=need_form(title=HOSTILE[:100], description=HOSTILE, publish="1"),
    )
    need_id = int(response.headers["Location"].rsplit("/", 1)[1])
    unit_user, unit_client = signed_in(app, "unit")
    make_offer(unit_id=unit_user.unit_id, title=HOSTILE[:100], description=HOSTILE)
    unit_client.post(f"/unit/needs/{need_id}/claim", data={"quantity": "2", "note": HOSTILE})
    claim_id = db.session.scalar(select(Claim.id).where(Claim.need_id == need_id))
    db.session.commit()
    client.post(f"/community/claims/{claim_id}/accept")
    unit_client.post(f"/unit/claims/{claim_id}/progress", data={"percent": "50", "note": HOSTILE})
    client.post(f"/community/claims/{claim_id}/done")
    client.post(f"/community/claims/{claim_id}/rate", data={"stars": "5", "comment": HOSTILE})
    offer_id = db.session.scalar(select(Offer.id).where(Offer.unit_id == unit_user.unit_id))
    db.session.commit()

    pages = {
        client: [
            f"/needs/{need_id}",
            "/community/",
            "/community/needs",
            "/community/projects",
            f"/community/claims/{claim_id}/progress",
            "/notifications/",
            f"/communities/{staff.community_id}",
            f"/community/needs/{need_id}/edit",
        ],
        unit_client: [
            f"/needs/{need_id}",
            "/unit/",
            "/unit/needs?status=",
            "/unit/offers",
            "/unit/projects",
            "/unit/ratings",
            f"/unit/claims/{claim_id}/progress",
            "/notifications/",
            f"/units/{unit_user.unit_id}",
            f"/offers/{offer_id}",
            f"/unit/offers/{offer_id}/edit",
        ],
    }
    for who, paths in pages.items():
        for path in paths:
            response = who.get(path)
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            assert "&lt;script&gt;" in html, path
            assert_escaped(html)


def test_hostile_text_in_a_refused_form_is_escaped_when_shown_again(client, login_as):
    login_as("community")
    response = client.post("/community/needs/new", data=need_form(title=HOSTILE, quantity="x"))
    assert response.status_code == 400
    assert_escaped(response.get_data(as_text=True))
    assert db.session.scalar(select(Need.id)) is None


LIST_PAGES = {
    "community01": ["/community/needs", "/community/projects", "/notifications/", "/communities/1"],
    "unit01": ["/unit/needs", "/unit/offers", "/unit/projects", "/units/1", "/unit/ratings"],
}


@pytest.mark.parametrize("username", sorted(LIST_PAGES))
def test_list_pages_run_a_bounded_number_of_queries(demo_client, demo_auth, username):
    assert demo_auth.login(username).status_code == 302
    for path in LIST_PAGES[username]:
        separator = "&" if "?" in path else "?"
        counts = {}
        for size in (2, 60):
            with counted_statements() as statements:
                response = demo_client.get(f"{path}{separator}per_page={size}")
            assert response.status_code == 200, path
            counts[size] = statements[0]
        assert counts[2] == counts[60], (path, counts)
        assert counts[60] <= 12, (path, counts)


def test_the_demo_list_pages_are_not_empty(demo_client, demo_auth):
    """The query-count test above means something only if the lists hold many rows."""
    demo_auth.login("unit01")
    assert demo_client.get("/unit/needs?per_page=60").get_data(as_text=True).count('"/needs/') > 20
    offers_page = demo_client.get("/unit/offers?per_page=60").get_data(as_text=True)
    assert offers_page.count('href="/offers/') >= 3


def test_opening_a_notification_marks_it_read_and_follows_it(app, client, login_as):
    user = login_as("unit")
    notifications.notify([user], "claim_accepted", "社区已接受您的认领", "/needs/1")
    notifications.notify([user], "claim_progress", "有新进展", "https://evil.example/")
    db.session.commit()
    onsite, offsite = notifications.notifications_page(user).items[::-1]
    db.session.commit()
    response = client.post(f"/notifications/{onsite.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/needs/1"
    response = client.post(f"/notifications/{offsite.id}/open")
    assert response.headers["Location"] == "/notifications/"  # never off the site
    assert notifications.unread_count(user) == 0
    _stranger, stranger_client = signed_in(app, "unit")
    notifications.notify([user], "claim_progress", "再有进展", "/needs/1")
    db.session.commit()
    latest = notifications.notifications_page(user).items[0]
    db.session.commit()
    assert stranger_client.post(f"/notifications/{latest.id}/open").status_code == 404
    assert notifications.unread_count(user) == 1


def test_notification_count_and_mark_read(app, client, login_as):
    user = login_as("unit")
    other = make_unit()
    notifications.notify([user], "claim_accepted", "社区已接受您的认领", "/needs/1")
    notifications.notify([user], "claim_progress", "有新进展", "https://evil.example/")
    db.session.commit()
    html = client.get("/notifications/").get_data(as_text=True)
    assert '<span class="badge text-bg-warning">2</span>' in html
    first = notifications.notifications_page(user).items[-1]
    offsite = notifications.notifications_page(user).items[0]
    # a notice opens through a POST that marks it read; only on-site targets are offered
    assert f'action="/notifications/{first.id}/open"' in html
    assert f'action="/notifications/{offsite.id}/open"' not in html
    assert "evil.example" not in html
    db.session.commit()
    # An on-site link opens through the app (marking it read); off-site ones are not links.
    assert f'action="/notifications/{first.id}/open"' in html and "社区已接受您的认领" in html
    assert "https://evil.example/" not in html
    assert client.post(f"/notifications/{first.id}/read").status_code == 302
    assert notifications.unread_count(user) == 1
    db.session.commit()
    _stranger, stranger_client = signed_in(app, "unit", unit_id=other.id)
    notes = notifications.notifications_page(user).items
    db.session.commit()
    for note in notes:
        stranger_client.post(f"/notifications/{note.id}/read")
    assert notifications.unread_count(user) == 1
    db.session.commit()
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "已将 1 条通知标为已读" in response.get_data(as_text=True)
    assert notifications.unread_count(user) == 0


def test_notifications_need_a_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_pages_and_api_agree_on_a_need_and_its_claims(app, client, login_as):
    from marketplace.services.accounts import issue_api_token

    login_as("community")
    response = client.post("/community/needs/new", data=need_form(quantity="6", publish="1"))
    need_id = int(response.headers["Location"].rsplit("/", 1)[1])
    unit_user, unit_client = signed_in(app, "unit")
    token = issue_api_token(unit_user)
    headers = {"Authorization": f"Bearer {token}"}
    answer = unit_client.post(
        f"/api/v1/needs/{need_id}/claims", json={"quantity": 4}, headers=headers
    )
    assert answer.status_code == 201
    claim_id = answer.get_json()["id"]
    assert unit_client.post(f"/unit/needs/{need_id}/claim", data={"quantity": "1"}).status_code == (
        302  # the page refuses the double claim with a flash, like the API's 409
    )
    api_need = unit_client.get(f"/api/v1/needs/{need_id}", headers=headers).get_json()
    assert (api_need["quantity"], api_need["claimed"], api_need["remaining"]) == (6, 4, 2)
    assert api_need["status"] == "partly_claimed"
    page = client.get(f"/needs/{need_id}").get_data(as_text=True)
    assert "4（剩余 2）" in page and "部分认领" in page
    assert client.post(f"/community/claims/{claim_id}/accept").status_code == 302
    api_claim = unit_client.get(f"/api/v1/claims/{claim_id}", headers=headers).get_json()
    assert api_claim["status"] == "accepted"
