"""One database role and schema per service; each role reaches only its own schema.

Where the server has pgvector, it is installed in schema `extensions` (creating an extension
needs the superuser this step runs as), usable by every service's role: bots keeps knowledge
embeddings there when a base asks for them, and works without it.

Used by `make run`, the tests, and the `db-init` step of compose and Kubernetes
(`python -m shared.provisioning auth agro ...`), so all three provision alike.
"""

import asyncio
import os
import sys
from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class SchemaGrant:
    schema: str
    role: str
    password: str


def grant_for(service: str, password: str) -> SchemaGrant:
    """The convention: schema `<service>`, owned by role `svc_<service>`."""
    return SchemaGrant(schema=service, role=f"svc_{service}", password=password)


async def provision(superuser_dsn: str, grants: list[SchemaGrant]) -> None:
    """Idempotent: create or update each role (with its password) and its schema."""
    conn = await asyncpg.connect(superuser_dsn)
    try:
        database = await conn.fetchval("SELECT current_database()")
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for grant in grants:
            role, schema = grant.role, grant.schema
            password = grant.password.replace("'", "''")
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            await conn.execute(
                f"{verb} ROLE \"{role}\" LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB NOCREATEROLE"
            )
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}" AUTHORIZATION "{role}"')
            await conn.execute(f'ALTER ROLE "{role}" SET search_path = "{schema}"')
        if await conn.fetchval("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"):
            await conn.execute("CREATE SCHEMA IF NOT EXISTS extensions")
            await conn.execute("CREATE EXTENSION IF NOT EXISTS vector SCHEMA extensions")
            for grant in grants:
                await conn.execute(f'GRANT USAGE ON SCHEMA extensions TO "{grant.role}"')
    finally:
        await conn.close()


def role_url(superuser_dsn: str, grant: SchemaGrant) -> str:
    """The service's own SQLAlchemy URL: same server and database, its own role."""
    rest = superuser_dsn.split("://", 1)[1]
    hostpart = rest.split("@", 1)[1] if "@" in rest.split("/", 1)[0] else rest
    return f"postgresql+asyncpg://{grant.role}:{grant.password}@{hostpart}"


def main(services: list[str]) -> int:
    """Containers' db-init: superuser `DATABASE_URL`, each password in `DB_PASSWORD_<SERVICE>`."""
    if not services:
        print("usage: python -m shared.provisioning SERVICE [SERVICE ...]", file=sys.stderr)
        return 2
    dsn = os.environ.get("DATABASE_URL", "").replace("postgresql+asyncpg://", "postgresql://")
    if not dsn:
        print("DATABASE_URL (a superuser URL) is required", file=sys.stderr)
        return 2
    missing = [name for name in services if not os.environ.get(f"DB_PASSWORD_{name.upper()}")]
    if missing:
        print("missing passwords: " + ", ".join(f"DB_PASSWORD_{n.upper()}" for n in missing), file=sys.stderr)
        return 2
    grants = [grant_for(name, os.environ[f"DB_PASSWORD_{name.upper()}"]) for name in services]
    asyncio.run(provision(dsn, grants))
    print("provisioned schemas: " + ", ".join(services))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
