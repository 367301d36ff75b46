"""One database role and schema per service; each role reaches only its own schema."""

import asyncpg

from shared.devtools.catalog import ServiceSpec


async def provision(superuser_dsn: str, services: list[ServiceSpec], passwords: dict[str, str]) -> None:
    """Idempotent: create or update each service's role (with its password) and schema."""
    conn = await asyncpg.connect(superuser_dsn)
    try:
        database = await conn.fetchval("SELECT current_database()")
        await conn.execute(f'REVOKE ALL ON DATABASE "{database}" FROM PUBLIC')
        await conn.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        for spec in services:
            if spec.schema is None:
                continue
            role, schema = spec.role, spec.schema
            password = passwords[spec.name].replace("'", "''")
            exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            await conn.execute(
                f"{verb} ROLE \"{role}\" LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB NOCREATEROLE"
            )
            await conn.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}" AUTHORIZATION "{role}"')
            await conn.execute(f'ALTER ROLE "{role}" SET search_path = "{schema}"')
    finally:
        await conn.close()


def role_url(superuser_dsn: str, spec: ServiceSpec, password: str) -> str:
    """The service's own SQLAlchemy URL: same server and database, its own role."""
    rest = superuser_dsn.split("://", 1)[1]
    hostpart = rest.split("@", 1)[1] if "@" in rest.split("/", 1)[0] else rest
    return f"postgresql+asyncpg://{spec.role}:{password}@{hostpart}"
