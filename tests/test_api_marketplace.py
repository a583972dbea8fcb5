"""The marketplace JSON API: needs, offers, claims; tokens act with their user's rights only."""

import pytest
from sqlalchemy import func, select

from marketplace.models import AuditEntry, Claim, Need, Offer
from marketplace.services.accounts import issue_api_token
from marketplace.services.exchange import needs
from tests.factories import make_need, make_offer, make_user, service_type
from tests.helpers.api import Api

HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1--",
    "*:(){}[]^~ AND OR",
]


@pytest.fixture
def roles(client):
    """Tokens for a community's staff, two unit secretaries, and anonymous."""
    staff = make_user("community")
    return {
        "community": Api(client, staff),
        "unit01": Api(client, make_user("unit")),
        "unit02": Api(client, make_user("unit")),
        "anonymous": Api(client),
    }


def _need_body(**overrides):
    body = {
        "type_id": service_type().id,
        "title": "楼道清洁志愿者",
        "description": "周末清理楼道杂物",
        "quantity": 20,
        "measure_unit": "people",
        "urgency": 3,
    }
    body.update(overrides)
    return body


def _count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_whole_workflow_through_the_api(db, roles):
    community, unit01, unit02 = roles["community"], roles["unit01"], roles["unit02"]
    created = community.post("/needs", _need_body())
    assert created.status_code == 201, created.json
    need = created.json
    assert (need["status"], need["remaining"], need["url"]) == (
        "published",
        20,
        f"/needs/{need['id']}",
    )
    claim = unit01.post(f"/needs/{need['id']}/claims", {"quantity": 15, "note": "十五人"})
    assert claim.status_code == 201
    assert claim.json["status"] == "proposed" and claim.json["unit"] == unit01.user.unit.name
    refused = unit02.post(f"/needs/{need['id']}/claims", {"quantity": 6})
    assert refused.status_code == 409 and "剩余数量不足" in refused.json["error"]
    shown = roles["anonymous"].get(f"/needs/{need['id']}").json
    assert (shown["quantity"], shown["claimed"], shown["remaining"]) == (20, 15, 5)
    assert shown["status"] == "partly_claimed" and shown["claims"] == []
    claim_id = claim.json["id"]
    assert community.post(f"/claims/{claim_id}/accept").json["status"] == "accepted"
    progress = unit01.post(f"/claims/{claim_id}/progress", {"note": "已开展", "percent": 50})
    assert progress.status_code == 201 and progress.json["percent"] == 50
    assert community.post(f"/claims/{claim_id}/done").json["status"] == "done"
    rating = community.post(f"/claims/{claim_id}/rating", {"stars": 5, "comment": "很好"})
    assert rating.status_code == 201 and rating.json["stars"] == 5
    final = community.get(f"/needs/{need['id']}").json
    # Rated, but 5 of 20 were never claimed: the need stays open for them.
    assert (final["status"], final["remaining"]) == ("partly_claimed", 5)
    assert final["claims"][0]["evaluation"]["stars"] == 5
    assert [r["percent"] for r in final["claims"][0]["reports"]] == [50]
    projects = unit01.get("/claims").json
    assert [c["id"] for c in projects["results"]] == [claim_id]


def test_missing_or_bad_token_is_401(db, roles):
    anonymous = roles["anonymous"]
    assert anonymous.post("/needs", _need_body()).status_code == 401
    assert anonymous.post("/claims/1/accept").status_code == 401
    assert anonymous.get("/claims").status_code == 401
    bad = roles["anonymous"].client.get(
        "/api/v1/needs", headers={"Authorization": "Bearer not-a-token"}
    )
    assert bad.status_code == 401 and "error" in bad.json
    assert anonymous.get("/needs").status_code == 200  # public lists need no token


