"""Identifiers: time-ordered UUIDs, and the prefixed public ids some seeds show (`conv_12`)."""

import os
import threading
import time
import uuid
from dataclasses import dataclass

__all__ = ["PrefixedId", "uuid7"]

_RAND_B_BITS = 62
_lock = threading.Lock()
_last = (0, 0, 0)  # (millis, rand_a, rand_b) of the previous id in this process


def uuid7() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then randomness; sorts by creation time.

    Monotonic within a process (RFC 9562 6.2, method 2): inside one millisecond, or if the
    clock steps back, the previous id's random part is incremented, so ids made one after
    the other sort in that order (the outbox relays events by id).
    """
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, last_a, last_b = _last
        if millis > last_millis:
            rand = int.from_bytes(os.urandom(10), "big")
            rand_a, rand_b = (rand >> _RAND_B_BITS) & 0xFFF, rand & ((1 << _RAND_B_BITS) - 1)
        else:
            millis, rand_a, rand_b = last_millis, last_a, last_b + 1
            if rand_b >> _RAND_B_BITS:
                rand_a, rand_b = rand_a + 1, 0
                if rand_a > 0xFFF:  # 2^74 ids in one millisecond: borrow the next one
                    millis, rand_a = millis + 1, 0
        _last = (millis, rand_a, rand_b)
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= rand_a << 64
    value |= 0b10 << 62  # variant
    value |= rand_b
    return uuid.UUID(int=value)


# A BIGINT id has at most 19 digits; 18 keep every parsed value inside it.
_MAX_DIGITS = 18


@dataclass(frozen=True, slots=True)
class PrefixedId:
    """A row's integer id as the seed shows it: `PrefixedId("conv_")` makes `conv_12` of 12.

    `parse` takes the public form back (the bare number is accepted too, as the services always
    have); None for anything else, which the caller answers as its own "not found".
    """

    prefix: str

    def format(self, ident: int) -> str:
        return f"{self.prefix}{ident}"

    def parse(self, text: str) -> int | None:
        digits = text.removeprefix(self.prefix)
        if not (digits.isascii() and digits.isdigit()) or len(digits) > _MAX_DIGITS:
            return None
        return int(digits)
