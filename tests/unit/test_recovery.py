"""The quarantine's markers and its decision at start (pure logic)."""
import pytest

from transforms.io.recovery import Marker, RecoveryPlan, marker_key, plan_recovery


def test_marker_round_trip_and_garbage():
    m = Marker("probe", 10, 14, 1)
    assert Marker.from_bytes(m.to_bytes()) == m
    for junk in (None, b"", b"not json", b"[]", b'{"start": 1}', b"\xff\xfe"):
        assert Marker.from_bytes(junk) is None


def test_marker_keys_separate_groups_topics_and_partitions():
    keys = {marker_key(g, t, p) for g in ("a", "b") for t in ("x", "y") for p in (0, 1)}
    assert len(keys) == 8


@pytest.mark.parametrize("marker", [None, Marker("clean", 5)])
def test_a_clean_or_unknown_end_starts_normally(marker):
    assert plan_recovery(5, marker, 2) == RecoveryPlan()


def test_a_death_without_a_chunk_in_flight_reads_carefully():
    assert plan_recovery(5, Marker("run", 0), 2) == RecoveryPlan(careful=True)
    # a probe whose chunk was committed afterwards: that chunk is innocent
    assert plan_recovery(9, Marker("probe", 5, 9), 2) == RecoveryPlan(careful=True)


def test_a_chunk_in_flight_at_a_death_is_read_one_by_one():
    assert plan_recovery(5, Marker("probe", 5, 9), 2) == RecoveryPlan(careful=True, single_until=9)


def test_a_single_message_in_flight_counts_deaths_then_is_quarantined():
    first = plan_recovery(5, Marker("probe", 5, 6, 0), 2)
    assert first == RecoveryPlan(careful=True, single_until=6, crashes=1)
    second = plan_recovery(5, Marker("probe", 5, 6, first.crashes), 2)
    assert second.quarantine and second.crashes == 2


def test_zero_restarts_disables_the_quarantine():
    assert plan_recovery(5, Marker("probe", 5, 6, 7), 0) == RecoveryPlan()
