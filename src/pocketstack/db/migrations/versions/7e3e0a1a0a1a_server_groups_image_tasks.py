"""compute: server groups; image: import tasks

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

    op.create_table('image_tasks',
    sa.Column('image_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('uri', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=255), nullable=True),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.String(length=64), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['image_id'], ['images.id'], name=op.f('fk_image_tasks_image_id_images'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_image_tasks'))
    )
    with op.batch_alter_table('image_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_image_tasks_image_id'), ['image_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_image_tasks_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_image_tasks_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('image_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_image_tasks_updated_at'))
        batch_op.drop_index(batch_op.f('ix_image_tasks_status'))
        batch_op.drop_index(batch_op.f('ix_image_tasks_image_id'))
    op.drop_table('image_tasks')
    with op.batch_alter_table('server_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_group_members_server_id'))
    op.drop_table('server_group_members')
    with op.batch_alter_table('server_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_server_groups_updated_at'))
        batch_op.drop_index(batch_op.f('ix_server_groups_project_id'))
    op.drop_table('server_groups')
