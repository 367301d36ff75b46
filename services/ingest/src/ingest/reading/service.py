"""Accepting a master node's post: check it, count it against the plan, publish it.

A post becomes one JetStream message whose `Nats-Msg-Id` is derived from what it says (node,
instants, sensors, values), so a retried post is dropped by JetStream as a duplicate and
answers `inserted: 0`. The 201 is answered after JetStream acknowledged the message; the
day's count is reserved in the same database transaction and rolled back with it when
publishing fails. Past the duplicate window (see `shared.events.streams`) a retry is still stored
once by brain, whose key is the reading itself (field, parameter, instant, secondary node).
"""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from nats.aio.client import Client as NATS
from prometheus_client import Counter
from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import events
from ingest.config import Settings
from ingest.errors import DailyLimitReached, NodeMismatch
from ingest.node.service import NodeCredential
from ingest.quota import service as quota
from ingest.reading.schemas import IngestCreate
from ingest.reading.units import normalise
from shared.errors import InvalidRequest, ServiceUnavailable
from shared.events import Envelope, stream_for_subject
from shared.observability.tracing import trace_headers

ACCEPTED = Counter("ingest_lecturas_total", "Lecturas in posts answered 201, by outcome", ["outcome"])

# Message ids are UUIDv5 of the post's content in this namespace.
_NAMESPACE = uuid.UUID("0b6f4c1e-6a43-4a0e-9d4b-6f3a3f2f1e11")


def check_ownership(node: NodeCredential, body: IngestCreate) -> None:
    if body.codigo_nodo_maestro != node.codigo or body.parcela_id != node.parcela_id:
        raise NodeMismatch()


def lecturas_of(body: IngestCreate, settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """The post's lecturas with their instants (UTC) and values in canonical units, or a 400."""
    total = sum(len(lectura.sensores) for lectura in body.lecturas)
    if total > settings.max_readings_per_post:
        raise InvalidRequest(
            f"Demasiadas lecturas en un envío ({total}); el máximo es {settings.max_readings_per_post}.",
            fields={"lecturas": [f"Como máximo {settings.max_readings_per_post} valores por envío."]},
        )
    latest = now + timedelta(seconds=settings.max_clock_skew_seconds)
    earliest = now - timedelta(days=settings.max_reading_age_days)
    found = []
    for lectura in body.lecturas:
        moment = lectura.timestamp or body.timestamp
        if moment is None:
            raise InvalidRequest("Falta 'timestamp'.", fields={"timestamp": ["Este campo es requerido."]})
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if moment > latest:
            raise InvalidRequest(
                "La marca de tiempo está en el futuro.", fields={"timestamp": [f"Posterior a {latest.isoformat()}."]}
            )
        if moment < earliest:
            raise InvalidRequest(
                f"La marca de tiempo tiene más de {settings.max_reading_age_days} días.",
                fields={"timestamp": [f"Anterior a {earliest.isoformat()}."]},
            )
        values = []
        for reading in lectura.sensores:
            valor, unidad = normalise(reading.sensor, reading.valor, reading.unidad)
            values.append({"sensor": reading.sensor, "valor": valor, "unidad": unidad})
        found.append({"nodo_codigo": lectura.nodo_codigo, "timestamp": moment, "sensores": values})
    return found


async def accept(
    session: AsyncSession,
    *,
    nc: NATS,
    node: NodeCredential,
    body: IngestCreate,
    settings: Settings,
    now: datetime,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> int:
    """Publish the post's lecturas; returns how many were new. The session commits after."""
    check_ownership(node, body)
    lecturas = lecturas_of(body, settings, now)
    if not nc.is_connected:
        raise ServiceUnavailable()
    today = quota.Day.current(ZoneInfo(settings.day_timezone), now)
    instants = len({lectura["timestamp"] for lectura in lecturas})
    try:
        await quota.reserve(
            session, parcela_id=node.parcela_id, limit=node.daily_limit, today=today, count=instants, now=now
        )
    except DailyLimitReached:
        assert node.daily_limit is not None
        await session.rollback()  # the refused upsert still locks the day's row
        await quota.note_limit_reached(
            sessionmaker, tenant_id=node.tenant_id, parcela_id=node.parcela_id, limit=node.daily_limit, today=today
        )
        raise
    if await publish(nc, node, event_data(node, lecturas), timeout=settings.publish_timeout_seconds):
        ACCEPTED.labels("new").inc(len(lecturas))
        return len(lecturas)
    ACCEPTED.labels("duplicate").inc(len(lecturas))
    # A retry: its transmissions were counted the first time.
    await quota.release(session, parcela_id=node.parcela_id, limit=node.daily_limit, today=today, count=instants)
    return 0


def event_data(node: NodeCredential, lecturas: list[dict[str, Any]]) -> bytes:
    """`ingest.readings.received`'s data as JSON: the bytes `events.ReadingsReceived` would
    serialise (a test holds them equal), without validating again a hundred values that
    `IngestCreate` and `lecturas_of` have just checked and built in the model's field order."""
    return to_json({"parcela_id": node.parcela_id, "codigo_nodo_maestro": node.codigo, "lecturas": lecturas})


async def publish(nc: NATS, node: NodeCredential, data: bytes, *, timeout: float) -> bool:
    """True once JetStream stored the post, False when it already had it; else ServiceUnavailable."""
    subject = events.ReadingsReceived.subject
    # The same post always serialises the same way: its content names the message.
    message_id = uuid.uuid5(_NAMESPACE, hashlib.sha256(data).hexdigest())
    envelope = Envelope(id=message_id, type=subject, tenant_id=node.tenant_id, source="ingest")
    try:
        ack = await nc.jetstream().publish(
            subject,
            envelope.encode_with(data),
            timeout=timeout,
            stream=stream_for_subject(subject)[0],  # created at start-up (main.py)
            headers={"Nats-Msg-Id": str(envelope.id), **trace_headers(envelope.traceparent)},
        )
    except Exception as exc:
        raise ServiceUnavailable("No se pudo confirmar la recepción de las lecturas. Reintente.") from exc
    return not ack.duplicate
