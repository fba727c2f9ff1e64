"""``python -m cluster up|down|restore-admin``: the local stack launcher behind ``make up`` /
``make down``, and the operator's admin recovery (storage/restore_admin.py) on the local
stack's database."""

from __future__ import annotations

import argparse
import sys

from cluster.services import MissingBinary
from cluster.stack import down, private_servers, up
from config.settings import SettingError, get_settings
from storage import restore_admin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "restore-admin"])
    parser.add_argument("email", nargs="?", help="restore-admin: the user (default ADMIN_EMAIL)")
    args = parser.parse_args(argv)
    settings = get_settings()
    if args.command == "restore-admin":
        database_url = settings.database_url or private_servers(settings)[0].url
        return restore_admin.main(settings, args.email, database_url=database_url)
    try:
        up(settings) if args.command == "up" else down(settings)
    except (MissingBinary, SettingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
