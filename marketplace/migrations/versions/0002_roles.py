"""member, township and dispatcher roles; accounts bound to a township

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('community', 'unit', 'reviewer', 'admin')"
NEW_ROLES = (
    "role IN ('community', 'unit', 'reviewer', 'admin', 'member', 'township', 'dispatcher')"
)


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('township_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_account_township_id'), ['township_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_user_account_township_id_township'), 'township', ['township_id'], ['id']
        )
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_account_role'), NEW_ROLES)
        batch_op.create_check_constraint(
            op.f('ck_user_account_township_role_bound'), "role != 'township' OR township_id IS NOT NULL"
        )


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_user_account_township_role_bound'), type_='check')
        batch_op.drop_constraint(op.f('ck_user_account_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_user_account_role'), OLD_ROLES)
        batch_op.drop_constraint(batch_op.f('fk_user_account_township_id_township'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_account_township_id'))
        batch_op.drop_column('township_id')