def test_a_token_acts_with_exactly_its_users_rights(db, roles):
    community, unit01, unit02 = roles["community"], roles["unit01"], roles["unit02"]
    offer = make_offer(unit=unit02.user.unit, title="原名称")
    assert unit01.patch(f"/offers/{offer.id}", {"title": "被改"}).status_code == 403
    assert unit01.post(f"/offers/{offer.id}/withdraw").status_code == 403
    db.session.refresh(offer)
    assert (offer.title, offer.status) == ("原名称", "published")

    need = make_need(community=community.user.community)
    claim = unit01.post(f"/needs/{need.id}/claims", {"quantity": 1}).json
    assert unit01.post(f"/claims/{claim['id']}/accept").status_code == 403
    assert unit02.post(f"/claims/{claim['id']}/withdraw").status_code == 403
    assert unit02.get(f"/claims/{claim['id']}").status_code == 403
    assert community.post(f"/needs/{need.id}/claims", {"quantity": 1}).status_code == 403
    assert community.post("/offers", {"kind": "service"}).status_code == 403
    assert unit01.post("/needs", _need_body()).status_code == 403
    other = Api(community.client, make_user("community"))
    assert other.post(f"/claims/{claim['id']}/accept").status_code == 403
    assert other.post(f"/needs/{need.id}/withdraw").status_code == 403
    db.session.expire_all()
    assert db.session.get(Claim, claim["id"]).status == "proposed"
    assert db.session.get(Need, need.id).status == "partly_claimed"
    refusals = db.session.scalar(select(func.count()).where(AuditEntry.action == "access.refused"))
    assert refusals >= 8


def test_records_others_may_not_see_are_404(db, roles):
    draft = make_need(status="draft")
    assert roles["anonymous"].get(f"/needs/{draft.id}").status_code == 404
    assert roles["community"].get(f"/needs/{draft.id}").status_code == 404
    assert roles["community"].post(f"/needs/{draft.id}/withdraw").status_code == 403
    hidden = make_offer(status="draft")
    assert roles["unit01"].get(f"/offers/{hidden.id}").status_code == 404
    assert roles["community"].post("/claims/424242/accept").status_code == 404
    assert roles["unit01"].post("/needs/424242/claims", {"quantity": 1}).status_code == 404


def test_bad_need_input_is_400_with_the_field_and_nothing_written(db, roles):
    cases = [
        ({"title": ""}, "title"),
        ({"quantity": "二十"}, "quantity"),
        ({"quantity": 0}, "quantity"),
        ({"urgency": 9}, "urgency"),
        ({"type_id": None}, "type_id"),
        ({"ends_on": "tomorrow"}, "ends_on"),
        ({"title": ["a list"]}, "title"),
    ]
    for override, field in cases:
        response = roles["community"].post("/needs", _need_body(**override))
        assert response.status_code == 400
        assert response.json["field"] == field and response.json["error"]
    assert _count(db, Need) == 0


def test_bad_bodies_and_queries_are_400_not_500(db, roles):
    need = make_need()
    unit = roles["unit01"]
    not_json = unit.client.post(
        f"/api/v1/needs/{need.id}/claims", data="quantity=1", headers=unit.headers
    )
    assert not_json.status_code == 400
    assert unit.post(f"/needs/{need.id}/claims", {"quantity": -3}).json["field"] == "quantity"
    assert roles["anonymous"].get("/needs", page="x").status_code == 400
    assert roles["anonymous"].get("/needs", status="draft").status_code == 400
    assert roles["anonymous"].get("/offers", min_capacity="0").status_code == 400
    # Numbers beyond the database's integer range are refused or not found, never a 500.
    huge = 10**20
    assert roles["anonymous"].get(f"/needs/{huge}").status_code == 404
    assert roles["anonymous"].get("/needs", community_id=huge).status_code in (200, 400)
    assert roles["anonymous"].get("/needs", page=huge).status_code in (200, 400)
    assert unit.post(f"/needs/{need.id}/claims", {"quantity": huge}).status_code == 400
    assert unit.post(f"/claims/{huge}/withdraw").status_code == 404
    assert roles["anonymous"].get(f"/offers/{huge}").status_code == 404
    assert unit.post(f"/offers/{huge}/withdraw").status_code == 404
    assert roles["anonymous"].get("/offers", unit_id=-1).status_code == 400
    answer = roles["community"].post("/needs", _need_body(type_id=huge))
    assert (answer.status_code, answer.json["field"]) == (400, "type_id")
    assert _count(db, Claim) == 0


def test_extra_fields_are_ignored(db, roles):
    community = roles["community"]
    other_need = make_need()
    body = _need_body(
        status="completed", claimed=19, community_id=other_need.community_id, owner_id=1, id=7
    )
    created = community.post("/needs", body).json
    assert (created["status"], created["claimed"]) == ("published", 0)
    assert created["community_id"] == community.user.community_id
    claim = (
        roles["unit01"]
        .post(
            f"/needs/{created['id']}/claims",
            {"quantity": 2, "status": "done", "unit_id": roles["unit02"].user.unit_id},
        )
        .json
    )
    assert (claim["status"], claim["unit_id"]) == ("proposed", roles["unit01"].user.unit_id)
    offer = (
        roles["unit01"]
        .post(
            "/offers",
            {
                "kind": "service",
                "title": "义诊",
                "type_id": service_type("free_clinic").id,
                "monthly_quantity": 2,
                "unit_id": roles["unit02"].user.unit_id,
                "status": "withdrawn",
            },
        )
        .json
    )
    assert (offer["unit_id"], offer["status"]) == (roles["unit01"].user.unit_id, "published")


