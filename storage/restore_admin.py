"""``python -m storage.restore_admin [EMAIL]``: the operator's way back in when every admin is
locked out (forgotten password, deactivated, demoted). Makes EMAIL (by default ADMIN_EMAIL) an
active admin with a new password read from the terminal (or one line of stdin), ending the
user's earlier sessions. Talks to the PostgreSQL of DATABASE_URL directly (in a Ray pod: its
environment); ``python -m cluster restore-admin`` runs it against the local stack's server."""

from __future__ import annotations

import asyncio
import getpass
import sys

from ads.auth import hash_password
from ads.errors import InvalidInput
from ads.roles import check_password, normalize_email
from ads.team_history import OPERATOR, PASSWORD_SET, TeamAction
from config.settings import Settings, get_settings
from storage import team_history, users
from storage.db import create_engine, session_factory


def read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("New password: ")
        if getpass.getpass("Repeat it: ") != first:
            raise InvalidInput("the passwords differ")
        return first
    return sys.stdin.readline().rstrip("\n")


async def restore(database_url: str, *, email: str, password: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with session_factory(engine)() as session:
            user_id = await users.restore_admin(
                session, email=email, password_hash=await asyncio.to_thread(hash_password, password)
            )
            await team_history.record(
                session,
                user_id=user_id,
                email=email,
                actor=OPERATOR,
                action=TeamAction.RESTORED,
                changes={"role": [None, "admin"], "active": [None, True], "password": PASSWORD_SET},
            )
            await session.commit()
    finally:
        await engine.dispose()


def main(settings: Settings, email: str | None, *, database_url: str) -> int:
    try:
        address = normalize_email(email or settings.admin_email)
        password = read_password()
        check_password(password, email=address)
    except InvalidInput as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    asyncio.run(restore(database_url, email=address, password=password))
    print(f"{address} is an active admin with the new password; earlier sessions ended.")
    return 0


if __name__ == "__main__":
    given = get_settings()
    sys.exit(
        main(
            given,
            sys.argv[1] if len(sys.argv) > 1 else None,
            database_url=given.require_database_url(),
        )
    )
