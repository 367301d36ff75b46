"""Accepting a master node's post: check it, count it against the plan, publish it.

Each lectura (one secondary node at one instant) becomes one JetStream message whose
`Nats-Msg-Id` is derived from what it says, so a retried post is dropped by JetStream as a
duplicate and `inserted` counts only what is new. The 201 is answered after JetStream
acknowledged every message; the day's count is reserved in the same database transaction and
rolled back with it when publishing fails. Behind the duplicate window (see
`shared.events.bus`) a retry is still stored once by brain, whose key is the reading itself.
"""

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from nats.aio.client import Client as NATS
from nats.js.api import PubAck
from sqlalchemy.ext.asyncio import AsyncSession

from ingest import events, quota
from ingest.config import Settings
from ingest.models import Node
from ingest.readings.schemas import IngestIn
from ingest.readings.units import normalise
from shared.errors import InvalidRequest, PermissionDenied, ServiceUnavailable
from shared.events import Envelope, stream_for_subject

# Message ids are UUIDv5 of the reading's identity in this namespace.
_NAMESPACE = uuid.UUID("0b6f4c1e-6a43-4a0e-9d4b-6f3a3f2f1e11")


@dataclass(frozen=True)
class Lectura:
    nodo_codigo: str
    timestamp: datetime
    sensores: tuple[events.SensorValue, ...]

    def message_id(self, node: Node) -> uuid.UUID:
        sensors = ",".join(sorted(value.sensor for value in self.sensores))
        key = f"{node.parcela_id}|{node.codigo}|{self.nodo_codigo}|{self.timestamp.isoformat()}|{sensors}"
        return uuid.uuid5(_NAMESPACE, key)


class NodeMismatch(PermissionDenied):
    message = "El nodo maestro o la parcela no corresponden al token del nodo."


def check_ownership(node: Node, body: IngestIn) -> None:
    if body.codigo_nodo_maestro != node.codigo or body.parcela_id != node.parcela_id:
        raise NodeMismatch()


def lecturas_of(body: IngestIn, settings: Settings, now: datetime) -> list[Lectura]:
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
            values.append(events.SensorValue(sensor=reading.sensor, valor=valor, unidad=unidad))
        found.append(Lectura(lectura.nodo_codigo, moment, tuple(values)))
    return found


async def accept(session: AsyncSession, nc: NATS, node: Node, body: IngestIn, settings: Settings, now: datetime) -> int:
    """Publish the post's lecturas; returns how many were new. The session commits after."""
    check_ownership(node, body)
    lecturas = lecturas_of(body, settings, now)
    if not nc.is_connected:
        raise ServiceUnavailable()
    today = quota.Day.current(ZoneInfo(settings.day_timezone), now)
    instants = {lectura.timestamp for lectura in lecturas}
    await quota.reserve(session, node.parcela_id, today, len(instants), now)
    acks = await publish(nc, node, lecturas, timeout=settings.publish_timeout_seconds)
    fresh = {lectura.timestamp for lectura, ack in zip(lecturas, acks, strict=True) if not ack.duplicate}
    await quota.release(session, node.parcela_id, today, len(instants - fresh))
    return sum(1 for ack in acks if not ack.duplicate)


async def publish(nc: NATS, node: Node, lecturas: Sequence[Lectura], *, timeout: float) -> list[PubAck]:
    """Every lecturas acknowledged by JetStream, or ServiceUnavailable (nothing answered 201)."""
    js = nc.jetstream()
    subject = events.ReadingReceived.subject
    stream = stream_for_subject(subject)[0]  # created at start-up (main.py)

    async def one(lectura: Lectura) -> PubAck:
        event = events.ReadingReceived(
            parcela_id=node.parcela_id,
            codigo_nodo_maestro=node.codigo,
            nodo_codigo=lectura.nodo_codigo,
            timestamp=lectura.timestamp,
            sensores=list(lectura.sensores),
        )
        envelope = Envelope(
            id=lectura.message_id(node),
            type=subject,
            tenant_id=node.tenant_id,
            source="ingest",
            data=event.model_dump(mode="json"),
        )
        return await js.publish(
            subject,
            envelope.model_dump_json().encode(),
            timeout=timeout,
            stream=stream,
            headers={"Nats-Msg-Id": str(envelope.id)},
        )

    results = await asyncio.gather(*(one(lectura) for lectura in lecturas), return_exceptions=True)
    if any(isinstance(result, BaseException) for result in results):
        raise ServiceUnavailable("No se pudo confirmar la recepción de las lecturas. Reintente.")
    return [result for result in results if isinstance(result, PubAck)]
