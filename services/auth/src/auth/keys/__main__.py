"""`python -m auth.keys rotate`: start signing with a new key.

Tokens signed with the old key stay valid until they expire: the old key stays in the JWKS
that long, and services fetch a key they do not know yet on first sight of its `kid`.
"""

import asyncio
import sys

from auth.config import settings
from auth.keys.ring import KeyCipher
from auth.keys.service import rotate
from auth.models import SCHEMA
from shared.db import create_engine, create_sessionmaker


async def main() -> None:
    engine = create_engine(settings.database_url, schema=SCHEMA, pool_size=1)
    async with create_sessionmaker(engine)() as session, session.begin():
        kid = await rotate(session, KeyCipher(settings.key_encryption_secret))
    await engine.dispose()
    print(f"New signing key {kid}; the previous one keeps verifying until its tokens expire.")


if __name__ == "__main__":
    if sys.argv[1:] != ["rotate"]:
        sys.exit("usage: python -m auth.keys rotate")
    asyncio.run(main())
