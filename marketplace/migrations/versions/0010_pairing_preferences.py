"""communities' pairing preferences, the preference score part, a cap on changed pairs

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-30 12:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pairing_preference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('keep', 'gain')", name=op.f('ck_pairing_preference_kind')),
    sa.ForeignKeyConstraint(['community_id'], ['community.id'], name=op.f('fk_pairing_preference_community_id_community')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_pairing_preference_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_pairing_preference_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_preference')),
    sa.UniqueConstraint('community_id', 'unit_id', name='uq_pairing_preference_community_unit')
    )
    with op.batch_alter_table('pairing_preference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_preference_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairing_preference_unit_id'), ['unit_id'], unique=False)
    with op.batch_alter_table('pairing_plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_changes', sa.Integer(), nullable=True))
    with op.batch_alter_table('plan_pair', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preference', sa.Double(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('plan_pair', schema=None) as batch_op:
        batch_op.drop_column('preference')
    with op.batch_alter_table('pairing_plan', schema=None) as batch_op:
        batch_op.drop_column('max_changes')
    with op.batch_alter_table('pairing_preference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_preference_unit_id'))
        batch_op.drop_index(batch_op.f('ix_pairing_preference_community_id'))
    op.drop_table('pairing_preference')
