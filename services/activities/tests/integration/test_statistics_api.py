"""GET /api/v1/statistics: activities, participants and hours per month or year of an organization
or a region, kept in the hours transaction (revocations included)."""
from datetime import timedelta

import pytest

from .conftest import assert_problem


@pytest.fixture
def serve(world):
    def serve(organization_id, admin_id, hours_by_volunteer):
        start = world.clock.now() + timedelta(minutes=5)
        activity = world.published_activity(organization_id, admin_id, starts_at=start.isoformat(),
                                            ends_at=(start + timedelta(hours=4)).isoformat())
        for volunteer_id in hours_by_volunteer:
            assert world.sign_up(activity["id"], volunteer_id).status_code == 201
        world.clock.advance(minutes=10)
        resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours", json={"records": [
            {"volunteer_id": v, "hours": h} for v, h in hours_by_volunteer.items()]},
            headers=world.person(admin_id))
        assert resp.status_code == 201, resp.get_json()
        world.clock.advance(hours=4)
        return activity, {r["volunteer_id"]: r["id"] for r in resp.get_json()["records"]}

    return serve


def stats(world, headers=None, **query):
    resp = world.client.get("/api/v1/statistics", query_string=query, headers=headers or world.ops)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def revoke(world, activity, record_id, admin):
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours/{record_id}/revoke",
                             json={"reason": "核实未到场"}, headers=world.person(admin))
    assert resp.status_code == 200, resp.get_json()


def test_series_of_a_region_and_an_organization(world, serve):
    admin = world.volunteer("李*组")
    street_a = world.organization(admin, region_code="110105001")
    street_b = world.organization(admin, region_code="110105002")
    v1, v2, _idle = world.volunteer(), world.volunteer(), world.volunteer()
    first, records_a = serve(street_a, admin, {v1: 3, v2: 1})
    second, records_b = serve(street_b, admin, {v1: 2})

    region = stats(world, region_code="110105", **{"from": "2030-05-01", "to": "2030-06-30"})
    assert region["scope"] == "region" and region["volunteers"] == 4  # admin + three, all in 110105
    may, june = region["items"]
    assert may == {"period_start": "2030-05-01", "activities": 0, "participants": 0, "hours": 0,
                   "participation_rate": 0, "hours_per_capita": None}
    assert june == {"period_start": "2030-06-01", "activities": 2, "participants": 2, "hours": 6,
                    "participation_rate": 0.5, "hours_per_capita": 3}

    organization = stats(world, headers=world.person(admin), organization_id=street_a, period="year",
                         **{"from": "2030-01-01", "to": "2030-12-31"})
    assert organization["region_code"] == "110105001" and organization["volunteers"] == 0
    assert [(i["activities"], i["participants"], i["hours"], i["participation_rate"])
            for i in organization["items"]] == [(1, 2, 4, None)]

    revoke(world, first, records_a[v2], admin)
    revoke(world, second, records_b[v1], admin)
    june = stats(world, region_code="110105", **{"from": "2030-06-01", "to": "2030-06-01"})["items"][0]
    assert (june["activities"], june["participants"], june["hours"], june["hours_per_capita"]) == (1, 1, 3, 3)


def test_default_range_is_the_last_twelve_months(world):
    items = stats(world, region_code="11")["items"]
    assert [items[0]["period_start"], items[-1]["period_start"], len(items)] == ["2029-07-01", "2030-06-01", 12]
    years = stats(world, region_code="11", period="year")["items"]
    assert [y["period_start"] for y in years] == [f"{y}-01-01" for y in range(2026, 2031)]


def test_who_may_see_and_bad_queries(world):
    admin = world.volunteer("李*组")
    street = world.organization(admin, region_code="110105001")
    assert stats(world, headers=world.person(admin), region_code="110105001001")["region_code"] == "110105001001"
    assert_problem(world.client.get("/api/v1/statistics", query_string={"region_code": "110105"},
                                    headers=world.person(admin)), 403)
    stranger = world.volunteer()
    assert_problem(world.client.get("/api/v1/statistics", query_string={"organization_id": street},
                                    headers=world.person(stranger)), 403)
    for query, field in (({}, "organization_id"), ({"organization_id": street, "region_code": "11"}, "region_code"),
                         ({"region_code": "1x"}, "region_code"), ({"organization_id": "nope"}, "organization_id"),
                         ({"region_code": "11", "from": "2030-02-01", "to": "2030-01-01"}, "from"),
                         ({"region_code": "11", "from": "2000-01-01"}, "from"),
                         ({"region_code": "11", "period": "week"}, "period"),
                         ({"region_code": "11", "to": "June"}, "to")):
        assert_problem(world.client.get("/api/v1/statistics", query_string=query, headers=world.ops), 400, field)
