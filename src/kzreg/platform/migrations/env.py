"""Alembic environment: runs migrations on the engine kzreg hands over (`db.upgrade`)."""

from alembic import context

from kzreg.platform.db import Base, get_engine
from kzreg.platform.models import load_all_models

load_all_models()
target_metadata = Base.metadata
config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
