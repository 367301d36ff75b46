"""Dead letters: listed, and replayed to the one durable consumer that gave up on them.

A consumer that gives up on a message (`shared.events.consumer.dead_letter`) copies it to
`deadletter.<durable>` in stream `DEADLETTER`, with headers naming the original subject, the
reason (`malformed`, `exhausted`) and the deliveries; JetStream stamps the time. The stream keeps
them `DEAD_LETTER_RETENTION_SECONDS` (`shared.events.streams`), then drops them.

A replay runs in the process that owns the durable, through that consumer's own handling (for
an `EventConsumer`: inbox row and handler in one transaction, as a delivery would). It is never
published again: the subject's other consumers processed the event long ago, and their inbox
forgets it after a day, so a new publication could apply it twice there. The inbox makes a
replay at most once even when two replicas replay the same letter at once (a batch consumer's
handler is idempotent by its natural key); once committed, the letter is deleted from the
stream. A replay that fails again leaves the letter where it was.
"""

import heapq
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import APIError, NotFoundError
from pydantic import ValidationError

from shared.errors import Conflict, NotFound
from shared.events.consumer import DEAD_LETTER_PREFIX, DurableConsumer
from shared.events.envelope import Envelope
from shared.events.metrics import DEAD_LETTERS_REPLAYED
from shared.events.streams import DEAD_LETTER_STREAM

__all__ = ["DeadLetter", "DeadLetterGone", "DeadLetters", "StillFailing"]

logger = logging.getLogger(__name__)


class DeadLetterGone(NotFound):
    """No such dead letter among this service's (never was, replayed, or past its retention)."""

    code = "DEAD_LETTER_NOT_FOUND"
    message = "No hay una carta muerta así en este servicio (quizá ya se reprocesó o caducó)."


class StillFailing(Conflict):
    """The replay failed again (its handler raised, or the payload still does not match): the
    letter stays, to be replayed once the cause is fixed."""

    code = "DEAD_LETTER_STILL_FAILING"
    message = "El evento vuelve a fallar; la carta muerta se conserva."


@dataclass(frozen=True)
class DeadLetter:
    seq: int  # its sequence in stream DEADLETTER: the id to replay it by
    durable: str
    subject: str | None  # None for a letter copied before the headers existed
    reason: str | None
    deliveries: int | None
    dead_lettered_at: datetime | None
    payload: Any  # the envelope as JSON, or the raw text when it is not JSON


class DeadLetters:
    """The dead letters of one service's durable consumers (`app.state.consumers`)."""

    def __init__(self, js: JetStreamContext, consumers: Mapping[str, DurableConsumer]) -> None:
        self.js = js
        self.consumers = consumers

    def _durables(self, durable: str | None) -> list[str]:
        if durable is None:
            return sorted(self.consumers)
        return [durable] if durable in self.consumers else []

    async def count(self, durable: str | None = None) -> int:
        """How many are kept for these durables (one `STREAM.INFO`)."""
        durables = self._durables(durable)
        if not durables:
            return 0
        try:
            info = await self.js.stream_info(DEAD_LETTER_STREAM, subjects_filter=f"{DEAD_LETTER_PREFIX}.>")
        except NotFoundError:
            return 0
        subjects = info.state.subjects or {}
        return sum(subjects.get(f"{DEAD_LETTER_PREFIX}.{name}", 0) for name in durables)

    async def list(self, *, durable: str | None = None, after: int = 0, limit: int = 50) -> list[DeadLetter]:
        """The oldest `limit` after sequence `after`, oldest first, merged across the durables
        (one `STREAM.MSG.GET` per letter, plus one per durable)."""
        heads: list[tuple[int, str, RawStreamMsg]] = []
        for name in self._durables(durable):
            found = await self._next(name, after + 1)
            if found is not None:
                heads.append((found.seq or 0, name, found))
        heapq.heapify(heads)
        letters: list[DeadLetter] = []
        while heads and len(letters) < limit:
            seq, name, raw = heapq.heappop(heads)
            letters.append(_letter(name, raw))
            following = await self._next(name, seq + 1)
            if following is not None:
                heapq.heappush(heads, (following.seq or 0, name, following))
        return letters

    async def get(self, seq: int) -> DeadLetter:
        try:
            raw = await self.js.get_msg(DEAD_LETTER_STREAM, seq)
        except NotFoundError:
            raise DeadLetterGone() from None
        durable = (raw.subject or "").removeprefix(f"{DEAD_LETTER_PREFIX}.")
        if durable not in self.consumers:  # another service's, or not a dead letter
            raise DeadLetterGone()
        return _letter(durable, raw)

    async def replay(self, seq: int) -> DeadLetter:
        """Handle the letter again through its own durable consumer, then delete it.

        Raises `DeadLetterGone` or `StillFailing` (the letter stays)."""
        letter = await self.get(seq)
        consumer = self.consumers[letter.durable]
        try:
            envelope = Envelope.model_validate(letter.payload)
            payload = consumer.event.model_validate(envelope.data)
        except ValidationError as exc:
            raise StillFailing("El evento sigue sin ajustarse al modelo de su asunto.") from exc
        if not await consumer.replay(envelope, payload):
            raise StillFailing("El consumidor volvió a fallar (ver el registro del servicio).")
        await self._delete(letter)
        DEAD_LETTERS_REPLAYED.labels(letter.durable, "replayed").inc()
        logger.info("dead letter replayed", extra={"consumer": letter.durable, "event_id": str(envelope.id)})
        return letter

    async def discard(self, seq: int) -> DeadLetter:
        """Delete a letter that will never be replayed (its event no longer matters)."""
        letter = await self.get(seq)
        await self._delete(letter)
        DEAD_LETTERS_REPLAYED.labels(letter.durable, "discarded").inc()
        return letter

    async def _delete(self, letter: DeadLetter) -> None:
        try:
            await self.js.delete_msg(DEAD_LETTER_STREAM, letter.seq)
        except APIError:
            try:  # a replica replaying it at the same time deleted it first: done
                await self.js.get_msg(DEAD_LETTER_STREAM, letter.seq)
            except NotFoundError:
                return
            raise

    async def _next(self, durable: str, seq: int) -> RawStreamMsg | None:
        try:
            return await self.js.get_msg(DEAD_LETTER_STREAM, seq, subject=f"{DEAD_LETTER_PREFIX}.{durable}", next=True)
        except NotFoundError:
            return None


def _letter(durable: str, raw: RawStreamMsg) -> DeadLetter:
    headers = raw.headers or {}
    deliveries = headers.get("Delivery-Count")
    data = raw.data or b""
    try:
        payload: Any = json.loads(data)
    except ValueError:
        payload = data.decode(errors="replace")
    return DeadLetter(
        seq=raw.seq or 0,
        durable=durable,
        subject=headers.get("Original-Subject"),
        reason=headers.get("Dead-Letter-Reason"),
        deliveries=int(deliveries) if deliveries and deliveries.isdigit() else None,
        dead_lettered_at=raw.time,
        payload=payload,
    )
