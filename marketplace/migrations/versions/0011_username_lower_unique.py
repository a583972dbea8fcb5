"""usernames unique whatever their letter case

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-30 15:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # Refused here, with the names, rather than by CREATE INDEX's bare error: two accounts
    # whose names differ only in letter case must be merged or renamed by hand first.
    clash = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT lower(username) FROM user_account GROUP BY lower(username) "
                "HAVING count(*) > 1"
            )
        )
        .scalars()
        .all()
    )
    if clash:
        raise RuntimeError(
            "以下用户名仅大小写不同，请先改名后再升级数据库：" + "、".join(sorted(clash))
        )
    op.create_index(
        "uq_user_account_username_lower",
        "user_account",
        [sa.text("lower(username)")],
        unique=True,
    )


def downgrade():
    op.drop_index("uq_user_account_username_lower", table_name="user_account")
