"""The roles of the co-building system's second wave and their bindings."""

import pytest
from sqlalchemy.exc import IntegrityError

from marketplace.errors import InvalidInput
from marketplace.extensions import db
from marketplace.models import User
from marketplace.security import hash_password
from marketplace.services.accounts import create_user
from tests.factories import make_township


def test_township_account_needs_a_township(app):
    with pytest.raises(InvalidInput, match="乡镇"):
        create_user("street01", "a-long-passphrase-77", "township")
    township = make_township()
    user = create_user("street01", "a-long-passphrase-77", "township", township=township)
    assert user.township_id == township.id
    assert user.role_label == "乡镇（街道）工作人员"


def test_database_refuses_an_unbound_township_account(app):
    db.session.add(User(username="loose", role="township", password_hash=hash_password("x" * 12)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("role", ["member", "dispatcher"])
def test_new_roles_are_accepted_by_the_database(app, role):
    user = create_user(f"{role}01", "a-long-passphrase-77", role)
    assert db.session.get(User, user.id).role == role
