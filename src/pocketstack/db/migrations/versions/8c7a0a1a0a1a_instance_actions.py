"""compute: instance actions

Revision ID: 8c7a0a1a0a1a
Revises: 9a11e0a1a0a1
Create Date: 2026-11-27 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '8c7a0a1a0a1a'
down_revision = '9a11e0a1a0a1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('instance_actions',
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('event', sa.String(length=64), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_actions'))
    )
    with op.batch_alter_table('instance_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instance_actions_server_id'), ['server_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_actions_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('instance_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_actions_updated_at'))
        batch_op.drop_index(batch_op.f('ix_instance_actions_server_id'))
    op.drop_table('instance_actions')
