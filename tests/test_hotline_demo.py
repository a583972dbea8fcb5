"""The demo county's wishes and hotline: in every community, in the seed's proportion."""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Community, User
from marketplace.models.hotline import Ticket
from marketplace.models.wishes import Wish
from marketplace.services.hotline import hotline


def test_every_community_has_open_and_fulfilled_wishes(demo_app):
    communities = db.session.scalars(select(Community.id)).all()
    for status in ("open", "confirmed"):
        having = set(
            db.session.scalars(select(Wish.community_id).where(Wish.status == status).distinct())
        )
        assert having == set(communities), status
    assert db.session.scalar(select(func.count()).where(Wish.claimer_kind == "member")) > 0


def test_a_year_of_hotline_tickets_in_the_seeds_proportion(demo_app):
    tickets = db.session.scalars(select(Ticket)).all()
    served = [t for t in tickets if t.served_at is not None]
    assert len(served) == 265
    assert sum(1 for t in tickets if t.status == "closed" and t.resolved) == 124
    open_now = [t for t in tickets if t.status in ("received", "dispatched", "accepted")]
    assert open_now and any(hotline.is_overdue(t) for t in open_now)
    assert not all(hotline.is_overdue(t) for t in open_now)
    assert db.session.scalar(select(User.role).where(User.username == "dispatcher")) == "dispatcher"


def test_the_dispatcher_demo_login_lands_on_the_queue(demo_app, demo_client):
    response = demo_client.post("/login", data={"username": "dispatcher", "password": "demo-pass"})
    assert response.headers["Location"].endswith("/hotline/desk/")
