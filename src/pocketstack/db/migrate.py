"""Bring a data dir's schema to the newest revision (Alembic), in place."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from pocketstack.db.session import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url)
    return config


def upgrade(db: Database) -> None:
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")  # "heads": a branch not merged yet is applied too


def is_current(db: Database) -> bool:
    """Whether the store exists and is at every head (a separate agent waits for that)."""
    heads = set(ScriptDirectory.from_config(alembic_config(db)).get_heads())
    with db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads


def make_revision(db: Database, message: str) -> None:
    """Developer helper: autogenerate a migration from the models (``pocketstack db revision``)."""
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
