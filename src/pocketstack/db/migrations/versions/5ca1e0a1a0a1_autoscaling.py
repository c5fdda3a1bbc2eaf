"""autoscaling

Revision ID: 5ca1e0a1a0a1
Revises: defada39b482
Create Date: 2026-11-26 14:11:59.851303
"""

import sqlalchemy as sa
from alembic import op

revision = '5ca1e0a1a0a1'
down_revision = 'defada39b482'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scaling_groups',
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('min_size', sa.Integer(), nullable=False),
    sa.Column('max_size', sa.Integer(), nullable=False),
    sa.Column('desired_size', sa.Integer(), nullable=False),
    sa.Column('server_template', sa.JSON(), nullable=False),
    sa.Column('metric', sa.JSON(), nullable=True),
    sa.Column('scale_out_cooldown', sa.Float(), nullable=False),
    sa.Column('scale_in_cooldown', sa.Float(), nullable=False),
    sa.Column('load_balancer', sa.JSON(), nullable=True),
    sa.Column('drain_timeout', sa.Float(), nullable=False),
    sa.Column('last_metric', sa.Float(), nullable=True),
    sa.Column('last_scale_out_at', sa.DateTime(), nullable=True),
    sa.Column('last_scaled_at', sa.DateTime(), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scaling_groups'))
    )
    with op.batch_alter_table('scaling_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scaling_groups_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_scaling_groups_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scaling_groups_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_scaling_groups_updated_at'), ['updated_at'], unique=False)

    op.create_table('scaling_events',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_size', sa.Integer(), nullable=True),
    sa.Column('to_size', sa.Integer(), nullable=True),
    sa.Column('metric', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['scaling_groups.id'], name=op.f('fk_scaling_events_group_id_scaling_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scaling_events'))
    )
    with op.batch_alter_table('scaling_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scaling_events_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scaling_events_group_id'), ['group_id'], unique=False)

    op.create_table('scaling_group_servers',
    sa.Column('server_id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('drain_started_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['scaling_groups.id'], name=op.f('fk_scaling_group_servers_group_id_scaling_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('server_id', name=op.f('pk_scaling_group_servers'))
    )
    with op.batch_alter_table('scaling_group_servers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scaling_group_servers_group_id'), ['group_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('scaling_group_servers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scaling_group_servers_group_id'))

    op.drop_table('scaling_group_servers')
    with op.batch_alter_table('scaling_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scaling_events_group_id'))
        batch_op.drop_index(batch_op.f('ix_scaling_events_created_at'))

    op.drop_table('scaling_events')
    with op.batch_alter_table('scaling_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scaling_groups_updated_at'))
        batch_op.drop_index(batch_op.f('ix_scaling_groups_status'))
        batch_op.drop_index(batch_op.f('ix_scaling_groups_project_id'))
        batch_op.drop_index(batch_op.f('ix_scaling_groups_name'))

    op.drop_table('scaling_groups')
