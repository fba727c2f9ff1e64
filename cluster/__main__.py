"""``python -m cluster up|down``: the local stack launcher behind ``make up`` / ``make down``."""

from __future__ import annotations

import argparse
import sys

from cluster.services import MissingBinary
from cluster.stack import down, up
from config.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__)
    parser.add_argument("command", choices=["up", "down"])
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        up(settings) if args.command == "up" else down(settings)
    except MissingBinary as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
