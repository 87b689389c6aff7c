from datetime import datetime, timedelta, timezone

import pytest

from shanxing_activities.domain.demands import (DEMAND_LOOP, STATUSES, DemandDraft, funding_errors,
                                                rating_errors, validate_demand)

NOW = datetime(2030, 6, 5, 2, 0, tzinfo=timezone.utc)

ALLOWED = {
    ("ordered", "dispatch"): "dispatched",
    ("dispatched", "fund"): "funded",
    ("funded", "accept"): "accepted",
    ("accepted", "start_service"): "in_service",
    ("in_service", "finish_service"): "served",
    ("in_service", "reopen"): "accepted",
    ("served", "rate"): "rated",
    ("ordered", "cancel"): "cancelled",
    ("dispatched", "cancel"): "cancelled",
    ("funded", "cancel"): "cancelled",
}
ACTIONS = ("dispatch", "fund", "accept", "start_service", "finish_service", "reopen", "rate", "cancel")


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_is_allowed_or_refused_as_the_loop_says(current, action):
    expected = ALLOWED.get((current, action))
    assert DEMAND_LOOP.next_status(current, action) == expected
    assert DEMAND_LOOP.allows(current, action) is (expected is not None)
    if expected is None:
        assert current in DEMAND_LOOP.refusal(current, action)


def draft(**overrides) -> DemandDraft:
    values = dict(category="elderly", description="帮忙买菜", address="朝阳区某小区", latitude=39.9,
                  longitude=116.4, wanted_from=NOW, wanted_until=NOW + timedelta(days=1), region_code="110105001")
    values.update(overrides)
    return DemandDraft(**values)


def test_a_sound_demand_passes():
    assert validate_demand(draft(), NOW) == {}


@pytest.mark.parametrize("overrides, field", [
    ({"category": " "}, "category"), ({"description": ""}, "description"), ({"address": "x" * 201}, "address"),
    ({"latitude": 91.0}, "latitude"), ({"longitude": -181.0}, "longitude"), ({"region_code": "11a"}, "region_code"),
    ({"region_code": "1"}, "region_code"), ({"wanted_until": NOW}, "wanted_until"),
    ({"wanted_until": NOW + timedelta(days=91)}, "wanted_until"),
    ({"wanted_from": NOW - timedelta(days=3), "wanted_until": NOW - timedelta(days=1)}, "wanted_until"),
])
def test_each_broken_field_is_named(overrides, field):
    assert field in validate_demand(draft(**overrides), NOW)


def test_funding_and_rating_rules():
    assert funding_errors(100, "区财政") == {}
    assert set(funding_errors(0, "")) == {"amount_cents", "source"}
    assert "amount_cents" in funding_errors(True, "x") and "amount_cents" in funding_errors(1.5, "x")
    assert rating_errors(5, "") == {} and rating_errors(1, "x" * 500) == {}
    assert set(rating_errors(6, "x" * 501)) == {"score", "comment"}
    assert "score" in rating_errors(0, "")
