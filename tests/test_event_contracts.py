"""Published events are contracts: with our consumers (their views) and with webhook customers.

Services never import each other, so a consumer declares the fields it reads (its `events.py`),
and webhooks forwards a publisher's whole `data` to customers. The committed snapshots in
`tests/contracts/` (written by `make contracts`) are the contract: a publisher may add a field
to one, never remove, rename or retype one; every consumer view and every webhook name must be
satisfied by them. This test, which may import every service, fails when that is broken.
"""

import importlib
import json
from typing import Any

import pytest
from pydantic import create_model

from devstack import contracts
from shared.events import Event

SERVICES = contracts.services_with_events()
PUBLISHED = contracts.published(SERVICES)
SNAPSHOTS = contracts.load()
# Every typed event a service defines for a subject another service publishes (or that nobody does).
VIEWS = [
    (service, model)
    for service in SERVICES
    for model in contracts.event_models(service)
    if PUBLISHED.get(model.subject, (None, None))[1] is not model
]


def _orphans(views: list[tuple[str, type[Event]]], snapshots: dict[str, Any]) -> list[str]:
    return [f"{service}: {model.subject}" for service, model in views if model.subject not in snapshots]


def _view_mismatches(service: str, view: type[Event], snapshot: dict[str, Any]) -> list[str]:
    """What `view` reads that the snapshot does not promise (missing, or of another shape)."""
    published = snapshot["fields"]
    problems = []
    for name, expected in contracts.fields(view).items():
        if name not in published:
            problems.append(f"{service} reads {view.subject}.{name}, which is not published")
        elif expected != published[name]:
            sent = published[name]
            problems.append(f"{view.subject}.{name}: {service} expects {expected}, the publisher sends {sent}")
    return problems


# -- the publishers' side ----------------------------------------------------------------------


def test_the_views_and_snapshots_were_found() -> None:
    assert VIEWS, "no consumer views found"
    assert len(SNAPSHOTS) >= len(PUBLISHED) > 0


@pytest.mark.parametrize("subject", sorted(PUBLISHED))
def test_a_publisher_changes_its_payload_only_by_adding_fields(subject: str) -> None:
    service, model = PUBLISHED[subject]
    assert subject in SNAPSHOTS, f"{subject} ({service}) has no snapshot: run `make contracts` and commit it"
    committed = SNAPSHOTS[subject]
    breaking = contracts.breaking_changes(committed["fields"], contracts.fields(model))
    assert not breaking, (
        f"{service} changed {subject} in a way that breaks its consumers and webhook customers: {breaking}. "
        "Publish a new subject instead."
    )
    assert committed["publisher"] == service, f"{subject} moved from {committed['publisher']} to {service}"


@pytest.mark.parametrize("subject", sorted(PUBLISHED))
def test_every_published_field_is_in_the_snapshot(subject: str) -> None:
    """An added field is fine; it belongs in the contract too, so customers can rely on it."""
    service, model = PUBLISHED[subject]
    assert SNAPSHOTS.get(subject) == contracts.snapshot(service, model), f"{subject}: run `make contracts`"


def test_a_published_subject_is_never_withdrawn() -> None:
    withdrawn = sorted(set(SNAPSHOTS) - set(PUBLISHED))
    assert not withdrawn, f"snapshots with no publisher any more: {withdrawn}"


def test_the_additive_rule_catches_what_breaks_a_reader() -> None:
    before = {"id": {"type": "integer"}, "descripcion": {"type": "string"}}
    assert contracts.breaking_changes(before, {**before, "added": {"type": "string"}}) == []
    assert contracts.breaking_changes(before, {"id": {"type": "integer"}}) == ["descripcion removed"]
    assert contracts.breaking_changes(before, {"id": {"type": "integer"}, "description": {"type": "string"}}) == [
        "descripcion removed"
    ]
    retyped = contracts.breaking_changes(before, {**before, "id": {"type": "string"}})
    assert len(retyped) == 1
    assert retyped[0].startswith("id retyped")
    nullable: dict[str, dict[str, Any]] = {**before, "id": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}
    assert contracts.breaking_changes(before, nullable)


