"""The desk's auto-assignment switch (`/api/agents/auto_assignment/`)."""

from pydantic import BaseModel, ConfigDict

from shared.validation import PatchModel


class AutoAssignmentRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True}]})

    enabled: bool


class AutoAssignmentUpdate(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"enabled": True}]})

    enabled: bool
