"""two-way ratings: the unit rates the community's support per project; communities grade units yearly

Revision ID: 0012_meet
Revises: 0011
Create Date: 2026-12-07 23:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_meet"
down_revision = "0012_members"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "support_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_support_rating_stars_range")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_support_rating_author_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claim.id"], name=op.f("fk_support_rating_claim_id_claim")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_rating")),
        sa.UniqueConstraint("claim_id", name=op.f("uq_support_rating_claim_id")),
    )
    op.create_table(
        "unit_grade",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name=op.f("ck_unit_grade_stars_range")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["user_account.id"], name=op.f("fk_unit_grade_author_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["community.id"], name=op.f("fk_unit_grade_community_id_community")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_grade_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_grade")),
        sa.UniqueConstraint("year", "community_id", "unit_id", name="uq_unit_grade_once"),
    )
    with op.batch_alter_table("unit_grade", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_grade_community_id"), ["community_id"])
        batch_op.create_index(batch_op.f("ix_unit_grade_unit_id"), ["unit_id"])
        batch_op.create_index(batch_op.f("ix_unit_grade_year"), ["year"])


def downgrade():
    op.drop_table("unit_grade")
    op.drop_table("support_rating")