def test_dropping_descripcion_from_brains_suggestion_is_caught() -> None:
    """What issue 21 names: every customer of `task.suggested` reads `descripcion`."""
    _, model = PUBLISHED["brain.task.suggested"]
    kept = {name: (info.annotation, info) for name, info in model.model_fields.items() if name != "descripcion"}
    without = create_model("TaskSuggestedWithout", __base__=Event, **kept)  # type: ignore[call-overload]
    assert contracts.breaking_changes(SNAPSHOTS["brain.task.suggested"]["fields"], contracts.fields(without)) == [
        "descripcion removed"
    ]


def test_the_snapshots_are_what_make_contracts_writes() -> None:
    for subject, data in SNAPSHOTS.items():
        text = contracts.path_for(subject).read_text()
        assert text == contracts.render(json.loads(text)), f"{subject}: not in `make contracts`' format"
        assert contracts.path_for(data["subject"]).name == f"{subject}.json"


# -- the consumers' side -----------------------------------------------------------------------


def test_every_consumed_subject_has_a_publisher() -> None:
    orphans = _orphans(VIEWS, SNAPSHOTS)
    assert not orphans, f"views of subjects nobody publishes: {orphans}"


def test_the_orphan_check_catches_a_planted_orphan() -> None:
    class Planted(Event):
        subject = "nobody.publishes.this"
        anything: int

    assert _orphans([*VIEWS, ("planted", Planted)], SNAPSHOTS) == ["planted: nobody.publishes.this"]


@pytest.mark.parametrize(("service", "view"), VIEWS, ids=lambda v: getattr(v, "subject", v))
def test_a_consumers_view_matches_the_snapshot(service: str, view: type[Event]) -> None:
    snapshot = SNAPSHOTS.get(view.subject)
    assert snapshot is not None, f"{service} consumes {view.subject}, which nobody publishes"
    assert not _view_mismatches(service, view, snapshot)
    # A field the view cannot do without is in every payload (the outbox dumps every field).
    assert contracts.required(view) <= set(snapshot["fields"])


def test_the_view_check_catches_a_planted_mismatch() -> None:
    class Misread(Event):
        subject = "brain.task.suggested"
        parcela_id: str
        description: str

    assert len(_view_mismatches("planted", Misread, SNAPSHOTS["brain.task.suggested"])) == 2


# -- the customers' side: webhooks forward the publisher's whole `data` ----------------------------


CATALOGUE = importlib.import_module("webhooks.catalog").NAMES


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.name)
def test_every_webhook_payload_is_a_published_snapshot(entry: Any) -> None:
    if entry.source is None:  # a name whose publisher has not landed yet
        return
    subject = entry.source.subject
    assert subject in SNAPSHOTS, f"webhook {entry.name} forwards {subject}, which nobody publishes"
    payload = SNAPSHOTS[subject]["fields"]
    missing = [name for name in entry.secret_fields if name not in payload]
    assert not missing, f"webhook {entry.name} hides {missing} from its log, fields {subject} does not carry"


def test_no_webhook_name_is_withdrawn_or_repointed() -> None:
    committed = json.loads(contracts.WEBHOOK_NAMES.read_text())
    assert not contracts.withdrawn_webhook_names(committed, contracts.webhook_names())
    assert committed == contracts.webhook_names(), "a new webhook name: run `make contracts`"


def test_the_webhook_name_check_catches_a_removal_and_a_repointing() -> None:
    before = {"task.suggested": "agro.task.suggested", "alert.cleared": "brain.alert.cleared"}
    assert contracts.withdrawn_webhook_names(before, {**before, "new.name": "x"}) == []
    assert contracts.withdrawn_webhook_names(before, {"task.suggested": "brain.task.suggested"}) == [
        "webhook task.suggested now delivers brain.task.suggested instead of agro.task.suggested",
        "webhook alert.cleared removed",
    ]
