"""a pairing plan's change cap as a share and the reason for lifting it; need invitations

Revision ID: 0012_oversight
Revises: 0011
Create Date: 2026-12-07 23:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_oversight"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "need_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["user_account.id"],
            name=op.f("fk_need_invitation_invited_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["need.id"], name=op.f("fk_need_invitation_need_id_need")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_need_invitation_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_invitation")),
        sa.UniqueConstraint("need_id", "unit_id", name="uq_need_invitation_need_unit"),
    )
    with op.batch_alter_table("need_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_invitation_need_id"), ["need_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_invitation_unit_id"), ["unit_id"], unique=False)
    with op.batch_alter_table("pairing_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_change_share", sa.Double(), nullable=True))
        batch_op.add_column(
            sa.Column("change_reason", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(
            op.f("ck_pairing_plan_max_change_share_range"),
            "max_change_share IS NULL OR (max_change_share >= 0 AND max_change_share <= 1)",
        )


def downgrade():
    op.drop_table("need_invitation")
    with op.batch_alter_table("pairing_plan", schema=None) as batch_op:
        batch_op.drop_constraint("ck_pairing_plan_max_change_share_range", type_="check")
        batch_op.drop_column("change_reason")
        batch_op.drop_column("max_change_share")
