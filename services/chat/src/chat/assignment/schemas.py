"""The desk's auto-assignment switch (`/api/agents/auto_assignment/`)."""

from pydantic import BaseModel

from shared.validation import PatchModel


class AutoAssignmentRead(BaseModel):
    enabled: bool


class AutoAssignmentUpdate(PatchModel):
    enabled: bool
