"""The Alembic migrations build the whole schema, and the database enforces its rules."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from marketplace import clock
from marketplace.extensions import db as _db
from marketplace.models import Claim, Evaluation, User
from tests.factories import make_community, make_need, make_offer, make_unit, make_user

EXPECTED_TABLES = {
    "county",
    "township",
    "community",
    "unit",
    "category",
    "service_type",
    "need",
    "offer",
    "claim",
    "progress_report",
    "evaluation",
    "pairing_plan",
    "plan_pair",
    "plan_adjustment",
    "booking",
    "booking_slot",
    "user_account",
    "api_token",
    "throttle_counter",
    "notification",
    "audit_entry",
    "search_outbox",
    "alembic_version",
}


def test_migrations_create_every_table_at_head(app, db):
    tables = set(inspect(db.engine).get_table_names())
    assert tables >= EXPECTED_TABLES
    head = db.session.scalar(text("SELECT version_num FROM alembic_version"))
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate  # noqa: F401

    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert head == script.get_current_head()


def test_db_upgrade_command_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def _refused(factory, **values):
    with pytest.raises(IntegrityError):
        factory(**values)
    _db.session.rollback()


@pytest.mark.parametrize(
    "values",
    [
        {"quantity": 0},
        {"quantity": -3},
        {"quantity": 5, "claimed": 6},
        {"claimed": -1},
        {"urgency": 4},
        {"status": "bogus"},
        {"measure_unit": "furlongs"},
        {"starts_on": clock.today(), "ends_on": clock.today() - timedelta(days=1)},
    ],
)
def test_need_constraints_refuse_bad_rows(app, values):
    _refused(make_need, **values)


@pytest.mark.parametrize(
    "values",
    [
        {"kind": "facility", "facility_kind": None},
        {"kind": "service", "facility_kind": "parking"},
        {"kind": "facility", "facility_kind": "parking", "capacity": 0},
        {"status": "gone"},
        {"open_weekdays": 200},
    ],
)
def test_offer_constraints_refuse_bad_rows(app, values):
    _refused(make_offer, **values)


def test_user_role_must_be_bound(app):
    _refused(make_user, role="community", community=None)
    _refused(make_user, role="unit", unit=None)
    _refused(make_user, role="wizard")


def test_usernames_are_unique(app):
    make_user("reviewer", username="same-name")
    _refused(make_user, role="reviewer", username="same-name")


def test_usernames_are_unique_whatever_their_letter_case(app):
    """The services log UNIT01 in as unit01; the database keeps a second spelling out too."""
    make_user("reviewer", username="case-name")
    _refused(make_user, role="reviewer", username="Case-Name")


def test_one_open_claim_per_unit_and_need(app, db):
    need = make_need()
    unit = make_unit()
    db.session.add(Claim(need=need, unit=unit, quantity=1, status="proposed"))
    db.session.commit()
    db.session.add(Claim(need=need, unit=unit, quantity=1, status="proposed"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # a withdrawn claim no longer blocks a new one
    db.session.add(Claim(need=need, unit=unit, quantity=1, status="withdrawn"))
    db.session.commit()


def test_evaluation_stars_range_and_one_per_claim(app, db):
    claim = Claim(need=make_need(), unit=make_unit(), quantity=1, status="done")
    db.session.add(claim)
    db.session.commit()
    db.session.add(Evaluation(claim=claim, stars=6))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Evaluation(claim_id=claim.id, stars=5))
    db.session.commit()
    db.session.add(Evaluation(claim_id=claim.id, stars=4))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_foreign_keys_are_enforced(app, db):
    with pytest.raises(IntegrityError):
        _insert_orphan_need(db)
    db.session.rollback()


def _insert_orphan_need(db):
    db.session.execute(
        text(
            "INSERT INTO need (community_id, type_id, title, description, quantity, claimed,"
            " measure_unit, urgency, status, created_at, updated_at)"
            " VALUES (99999, 99999, 't', '', 1, 0, 'people', 1, 'draft',"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
    )
    db.session.commit()


def test_community_factory_round_trip(app, db):
    community = make_community(name="桂花社区")
    assert db.session.scalar(select(User).where(User.community_id == community.id)) is None
    assert community.township.county.name


# SQLite cannot reflect the expression index on lower(username); PostgreSQL compares it.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_match_the_models(app, db):
    """A model change without its migration shows up here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def _signature(sql: str) -> tuple:
    """Return what a CHECK expression allows, in a form both databases keep.

    PostgreSQL rewrites ``status IN ('a', 'b')`` as ``status = ANY (ARRAY['a', 'b'])``
    with casts, so texts differ; the literals and numbers a check names do not.
    """
    quoted = re.findall(r"'([^']*)'", sql)
    numbers = re.findall(r"(?<![\w'])\d+(?![\w'])", re.sub(r"'[^']*'", "", sql))
    numbers += [value.lstrip("-") for value in quoted if re.fullmatch(r"-?\d+", value)]
    literals = [value for value in quoted if not re.fullmatch(r"-?\d+", value)]
    return sorted(literals), sorted(numbers)


def _model_checks(table) -> dict[str, tuple]:
    from sqlalchemy import CheckConstraint

    found = {}
    for constraint in table.constraints:
        if isinstance(constraint, CheckConstraint) and constraint.name:
            name = str(constraint.name)
            if not name.startswith("ck_"):
                name = f"ck_{table.name}_{name}"
            found[name] = _signature(str(constraint.sqltext))
    return found


def test_migrations_create_the_models_check_constraints(app, db):
    """Alembic's comparison ignores CHECK constraints: compare them here, on both databases.

    (Regression: a new status added to a model without its migration passed every
    test and failed in the database.)
    """
    inspector = inspect(db.engine)
    compared = 0
    for table in db.metadata.sorted_tables:
        in_database = {
            check["name"]: _signature(check["sqltext"])
            for check in inspector.get_check_constraints(table.name)
            if check.get("name")
        }
        assert in_database == _model_checks(table), table.name
        compared += len(in_database)
    assert compared >= 20
