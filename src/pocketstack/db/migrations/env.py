"""Alembic environment: migrations run from pocketstack itself, never by hand."""

from alembic import context

from pocketstack.db import models  # noqa: F401  (registers every table)
from pocketstack.db.base import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
