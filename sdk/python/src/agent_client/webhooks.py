"""Checking a webhook delivery's signature (Standard Webhooks: `webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`)."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any


class InvalidSignature(Exception):
    pass


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> Any:
    """The delivery's payload (its JSON body, parsed), as `standardwebhooks`' `verify` answers;
    raises InvalidSignature unless it is signed with `secret` and recent (replays older than
    `tolerance_seconds` are refused)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    message_id, timestamp, signatures = (
        lowered.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not message_id or not timestamp or not signatures:
        raise InvalidSignature("Faltan las cabeceras webhook-id, webhook-timestamp o webhook-signature.")
    try:
        sent = int(timestamp)
    except ValueError as exc:
        raise InvalidSignature("webhook-timestamp inválido.") from exc
    if abs((now if now is not None else time.time()) - sent) > tolerance_seconds:
        raise InvalidSignature("La entrega es demasiado antigua o futura.")
    payload = body.encode() if isinstance(body, str) else body
    signed = f"{message_id}.{timestamp}.".encode() + payload
    expected = base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            return json.loads(payload)
    raise InvalidSignature("Firma inválida.")
