"""Run once after migrations: the signing key and the first platform administrator.

`ADMIN_USERNAME` / `ADMIN_PASSWORD` choose the admin; without a password one is generated
and printed once.
"""

import asyncio
import os
import secrets

from auth.account import repository, service
from auth.config import settings
from auth.keys.ring import KeyCipher, active_key
from auth.models import SCHEMA
from auth.rbac import names as roles
from shared.db import create_engine, create_sessionmaker


async def main() -> None:
    engine = create_engine(settings.database_url, schema=SCHEMA, pool_size=1)
    sessionmaker = create_sessionmaker(engine)
    username = os.environ.get("ADMIN_USERNAME", "admin")
    email = os.environ.get("ADMIN_EMAIL", f"{username}@example.com")
    async with sessionmaker() as session, session.begin():
        await active_key(session, KeyCipher(settings.key_encryption_secret))
        if await repository.by_login(session, username) is None:
            password = os.environ.get("ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            await service.register(
                session, email=email, password=password, username=username, role=roles.ADMIN, platform_admin=True
            )
            shown = "(from ADMIN_PASSWORD)" if os.environ.get("ADMIN_PASSWORD") else password
            print(f"Created platform admin '{username}' with password {shown}. Shown once: write it down.")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
