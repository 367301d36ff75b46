from shared.ids import PrefixedId, uuid7


def test_uuid7_has_version_7_and_sorts_by_time() -> None:
    ids = [uuid7() for _ in range(1000)]
    assert all(value.version == 7 for value in ids)
    assert [value.int >> 80 for value in ids] == sorted(value.int >> 80 for value in ids)


def test_uuid7_made_one_after_another_sort_in_that_order() -> None:
    ids = [uuid7() for _ in range(10_000)]  # many share a millisecond
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(value.variant == "specified in RFC 4122" for value in ids)


def test_a_prefixed_id_round_trips_and_refuses_anything_else() -> None:
    conversations = PrefixedId("conv_")
    assert conversations.format(12) == "conv_12"
    assert conversations.parse("conv_12") == 12
    assert conversations.parse("12") == 12  # the bare number, as the services always took it
    for other in ("wh_12", "conv_", "conv_-1", "conv_1.5", "conv_²", "conv_" + "9" * 19):
        assert conversations.parse(other) is None, other
