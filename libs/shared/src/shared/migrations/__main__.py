"""`python -m shared.migrations upgrade <service> [--bootstrap <module>]`, from the directory
holding the service's `alembic.ini` (the image's working directory).

Reads the service's settings (`<service>.config.settings`), so a production deployment with a
development secret stops here, before anything is migrated.
"""

import argparse
import asyncio
import importlib
from pathlib import Path

from shared.config import BaseServiceSettings
from shared.migrations._upgrade import upgrade


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m shared.migrations")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade", help="migrate to head under the service's lock, then bootstrap")
    up.add_argument("service", help="the service's package: its settings are <service>.config.settings")
    up.add_argument("--schema", help="the schema it owns (default: the service's name)")
    up.add_argument("--config", type=Path, default=Path("alembic.ini"), help="its alembic.ini")
    up.add_argument("--bootstrap", help="a module whose async main() runs after the migrations, under the lock")
    up.add_argument("--wait", type=float, default=600.0, help="seconds to wait for the database and the schema")
    args = parser.parse_args()
    settings = importlib.import_module(f"{args.service}.config").settings
    if not isinstance(settings, BaseServiceSettings):
        parser.error(f"{args.service}.config.settings is not a BaseServiceSettings")
    asyncio.run(
        upgrade(
            service=args.service,
            database_url=settings.database_url,
            schema=args.schema or args.service,
            alembic_ini=args.config,
            bootstrap=args.bootstrap,
            wait_seconds=args.wait,
        )
    )


if __name__ == "__main__":
    main()
