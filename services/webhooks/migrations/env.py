from shared.migrations import run_migrations
from webhooks.config import settings
from webhooks.models import SCHEMA, metadata

run_migrations(metadata, schema=SCHEMA, database_url=settings.database_url)
