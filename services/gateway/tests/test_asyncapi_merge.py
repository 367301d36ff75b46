"""Merging the services' AsyncAPI documents: a clashing component is renamed with its references."""

from gateway.openapi import merge_asyncapi


def _document(channel: str, schema_type: str) -> dict[str, object]:
    return {
        "channels": {channel: {"messages": {"M": {"$ref": "#/components/messages/M"}}}},
        "operations": {},
        "components": {
            "messages": {"M": {"payload": {"$ref": "#/components/schemas/S"}, "from": channel}},
            "schemas": {"S": {"type": schema_type}},
        },
    }


def test_a_clash_is_prefixed_with_its_service_and_its_references_follow() -> None:
    merged = merge_asyncapi({"a": _document("a", "object"), "b": _document("b", "string")}, {"info": {}})
    assert merged["channels"]["a"]["messages"]["M"] == {"$ref": "#/components/messages/M"}
    assert merged["channels"]["b"]["messages"]["M"] == {"$ref": "#/components/messages/b__M"}
    assert merged["components"]["messages"]["b__M"]["payload"] == {"$ref": "#/components/schemas/b__S"}
    assert merged["components"]["schemas"] == {"S": {"type": "object"}, "b__S": {"type": "string"}}
