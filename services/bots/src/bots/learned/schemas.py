"""002's `/api/learned-apis`. A learned API's id is "api_<n>", as 002 writes "api_jira"."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel


class Credential(InputModel):
    """Sent with every call of the API's tools; stored sealed, never returned."""

    header: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9-]+$", examples=["Authorization"])]
    value: Annotated[str, Field(min_length=1, max_length=4000, examples=["Bearer ..."])]


class LearnedApiCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"type": "openapi", "source": "https://api.example.com/swagger.json"},
                {
                    "type": "openapi",
                    "name": "Inventario",
                    "base_url": "https://inventario.example.com",
                    "source": {
                        "openapi": "3.0.0",
                        "info": {"title": "Inventario", "version": "1.0"},
                        "paths": {"/items": {"get": {"operationId": "listItems", "summary": "Lista los artículos"}}},
                    },
                    "credential": {"header": "Authorization", "value": "Bearer ..."},
                },
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "api_1",
                    "name": "Jira API",
                    "endpoints": 47,
                    "learned_at": "2024-01-15T09:00:00Z",
                    "base_url": "https://jira.example.com/rest/api/3",
                    "tools": ["jira_search_issues", "jira_create_issue"],
                }
            ]
        }
    )

    id: str
    name: str
    endpoints: int
    learned_at: datetime
    base_url: str
    tools: list[str]


class LearnedApiList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "apis": [
                        {
                            "id": "api_1",
                            "name": "Jira API",
                            "endpoints": 47,
                            "learned_at": "2024-01-15T09:00:00Z",
                            "base_url": "https://jira.example.com/rest/api/3",
                            "tools": ["jira_search_issues", "jira_create_issue"],
                        }
                    ]
                }
            ]
        }
    )

    apis: list[LearnedApiRead]
