"""002's `/api/learned-apis`. A learned API's id is "api_<n>", as 002 writes "api_jira"."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.validation import InputModel


class Credential(InputModel):
    """Sent with every call of the API's tools; stored sealed, never returned."""

    header: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9-]+$", examples=["Authorization"])]
    value: Annotated[str, Field(min_length=1, max_length=4000, examples=["Bearer ..."])]


class LearnedApiCreate(InputModel):
    type: Literal["openapi"] = "openapi"
    # The document's URL (fetched through the SSRF guard), or the document itself.
    source: Annotated[str, Field(min_length=8, max_length=2000)] | dict[str, Any] = Field(
        examples=["https://api.example.com/swagger.json"]
    )
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    # Where its operations are called; by default the document's own (servers, host).
    base_url: Annotated[str, Field(min_length=8, max_length=2000)] | None = None
    credential: Credential | None = None


class LearnedApiRead(BaseModel):
    id: str
    name: str
    endpoints: int
    learned_at: datetime
    base_url: str
    tools: list[str]


class LearnedApiList(BaseModel):
    apis: list[LearnedApiRead]
