"""Run once after migrations: the signing key and the first platform administrator.

`ADMIN_USERNAME` / `ADMIN_PASSWORD` choose the admin. In development, without a password one
is generated and printed once (on a cluster: `kubectl logs deploy/auth -c migrate`); in
production (`PLATFORM_ENV=production`) `ADMIN_PASSWORD` is required, from a Secret.
"""

import asyncio
import secrets
from typing import Annotated

from pydantic import Field

from auth.account import repository, service
from auth.config import Settings
from auth.keys.ring import KeyCipher
from auth.keys.service import active_key
from auth.models import SCHEMA
from auth.rbac import names as roles
from shared.config import Secret
from shared.db import create_engine, create_sessionmaker


class BootstrapSettings(Settings):
    """auth's settings and the first administrator's, read only where the admin is created."""

    admin_username: str = Field(default="admin", validation_alias="ADMIN_USERNAME")
    admin_email: str | None = Field(default=None, validation_alias="ADMIN_EMAIL")
    admin_password: Annotated[str, Secret()] = Field(default="", validation_alias="ADMIN_PASSWORD")


async def main() -> None:
    settings = BootstrapSettings()
    engine = create_engine(settings.database_url, schema=SCHEMA, pool_size=1)
    sessionmaker = create_sessionmaker(engine)
    username = settings.admin_username
    email = settings.admin_email or f"{username}@example.com"
    async with sessionmaker() as session, session.begin():
        await active_key(session, KeyCipher(settings.key_encryption_secret))
        if await repository.by_login(session, username) is None:
            password = settings.admin_password or secrets.token_urlsafe(12)
            await service.register(
                session, email=email, password=password, username=username, role=roles.ADMIN, platform_admin=True
            )
            shown = "(from ADMIN_PASSWORD)" if settings.admin_password else password
            print(f"Created platform admin '{username}' with password {shown}. Shown once: write it down.")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
