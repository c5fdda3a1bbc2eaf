"""The migrations build exactly the schema the models describe, and run twice harmlessly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pocketstack.db import models  # noqa: F401  (registers every table)
from pocketstack.db.base import Base
from pocketstack.db.migrate import upgrade
from pocketstack.db.session import Database


def test_migrations_match_the_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(db)
    upgrade(db)  # an up-to-date store is left alone
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    db.dispose()
    assert differences == []