def test_workflows_run_in_order(db, roles):
    community, unit01 = roles["community"], roles["unit01"]
    need = make_need(community=community.user.community, quantity=3)
    claim_id = unit01.post(f"/needs/{need.id}/claims", {"quantity": 3}).json["id"]
    assert community.post(f"/claims/{claim_id}/done").status_code == 409
    assert community.post(f"/claims/{claim_id}/rating", {"stars": 4}).status_code == 409
    assert unit01.post(f"/claims/{claim_id}/progress", {"note": "x"}).status_code == 409
    assert community.post(f"/claims/{claim_id}/accept").status_code == 200
    assert community.post(f"/claims/{claim_id}/accept").status_code == 409
    assert community.post(f"/claims/{claim_id}/done").status_code == 200
    assert unit01.post(f"/claims/{claim_id}/withdraw").status_code == 409
    assert community.post(f"/claims/{claim_id}/rating", {"stars": 4}).status_code == 201
    again = community.post(f"/claims/{claim_id}/rating", {"stars": 5})
    assert again.status_code == 409 and "已经评价" in again.json["error"]
    assert community.post(f"/needs/{need.id}/withdraw").status_code == 409


def test_hostile_text_is_stored_and_returned_verbatim(db, roles):
    community, unit01 = roles["community"], roles["unit01"]
    for text in HOSTILE:
        created = community.post("/needs", _need_body(title=text, description=text))
        assert created.status_code == 201
        need_id = created.json["id"]
        shown = roles["anonymous"].get(f"/needs/{need_id}").json
        assert (shown["title"], shown["description"]) == (text, text)
        assert roles["anonymous"].get("/needs", q=text).status_code == 200
        claim = unit01.post(f"/needs/{need_id}/claims", {"quantity": 1, "note": text}).json
        assert claim["note"] == text
        declined = community.post(f"/claims/{claim['id']}/decline", {"reason": text})
        assert declined.status_code == 200
        offer = unit01.post(
            "/offers",
            {"kind": "facility", "title": text, "facility_kind": "parking", "capacity": 5},
        )
        assert offer.status_code == 201 and offer.json["title"] == text
        assert roles["anonymous"].get("/offers", q=text).status_code == 200


def test_offers_list_filters_and_create(db, roles):
    unit01 = roles["unit01"]
    created = unit01.post(
        "/offers",
        {
            "kind": "facility",
            "title": "篮球场",
            "facility_kind": "sports_ground",
            "capacity": 200,
            "open_weekdays": [5, 6],
            "open_from": "06:00",
            "open_until": "21:00",
            "is_free": True,
        },
    )
    assert created.status_code == 201
    assert created.json["open_weekdays"] == [5, 6] and created.json["open_from"] == "06:00"
    make_offer(kind="facility", capacity=10)
    make_offer(kind="service")
    listed = roles["anonymous"].get("/offers", kind="facility", min_capacity=100).json
    assert [o["id"] for o in listed["results"]] == [created.json["id"]]
    assert roles["anonymous"].get("/offers").json["total"] == 3
    shown = roles["anonymous"].get(f"/offers/{created.json['id']}").json
    assert shown["facility_label"] == "运动场" and shown["is_free"] is True
    assert unit01.post(f"/offers/{created.json['id']}/withdraw").json["status"] == "withdrawn"
    assert roles["anonymous"].get(f"/offers/{created.json['id']}").status_code == 404
    assert _count(db, Offer) == 3


def test_api_and_service_lists_agree(db, roles):
    for urgency in (1, 2, 3):
        make_need(urgency=urgency)
    make_need(status="draft")
    unit01 = roles["unit01"]
    api_ids = [n["id"] for n in unit01.get("/needs", per_page=50).json["results"]]
    service_ids = [n.id for n in needs.needs_page(unit01.user, per_page=50).items]
    assert api_ids == service_ids and len(api_ids) == 3
    paged = unit01.get("/needs", per_page=2, page=2).json
    assert (paged["total"], paged["pages"], len(paged["results"])) == (3, 2, 1)


