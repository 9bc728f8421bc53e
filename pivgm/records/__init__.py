"""Records: what was loaded, by whom, from which file, and what is released. SQLAlchemy 2, Alembic.

SQLite by default, any SQLAlchemy URL (PostgreSQL on a server) otherwise; nothing outside this package
depends on which.
"""

from pivgm.records.database import connect, is_initialised, upgrade
from pivgm.records.repository import ProviderInfo, Records, ReleaseInfo, VersionInfo

__all__ = ["ProviderInfo", "Records", "ReleaseInfo", "VersionInfo", "connect", "is_initialised", "upgrade"]
