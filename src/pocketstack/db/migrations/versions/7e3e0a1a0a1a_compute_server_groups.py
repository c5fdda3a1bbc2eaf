"""compute: server groups

Revision ID: 7e3e0a1a0a1a
Revises: defada39b482
Create Date: 2026-11-26 15:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '7e3e0a1a0a1a'
down_revision = 'defada39b482'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('server_groups',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.String(length=32), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_server_groups'))
    )
    with op.batch_alter_table('server_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_groups_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_server_groups_updated_at'), ['updated_at'], unique=False)

    op.create_table('server_group_members',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['server_groups.id'], name=op.f('fk_server_group_members_group_id_server_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['server_id'], ['servers.id'], name=op.f('fk_server_group_members_server_id_servers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'server_id', name=op.f('pk_server_group_members'))
    )
    with op.batch_alter_table('server_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_server_group_members_server_id'), ['server_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('server_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_group_members_server_id'))
    op.drop_table('server_group_members')
    with op.batch_alter_table('server_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_groups_updated_at'))
        batch_op.drop_index(batch_op.f('ix_server_groups_project_id'))
    op.drop_table('server_groups')
