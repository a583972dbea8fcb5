"""search replicas: each index copy follows the change log with its own cursor

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('search_replica',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('needs_rebuild', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_search_replica'))
    )
    if op.get_bind().dialect.name == 'sqlite':
        # AUTOINCREMENT: ids never go back, even once every row has been deleted
        with op.batch_alter_table(
            'search_outbox', recreate='always', table_kwargs={'sqlite_autoincrement': True}
        ) as batch_op:
            pass


def downgrade():
    op.drop_table('search_replica')
