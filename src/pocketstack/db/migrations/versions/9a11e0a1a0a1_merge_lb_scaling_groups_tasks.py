"""merge load balancers, autoscaling, server groups and image tasks

Revision ID: 9a11e0a1a0a1
Revises: 1b0ad0a1a0a1, 5ca1e0a1a0a1, 7e3e0a1a0a1a
Create Date: 2026-11-26 15:03:58.786429
"""


revision = '9a11e0a1a0a1'
down_revision = ('1b0ad0a1a0a1', '5ca1e0a1a0a1', '7e3e0a1a0a1a')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
