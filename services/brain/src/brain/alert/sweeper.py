"""The stale-sensor sweep: a worker of its own, beside the consumers."""

import asyncio
import logging
from datetime import UTC, datetime

from fastapi import FastAPI

from brain.alert import service
from brain.config import settings

logger = logging.getLogger(__name__)


async def sweep_stale_sensors(app: FastAPI) -> None:
    """Every `stale_check_seconds`: flag sensors silent for longer than their plan allows."""
    while True:
        await asyncio.sleep(settings.stale_check_seconds)
        try:
            async with app.state.sessionmaker() as session, session.begin():
                await service.flag_stale_sensors(session, now=datetime.now(UTC))
        except Exception:
            logger.exception("stale sensor sweep failed")
