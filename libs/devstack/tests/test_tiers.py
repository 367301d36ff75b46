"""The tier a test lands in follows from the fixtures it uses, so a plain new test is `unit`."""

from dataclasses import dataclass, field

import pytest

from devstack.pytest_plugin import tier_of


@dataclass
class _Item:
    fixturenames: list[str]
    markers: set[str] = field(default_factory=set)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None


@pytest.mark.parametrize(
    ("fixtures", "markers", "tier"),
    [
        ([], set(), "unit"),
        (["tmp_path", "monkeypatch"], set(), "unit"),
        (["platform_database", "platform_engines"], set(), "engines"),
        (["scratch_schema", "platform_engines"], set(), "engines"),
        # A conftest's `workspace` built on `gateway`: the closure names platform_stack.
        (["workspace", "gateway", "platform_stack", "platform_database", "platform_engines"], set(), "stack"),
        (["isolated_stack", "tmp_path"], set(), "stack"),
        (["tmp_path"], {"stack"}, "stack"),  # starts processes of its own and says so
        (["platform_stack"], {"unit"}, "stack"),  # a marker never hides what the fixtures need
    ],
)
def test_the_tier_follows_the_fixtures(fixtures: list[str], markers: set[str], tier: str) -> None:
    assert tier_of(_Item(fixtures, markers)) == tier  # type: ignore[arg-type]


def test_this_very_test_is_in_the_unit_tier(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("unit") is not None
    assert request.node.get_closest_marker("stack") is None
