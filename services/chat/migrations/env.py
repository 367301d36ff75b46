from chat.config import settings
from chat.models import SCHEMA, metadata
from shared.migrations import run_migrations

run_migrations(metadata, schema=SCHEMA, database_url=settings.database_url)
