"""The models are the one source of the schema: the migrated database matches them exactly."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import create_engine
from storage.migrate import include_object
from storage.models import Base
from tests.stack_fixtures import Stack


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, Base.metadata))


def test_migrated_schema_matches_models(stack: Stack) -> None:
    async def run() -> tuple[list[Any], str]:
        engine = create_engine(stack.database_url, pool_size=1)
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
            kind = (
                await conn.execute(
                    text("SELECT relkind::text FROM pg_class WHERE relname = 'ad_events'")
                )
            ).scalar()
        await engine.dispose()
        return diff, str(kind)

    diff, kind = asyncio.run(run())
    assert diff == []
    assert kind == "p"  # ad_events is partitioned
