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


def test_a_store_of_the_first_release_upgrades_and_keeps_its_rows(tmp_path):
    """What a package upgrade does: a data dir at the initial schema, with rows, goes to the
    newest revision; its rows stay and the new tables exist."""
    from alembic import command
    from sqlalchemy import inspect, text

    from pocketstack.db.migrate import alembic_config

    db = Database(f"sqlite:///{tmp_path / 'state.db'}")
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "defada39b482")
        connection.execute(text(
            "INSERT INTO keypairs (id, user_id, name, type, fingerprint, public_key, created_at,"
            " updated_at)"
            " VALUES ('k1', 'u1', 'mykey', 'ssh', 'ff', 'ssh-ed25519 AAAA', '2026-11-01',"
            " '2026-11-01')"))
    upgrade(db)
    with db.engine.connect() as connection:
        names = connection.execute(text("SELECT name FROM keypairs")).scalars().all()
        tables = set(inspect(connection).get_table_names())
    db.dispose()
    assert names == ["mykey"]
    assert {"lb_loadbalancers", "scaling_groups", "server_groups", "image_tasks"} <= tables
