"""Alembic environment: migrations run on the connection handed over by ``pivgm.records.upgrade``."""

from alembic import context

from pivgm.records import account_tables, audit  # noqa: F401  (their tables join Base.metadata)
from pivgm.records.tables import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
