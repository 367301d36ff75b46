"""A consumer's view of another service's event must match the publisher's model.

Services never import each other, so a consumer declares the fields it reads (`events.py`).
This test, which may import every service, fails when a publisher renames, drops or retypes a
field some consumer relies on.
"""

import importlib
from typing import Any

import pytest

from shared.events import Event

SERVICES = ("auth", "agro", "ingest", "brain", "webhooks", "bots", "chat")


def _models() -> list[tuple[str, type[Event]]]:
    found = []
    for service in SERVICES:
        module = importlib.import_module(f"{service}.events")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Event)
                and value is not Event
                and hasattr(value, "subject")
            ):
                found.append((service, value))
    return found


def _publishers() -> dict[str, type[Event]]:
    owners = {}
    for service in SERVICES:
        for model in getattr(importlib.import_module(f"{service}.events"), "PUBLISHED", []):
            assert model.subject not in owners, f"{model.subject} is published by two services"
            owners[model.subject] = model
    return owners


def _shape(schema: Any, defs: dict[str, Any]) -> Any:
    """A property's JSON schema, references resolved, without the words: what a payload must look like."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _shape(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        words = {"title", "description", "default", "examples"}
        return {k: _shape(v, defs) for k, v in schema.items() if k not in words}
    if isinstance(schema, list):
        return [_shape(v, defs) for v in schema]
    return schema


VIEWS = [(service, model) for service, model in _models() if _publishers().get(model.subject) not in (None, model)]


def test_every_consumed_subject_has_a_publisher() -> None:
    owners = _publishers()
    orphans = [f"{service}: {model.subject}" for service, model in VIEWS if model.subject not in owners]
    assert not orphans
    assert VIEWS, "no consumer views found"


@pytest.mark.parametrize(("service", "view"), VIEWS, ids=lambda v: getattr(v, "subject", v))
def test_a_consumers_view_matches_the_publishers_model(service: str, view: type[Event]) -> None:
    owner = _publishers()[view.subject]
    published = owner.model_json_schema()
    read = view.model_json_schema()
    for name, prop in read["properties"].items():
        assert name in published["properties"], f"{service} reads {view.subject}.{name}, which is not published"
        expected = _shape(published["properties"][name], published.get("$defs", {}))
        assert _shape(prop, read.get("$defs", {})) == expected, (
            f"{view.subject}.{name}: {service} expects {prop}, the publisher sends {published['properties'][name]}"
        )
        if name in read.get("required", []):
            assert name in published.get("required", []) or "default" in published["properties"][name]