# Who may call each write route of the marketplace API; reads of needs and offers
# are public. A route missing here fails the matrix test, so new routes get a row.
API_ROLES = {
    "api.create_need": {"community"},
    "api.update_need": {"community"},
    "api.publish_need": {"community"},
    "api.withdraw_need": {"community"},
    "api.invite_unit": {"community"},
    "api.accept_claim": {"community"},
    "api.decline_claim": {"community"},
    "api.complete_claim": {"community"},
    "api.rate_claim": {"community", "unit"},
    "api.create_offer": {"unit"},
    "api.update_offer": {"unit"},
    "api.publish_offer": {"unit"},
    "api.withdraw_offer": {"unit"},
    "api.claim_need": {"unit"},
    "api.withdraw_claim": {"unit"},
    "api.report_progress": {"community", "unit"},
    "api.list_claims": {"community", "unit"},
    "api.show_claim": {"community", "unit"},
    "api.list_needs": None,
    "api.show_need": None,
    "api.list_offers": None,
    "api.show_offer": None,
}
MARKETPLACE_API = ("marketplace.api.needs", "marketplace.api.offers", "marketplace.api.claims")


def test_role_by_route_matrix_from_the_url_map(app, client):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if app.view_functions[rule.endpoint].__module__ in MARKETPLACE_API
    ]
    assert {rule.endpoint for rule in rules} == set(API_ROLES)
    tokens = {role: Api(client, make_user(role)) for role in ("community", "unit", "reviewer")}
    tokens["admin"] = Api(client, make_user("admin"))
    anonymous = Api(client)
    for rule in rules:
        allowed = API_ROLES[rule.endpoint]
        url = rule.rule.replace("/api/v1", "")
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", "424242")
        method = next(m for m in rule.methods if m in ("GET", "POST", "PATCH"))
        if allowed is None:
            assert anonymous.get(url).status_code in (200, 404), url
            continue
        send = {"GET": "get", "POST": "post", "PATCH": "patch"}[method]
        answer = getattr(anonymous, send)(url, *([{}] if send == "patch" else []))
        assert answer.status_code == 401, (url, answer.status_code)
        for role, api in tokens.items():
            answer = getattr(api, send)(url, *([{}] if send == "patch" else []))
            expected = {200, 400, 404} if role in allowed else {403}
            assert answer.status_code in expected, (role, method, url, answer.status_code)
            assert answer.status_code == 200 or "error" in answer.json


def test_api_lists_cost_the_same_queries_for_5_or_100_rows(demo_app, demo_client):
    from sqlalchemy import event

    from marketplace.extensions import db
    from marketplace.models import User

    def user(name):
        return db.session.scalar(select(User).where(User.username == name))

    headers = {
        "community01": {"Authorization": f"Bearer {issue_api_token(user('community01'))}"},
        "unit01": {"Authorization": f"Bearer {issue_api_token(user('unit01'))}"},
    }
    statements = []

    def count(*_args):
        statements.append(1)

    def cost(url, who, per_page):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = demo_client.get(
                f"/api/v1{url}", query_string={"per_page": per_page}, headers=headers[who]
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        return len(statements), len(response.json["results"])

    for who in headers:  # a token's first use records last_used_at: a one-off write
        assert demo_client.get("/api/v1/claims", headers=headers[who]).status_code == 200
    for url, who in (("/needs", "unit01"), ("/offers", "unit01"), ("/claims", "community01")):
        few, few_rows = cost(url, who, 1)
        many, many_rows = cost(url, who, 100)
        assert many_rows > few_rows, url
        assert many == few, (url, few, many)  # no query per row (N+1)


def test_post_as_draft_then_publish(db, roles):
    community = roles["community"]
    draft = community.post("/needs", _need_body(publish=False)).json
    assert draft["status"] == "draft"
    assert roles["anonymous"].get(f"/needs/{draft['id']}").status_code == 404
    edited = community.patch(f"/needs/{draft['id']}", {"quantity": 8, "claimed": 8})
    assert (edited.json["quantity"], edited.json["claimed"]) == (8, 0)
    assert community.post(f"/needs/{draft['id']}/publish").json["status"] == "published"
    assert community.post(f"/needs/{draft['id']}/publish").status_code == 409
    refused = community.post("/needs", _need_body(publish="maybe"))
    assert (refused.status_code, refused.json["field"]) == (400, "publish")
    assert _count(db, Need) == 1
