from shared.ids import uuid7


def test_uuid7_has_version_7_and_sorts_by_time() -> None:
    ids = [uuid7() for _ in range(1000)]
    assert all(value.version == 7 for value in ids)
    assert [value.int >> 80 for value in ids] == sorted(value.int >> 80 for value in ids)
