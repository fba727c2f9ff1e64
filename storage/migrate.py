"""Apply Alembic migrations (``python -m storage.migrate``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from config.settings import get_settings

MIGRATIONS = Path(__file__).with_name("migrations")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the day partitions of ad_events out of autogenerate: they are not in the models."""
    return not (type_ == "table" and reflected and (name or "").startswith("ad_events_"))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at ``database_url`` to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


if __name__ == "__main__":
    upgrade(get_settings().require_database_url())
