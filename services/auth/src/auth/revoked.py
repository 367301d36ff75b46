"""What a change revoked, for the request's own process to refuse at once (`auth.revoking`);
the events tell the others. Written by the nouns' services, read by the endpoints' refusals."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Revoked:
    """What the caller's own process must refuse at once (the events tell the others)."""

    user_id: int
    at: float
    api_key_ids: Sequence[str] = ()
