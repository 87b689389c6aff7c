"""Leaderboards of the current week, month and year, from pre-aggregated totals."""
from datetime import timedelta

import pytest

from shanxing_common.testing import deliver


@pytest.fixture
def confirm(world):
    admin_id, org_id = world.organizer()

    def confirm(hours_by_volunteer: dict[str, object]):
        start = world.clock.now() + timedelta(minutes=5)
        activity = world.published_activity(org_id, admin_id, starts_at=start.isoformat(),
                                            ends_at=(start + timedelta(hours=4)).isoformat())
        for volunteer_id in hours_by_volunteer:
            assert world.sign_up(activity["id"], volunteer_id).status_code == 201
        world.clock.advance(minutes=10)
        records = [{"volunteer_id": v, "hours": h} for v, h in hours_by_volunteer.items()]
        resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours", json={"records": records},
                                 headers=world.person(admin_id))
        assert resp.status_code == 201, resp.get_json()
        world.clock.advance(hours=4)  # past its end: the next activity does not overlap (no double-booking)

    return confirm


def board(world, **query):
    resp = world.client.get("/api/v1/leaderboards", query_string={"scope": "volunteer"} | query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_ties_share_a_rank_and_names_are_masked(world, confirm):
    a, b, c = world.volunteer("王*明"), world.volunteer("李*"), world.volunteer("赵*华")
    confirm({a: "2.50", b: 1, c: 2.5})
    confirm({b: 1.5})  # b reaches 2.50 too
    result = board(world, period="week")
    assert result["period"] == "week" and result["scope"] == "volunteer"
    assert result["period_start"] == "2030-06-03"  # the Monday of that week
    items = result["items"]
    assert [i["rank"] for i in items] == [1, 1, 1]
    assert {i["volunteer_id"] for i in items} == {a, b, c} and {i["hours"] for i in items} == {2.5}
    confirm({c: 1})
    items = board(world, period="week")["items"]
    assert [(i["rank"], i["volunteer_id"], i["hours"]) for i in items][0] == (1, c, 3.5)
    assert [i["rank"] for i in items] == [1, 2, 2]
    assert {i["name"] for i in items} == {"王*明", "李*", "赵*华"}


def test_limit_cuts_the_board(world, confirm):
    volunteers = [world.volunteer() for _ in range(4)]
    confirm({v: i + 1 for i, v in enumerate(volunteers)})
    items = board(world, period="month", limit=2)["items"]
    assert [i["volunteer_id"] for i in items] == volunteers[:1:-1] and [i["rank"] for i in items] == [1, 2]


def test_each_period_counts_only_its_own_hours(world, confirm):
    volunteer = world.volunteer()
    confirm({volunteer: 2})
    world.clock.advance(days=5)  # Monday 2030-06-10: a new week, the same month
    assert board(world, period="week")["items"] == []
    assert board(world, period="month")["items"][0]["hours"] == 2
    confirm({volunteer: 1})
    assert board(world, period="week")["items"][0]["hours"] == 1
    assert board(world, period="month")["items"][0]["hours"] == 3
    world.clock.advance(days=21)  # July: a new month, the same year
    assert board(world, period="month")["items"] == []
    year = board(world, period="year")
    assert year["period_start"] == "2030-01-01" and year["items"][0]["hours"] == 3


def test_a_renamed_volunteer_shows_the_new_masked_name(world, confirm):
    volunteer = world.volunteer("王*明")
    confirm({volunteer: 1})
    deliver(world.app, "registry.volunteer_updated.v1", {
        "volunteer_id": volunteer, "display_name": "王*", "region_code": "110105", "skills": [],
        "preferences": []})
    assert board(world, period="year")["items"][0]["name"] == "王*"


def test_bad_period_or_scope_is_named(world, problem):
    problem(world.client.get("/api/v1/leaderboards", query_string={"period": "day"}), 400, "period")
    problem(world.client.get("/api/v1/leaderboards", query_string={"scope": "galaxy"}), 400, "scope")
    problem(world.client.get("/api/v1/leaderboards", query_string={"limit": 101}), 400, "limit")
