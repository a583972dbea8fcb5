"""QR check-ins can be checked out: the moment of the member's second scan

Revision ID: 0012_members
Revises: 0011
Create Date: 2026-12-07 23:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012_members"
down_revision = "0012_oversight"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service_record") as batch:
        batch.add_column(sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("service_record") as batch:
        batch.drop_column("checked_out_at")
