"""Snapshots of every published event's payload: the contract consumers and customers rely on.

webhooks forwards a publisher's whole `data` to customers, so a publisher's payload is a public
contract even where no service of ours reads a field. Each published subject's shape is kept
as `tests/contracts/<subject>.json`, written from the typed events in each service's
`events.py` by `make contracts` (`python -m devstack.contracts`; with `--check` it only
compares, for `make lint` and pre-commit). The writer, like `tests/test_event_contracts.py`,
accepts only additive changes: a field may be added, never removed, renamed or retyped (a
breaking change is a new subject, e.g. `agro.task.suggested.v2`).
"""

import importlib
import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from devstack.catalog import REPO_ROOT, discover
from shared.events import Event

SNAPSHOTS = REPO_ROOT / "tests" / "contracts"
# The words of a JSON schema, not its shape: changing them breaks no payload.
_WORDS = frozenset({"title", "description", "default", "examples"})

Shape = dict[str, Any]


def services_with_events(root: Path = REPO_ROOT) -> list[str]:
    """Every service package with an `events.py`."""
    return [spec.name for spec in discover(root) if (spec.directory / "src" / spec.name / "events.py").exists()]


def event_models(service: str) -> list[type[Event]]:
    """Every typed event (with a subject) defined in `service`'s `events.py`, published or consumed."""
    module = importlib.import_module(f"{service}.events")
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Event)
        and value is not Event
        and value.__module__ == module.__name__
        and hasattr(value, "subject")
    ]


def published(services: Iterable[str]) -> dict[str, tuple[str, type[Event]]]:
    """subject -> (publishing service, its model), from each service's `PUBLISHED` list."""
    owners: dict[str, tuple[str, type[Event]]] = {}
    for service in services:
        for model in getattr(importlib.import_module(f"{service}.events"), "PUBLISHED", []):
            if model.subject in owners:
                raise ValueError(f"{model.subject} is published by {owners[model.subject][0]} and {service}")
            owners[model.subject] = (service, model)
    return owners


def shape(schema: Any, defs: Mapping[str, Any]) -> Any:
    """A JSON schema with references resolved and without the words: what a value must look like."""
    if isinstance(schema, dict):
        if "$ref" in schema:
            return shape(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: shape(value, defs) for key, value in schema.items() if key not in _WORDS}
    if isinstance(schema, list):
        return [shape(value, defs) for value in schema]
    return schema


def fields(model: type[Event]) -> dict[str, Shape]:
    """Field name -> its shape. Every field is in every payload (the outbox dumps them all)."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    return {name: shape(prop, defs) for name, prop in sorted(schema.get("properties", {}).items())}


def required(model: type[Event]) -> set[str]:
    """The fields a model refuses a payload without (what a consumer's view demands)."""
    return set(model.model_json_schema().get("required", []))


def snapshot(publisher: str, model: type[Event]) -> dict[str, Any]:
    return {"subject": model.subject, "publisher": publisher, "fields": fields(model)}


def breaking_changes(before: Mapping[str, Shape], after: Mapping[str, Shape]) -> list[str]:
    """What a change from `before` to `after` (field -> shape) takes away from a payload's readers.

    Adding a field takes nothing away; removing, renaming (a removal) or retyping one does.
    """
    found = []
    for name, was in before.items():
        if name not in after:
            found.append(f"{name} removed")
        elif after[name] != was:
            now = json.dumps(after[name], sort_keys=True)
            found.append(f"{name} retyped: {json.dumps(was, sort_keys=True)} -> {now}")
    return found


def path_for(subject: str, directory: Path = SNAPSHOTS) -> Path:
    return directory / f"{subject}.json"


def load(directory: Path = SNAPSHOTS) -> dict[str, dict[str, Any]]:
    """subject -> its committed snapshot."""
    return {
        data["subject"]: data for data in (json.loads(path.read_text()) for path in sorted(directory.glob("*.json")))
    }


WEBHOOK_NAMES = SNAPSHOTS / "webhooks" / "names.json"


def webhook_names() -> dict[str, str | None]:
    """Each webhook name customers subscribe to -> the subject whose whole `data` it delivers
    (None: its publisher has not landed yet)."""
    catalog = importlib.import_module("webhooks.catalog")
    return {entry.name: entry.source.subject if entry.source else None for entry in catalog.NAMES}


def withdrawn_webhook_names(before: Mapping[str, str | None], after: Mapping[str, str | None]) -> list[str]:
    """Names customers lost: removed, or now delivering another subject's payload."""
    found = []
    for name, subject in before.items():
        if name not in after:
            found.append(f"webhook {name} removed")
        elif subject is not None and after[name] != subject:
            found.append(f"webhook {name} now delivers {after[name]} instead of {subject}")
    return found


def render(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(directory: Path = SNAPSHOTS, *, check: bool = False) -> list[str]:
    """Write every published subject's snapshot; refuse (and write nothing) if one would break.

    Returns the breaking changes found; empty when the snapshots were written. With `check`,
    writes nothing and also reports a snapshot that is not what it would write.
    """
    current = {
        subject: snapshot(service, model) for subject, (service, model) in published(services_with_events()).items()
    }
    committed = load(directory) if directory.exists() else {}
    problems = [f"{subject} is no longer published" for subject in committed if subject not in current]
    for subject, data in committed.items():
        if subject in current:
            changes = breaking_changes(data["fields"], current[subject]["fields"])
            problems += [f"{subject}: {change}" for change in changes]
    names = webhook_names()
    names_path = directory / WEBHOOK_NAMES.relative_to(SNAPSHOTS)
    if names_path.exists():
        problems += withdrawn_webhook_names(json.loads(names_path.read_text()), names)
    if check:
        problems += [
            f"{subject}: snapshot out of date, run `make contracts`"
            for subject, data in current.items()
            if committed.get(subject) != data
        ]
        if names_path.exists() and json.loads(names_path.read_text()) != names:
            problems.append("webhook names out of date, run `make contracts`")
    if problems or check:
        return problems
    names_path.parent.mkdir(parents=True, exist_ok=True)
    for subject, data in current.items():
        path_for(subject, directory).write_text(render(data))
    names_path.write_text(render(names))
    return []


def main(argv: list[str]) -> int:
    check = "--check" in argv
    problems = write(check=check)
    if check:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if problems:
        print("Not written: these changes would break consumers and webhook customers.", file=sys.stderr)
        print("Publish a new subject (e.g. <subject>.v2) instead of changing a published one:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"event snapshots written to {SNAPSHOTS.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
