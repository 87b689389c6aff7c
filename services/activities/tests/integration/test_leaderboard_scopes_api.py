"""Leaderboards by team, organization and region, "my rank", and revocation on every scope."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from shanxing_activities.adapters.models import hours_distribution, hours_records
from shanxing_common.testing import outbox_events

from .conftest import assert_problem


@pytest.fixture
def serve(world):
    """serve(org, admin, {volunteer: hours}, team_id=None) → the confirmed records."""

    def serve(organization_id, admin_id, hours_by_volunteer, team_id=None):
        start = world.clock.now() + timedelta(minutes=5)
        extra = {"team_id": team_id} if team_id else {}
        activity = world.published_activity(organization_id, admin_id, starts_at=start.isoformat(),
                                            ends_at=(start + timedelta(hours=4)).isoformat(), **extra)
        assert activity["team_id"] == team_id
        for volunteer_id in hours_by_volunteer:
            assert world.sign_up(activity["id"], volunteer_id).status_code == 201
        world.clock.advance(minutes=10)
        resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours", json={"records": [
            {"volunteer_id": v, "hours": h} for v, h in hours_by_volunteer.items()]},
            headers=world.person(admin_id))
        assert resp.status_code == 201, resp.get_json()
        world.clock.advance(hours=4)
        return activity, resp.get_json()["records"]

    return serve


def board(world, **query):
    resp = world.client.get("/api/v1/leaderboards", query_string=query)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def me(world, volunteer_id, period="week"):
    resp = world.client.get("/api/v1/leaderboards/me", query_string={"period": period},
                            headers=world.person(volunteer_id))
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_organizations_teams_and_regions_rank_by_their_hours(world, serve):
    admin = world.volunteer("李*组")
    street_a = world.organization(admin, region_code="110105001")
    street_b = world.organization(admin, region_code="110105002")
    other_district = world.organization(admin, region_code="110108001")
    v1, v2, v3 = world.volunteer(), world.volunteer(), world.volunteer()
    serve(street_a, admin, {v1: 3, v2: 1}, team_id="team-red")
    serve(street_b, admin, {v3: 2}, team_id="team-blue")
    serve(other_district, admin, {v1: "0.50"})

    organizations = board(world, period="week", scope="organization")
    assert [(i["rank"], i["organization_id"], i["hours"]) for i in organizations["items"]] == [
        (1, street_a, 4), (2, street_b, 2), (3, other_district, 0.5)]
    assert organizations["items"][0]["name"] == "朝阳区志愿服务队"

    teams = board(world, period="month", scope="team")["items"]
    assert [(i["team_id"], i["hours"]) for i in teams] == [("team-red", 4), ("team-blue", 2)]

    # The district ranks its streets; the city its districts; no code: the provinces.
    streets = board(world, period="year", scope="region", region_code="110105")
    assert streets["region_code"] == "110105"
    assert [(i["region_code"], i["hours"]) for i in streets["items"]] == [("110105001", 4), ("110105002", 2)]
    districts = board(world, period="year", scope="region", region_code="1101")["items"]
    assert [(i["region_code"], i["hours"]) for i in districts] == [("110105", 6), ("110108", 0.5)]
    assert [(i["region_code"], i["hours"]) for i in board(world, scope="region")["items"]] == [("11", 6.5)]


def test_the_team_travels_with_records_and_events(world, serve):
    admin = world.volunteer("李*组")
    organization = world.organization(admin)
    volunteer = world.volunteer()
    activity, records = serve(organization, admin, {volunteer: 2}, team_id="team-red")
    with world.app.extensions["shanxing"].db.read() as s:
        assert s.execute(select(hours_records.c.team_id)).scalar_one() == "team-red"
    confirmed = [e for e in outbox_events(world.app) if e["type"] == "activities.hours_confirmed.v1"]
    assert confirmed[-1]["data"]["team_id"] == "team-red"
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["team_id"] == "team-red"


def test_a_bad_team_or_region_code_is_named(world):
    admin, organization = world.organizer()
    resp = world.client.post("/api/v1/activities", json=world.activity_body(organization, team_id="x" * 37),
                             headers=world.person(admin))
    assert_problem(resp, 400, "team_id")
    for query in ({"scope": "region", "region_code": "1101x"}, {"scope": "volunteer", "region_code": "11"},
                  {"scope": "region", "region_code": "110105001001"}):
        assert_problem(world.client.get("/api/v1/leaderboards", query_string=query), 400, "region_code")
    assert_problem(world.client.get("/api/v1/leaderboards/me", query_string={"period": "day"},
                                    headers=world.person(admin)), 400, "period")
    assert world.client.get("/api/v1/leaderboards/me").status_code in (401, 403)


def test_my_rank_counts_those_with_more_hours(world, serve):
    admin = world.volunteer("李*组")
    organization = world.organization(admin)
    a, b, c, d = (world.volunteer() for _ in range(4))
    serve(organization, admin, {a: 3, b: 2, c: 2})
    assert me(world, a) == {"period": "week", "period_start": "2030-06-03", "rank": 1, "hours": 3,
                            "total_ranked": 3}
    assert (me(world, b)["rank"], me(world, c)["rank"]) == (2, 2)
    assert me(world, d) | {"period_start": None} == {"period": "week", "period_start": None, "rank": None,
                                                     "hours": 0, "total_ranked": 3}
    serve(organization, admin, {c: "1.25", d: 1})
    assert (me(world, c)["rank"], me(world, c)["hours"], me(world, c)["total_ranked"]) == (1, 3.25, 4)
    assert (me(world, a)["rank"], me(world, b)["rank"], me(world, d)["rank"]) == (2, 3, 4)
    assert me(world, d, "year")["rank"] == 4


def test_revocation_shrinks_every_scope_and_my_rank(world, serve):
    admin = world.volunteer("李*组")
    organization = world.organization(admin, region_code="110105001")
    a, b = world.volunteer(), world.volunteer()
    activity, records = serve(organization, admin, {a: 3, b: 2}, team_id="team-red")
    record_a = next(r for r in records if r["volunteer_id"] == a)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours/{record_a['id']}/revoke",
                             json={"reason": "未到场"}, headers=world.person(admin))
    assert resp.status_code == 200, resp.get_json()
    assert [i["hours"] for i in board(world, scope="organization")["items"]] == [2]
    assert [i["hours"] for i in board(world, scope="team")["items"]] == [2]
    assert [(i["region_code"], i["hours"]) for i in board(world, scope="region", region_code="110105")["items"]] \
        == [("110105001", 2)]
    assert me(world, a)["rank"] is None and me(world, b) | {"period_start": None} == {
        "period": "week", "period_start": None, "rank": 1, "hours": 2, "total_ranked": 1}
    with world.app.extensions["shanxing"].db.read() as s:
        buckets = s.execute(select(hours_distribution.c.hours, hours_distribution.c.subjects).where(
            hours_distribution.c.period_kind == "week", hours_distribution.c.subjects != 0)).all()
    assert buckets == [(200, 1)]


def test_concurrent_batches_for_the_same_volunteers_keep_every_total(app, world):
    """Two organizers of one organization confirm hours for the same volunteers at once (in opposite
    orders): both commit, and the totals, the distribution and the statistics add up."""
    import threading

    admin = world.volunteer("李*组")
    organization = world.organization(admin, region_code="110105001")
    volunteers = [world.volunteer() for _ in range(8)]
    start = world.clock.now() + timedelta(minutes=5)
    activities = []
    for offset in (0, 5):  # back to back: no double-booking
        begins = start + timedelta(hours=offset)
        activity = world.published_activity(organization, admin, starts_at=begins.isoformat(),
                                            ends_at=(begins + timedelta(hours=4)).isoformat())
        for volunteer_id in volunteers:
            assert world.sign_up(activity["id"], volunteer_id).status_code == 201
        activities.append(activity)
    world.clock.advance(hours=6)
    barrier, statuses = threading.Barrier(2), []

    def confirm(activity, order):
        client = app.test_client()
        barrier.wait()
        resp = client.post(f"/api/v1/activities/{activity['id']}/hours", headers=world.person(admin), json={
            "records": [{"volunteer_id": v, "hours": 1 + i % 3} for i, v in enumerate(order)]})
        statuses.append(resp.status_code)

    threads = [threading.Thread(target=confirm, args=(activities[0], volunteers)),
               threading.Thread(target=confirm, args=(activities[1], volunteers[::-1]))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201, 201]
    expected = sum(1 + i % 3 for i in range(8)) * 2
    assert [i["hours"] for i in board(world, scope="organization")["items"]] == [expected]
    assert [i["hours"] for i in board(world, scope="region", region_code="110105")["items"]] == [expected]
    hours = {v: 1 + i % 3 + 1 + (7 - i) % 3 for i, v in enumerate(volunteers)}
    for volunteer_id in volunteers:
        mine = me(world, volunteer_id)
        assert mine["hours"] == hours[volunteer_id] and mine["total_ranked"] == 8
        assert mine["rank"] == 1 + sum(h > hours[volunteer_id] for h in hours.values())
