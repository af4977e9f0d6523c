"""The migrations build the schema on SQLite and PostgreSQL and match the models."""

from sqlalchemy import inspect

from kzreg.platform.db import Base, get_engine
from kzreg.platform.models import load_all_models


def test_upgrade_creates_every_model_table(db):
    load_all_models()
    tables = set(inspect(get_engine(db)).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_twice_is_harmless(db):
    from kzreg.platform.db import upgrade

    upgrade(db)
