"""The seeds' error shapes."""

from enum import StrEnum


class ErrorStyle(StrEnum):
    """Which seed's error body a route answers in (see `shared.errors`)."""

    FASTAPI = "fastapi"
    AGENT = "agent"
    DESK = "desk"
    AGRO = "agro"
