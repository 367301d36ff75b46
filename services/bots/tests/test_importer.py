"""Learning an API from its document: Swagger 2 and OpenAPI 3, `$ref`, `allOf`, parameters at
path level. Pure functions: no stack needed."""

import pytest

from bots.learned.importer import InvalidDocument, learn

PET = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Jira API"},
    "servers": [{"url": "/rest/api/3"}],
    "components": {
        "schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
            "Issue": {"allOf": [{"$ref": "#/components/schemas/Base"},
                                {"type": "object", "properties": {"summary": {"type": "string"}}}]},
        },
        "parameters": {"Project": {"name": "project", "in": "path", "required": True, "schema": {"type": "string"}}},
    },
    "paths": {
        "/projects/{project}/issues": {
            "parameters": [{"$ref": "#/components/parameters/Project"}],
            "get": {"operationId": "listIssues",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}]},
            "post": {"operationId": "createIssue", "requestBody": {
                "required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Issue"}}}}},
        },
        "/projects/{project}/issues/{key}": {
            "parameters": [{"$ref": "#/components/parameters/Project"},
                           {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "Una incidencia"},
            "delete": {"operationId": "deleteIssue"},
        },
    },
}  # fmt: skip

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Petstore"},
    "host": "petstore.example.com",
    "basePath": "/v2",
    "schemes": ["https"],
    "definitions": {"Pet": PET, "Dog": {"allOf": [{"$ref": "#/definitions/Pet"},
                                                  {"properties": {"breed": {"type": "string"}}}]}},
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "parameters": [{"name": "limit", "in": "query", "type": "integer"}]},
            "post": {"operationId": "addPet",
                     "parameters": [{"name": "pet", "in": "body", "required": True,
                                     "schema": {"$ref": "#/definitions/Dog"}}]},
        },
        "/pets/{petId}": {"parameters": [{"name": "petId", "in": "path", "required": True, "type": "integer"}],
                          "get": {"operationId": "getPet"}},
    },
}  # fmt: skip


def test_openapi_3_with_refs_all_of_and_path_level_parameters() -> None:
    learned = learn(OPENAPI, "https://jira.example.com/openapi.json")
    assert (learned.title, learned.base_url) == ("Jira API", "https://jira.example.com/rest/api/3")
    assert [(o.name, o.method) for o in learned.operations] == [
        ("listIssues", "GET"), ("createIssue", "POST"), ("get_projects_project_issues_key", "GET"),
        ("deleteIssue", "DELETE"),
    ]  # fmt: skip
    listing, creating, reading, _ = learned.operations
    assert listing.parameters["required"] == ["project"]
    assert listing.locations == {"project": "path", "limit": "query"}
    body = creating.parameters["properties"]["body"]
    assert set(body["properties"]) == {"id", "summary"}
    assert body["required"] == ["id"]
    assert creating.parameters["required"] == ["body", "project"]
    assert reading.locations == {"project": "path", "key": "path"}
    assert reading.summary == "Una incidencia"


def test_swagger_2_with_refs_all_of_and_body_parameters() -> None:
    learned = learn(SWAGGER)
    assert (learned.title, learned.base_url) == ("Petstore", "https://petstore.example.com/v2")
    assert [o.name for o in learned.operations] == ["listPets", "addPet", "getPet"]
    listing, adding, getting = learned.operations
    assert listing.parameters["properties"]["limit"] == {"type": "integer"}
    assert set(adding.parameters["properties"]["body"]["properties"]) == {"name", "breed"}
    assert adding.locations == {"body": "body"}
    assert adding.parameters["required"] == ["body"]
    assert getting.parameters["required"] == ["petId"]
    assert getting.locations == {"petId": "path"}


@pytest.mark.parametrize("document", [{}, {"openapi": "3.0.0"}, {"swagger": "1.2", "paths": {}}, [1, 2],
                                      {"openapi": "3.0.0", "paths": {"/x": {"get": {"parameters": [
                                          {"$ref": "https://evil.example.com/p.json"}]}}}}])  # fmt: skip
def test_what_is_not_a_document_is_refused(document: object) -> None:
    with pytest.raises(InvalidDocument):
        learn(document)


def test_reference_cycles_end() -> None:
    cyclic = {"openapi": "3.1.0", "info": {}, "components": {"schemas": {"Node": {
        "type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}},
        "paths": {"/n": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Node"}}}}}}}}  # fmt: skip
    [operation] = learn(cyclic).operations
    assert operation.parameters["properties"]["body"]["properties"]["next"]["type"] == "object"
