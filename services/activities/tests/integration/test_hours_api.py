"""Confirming hours: all or nothing, once per volunteer and activity, with one event per record."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shanxing_activities.adapters.models import hours_records, hours_totals
from shanxing_common.testing import outbox_events

HOURS_EVENT = "activities.hours_confirmed.v1"


@pytest.fixture
def started(world):
    """A published 3-hour activity that has started, with two volunteers signed up."""
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    volunteers = [world.volunteer("王*"), world.volunteer("赵*")]
    for v in volunteers:
        assert world.sign_up(activity["id"], v).status_code == 201
    world.clock.advance(hours=1)
    return {"admin": admin_id, "org": org_id, "activity": activity, "volunteers": volunteers}


def post_hours(world, started, records, who=None):
    return world.client.post(f"/api/v1/activities/{started['activity']['id']}/hours", json={"records": records},
                             headers=world.person(who or started["admin"]))


def count(app, table) -> int:
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(func.count()).select_from(table)).scalar()


def test_the_organizer_confirms_hours_and_each_record_is_an_event(world, started):
    a, b = started["volunteers"]
    resp = post_hours(world, started, [{"volunteer_id": a, "hours": 2.5}, {"volunteer_id": b, "hours": "1.25"}])
    assert resp.status_code == 201, resp.get_json()
    records = resp.get_json()["records"]
    assert [(r["volunteer_id"], r["hours"]) for r in records] == [(a, 2.5), (b, 1.25)]
    events = outbox_events(world.app, HOURS_EVENT)
    assert len(events) == 2
    activity = started["activity"]
    assert events[0]["data"] == {
        "record_id": records[0]["id"], "volunteer_id": a, "activity_id": activity["id"],
        "organization_id": started["org"], "team_id": None, "activity_title": activity["title"],
        "address": activity["address"], "region_code": "110105",
        "category": "elderly", "hours": "2.50", "served_on": "2030-06-05",
        "confirmed_by": started["admin"], "verified": False, "entry": "admin_entry"}
    assert [r["entry"] for r in records] == ["admin_entry", "admin_entry"]
    assert events[1]["data"]["hours"] == "1.25" and events[1]["data"]["record_id"] == records[1]["id"]


def test_served_on_is_the_local_date_of_the_start(world):
    admin_id, org_id = world.organizer()
    start = world.clock.now() + timedelta(hours=18)  # 20:00 UTC = 04:00 the next day in Shanghai
    activity = world.published_activity(org_id, admin_id, starts_at=start.isoformat(),
                                        ends_at=(start + timedelta(hours=2)).isoformat())
    volunteer = world.volunteer()
    world.sign_up(activity["id"], volunteer)
    world.clock.advance(hours=19)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours", headers=world.person(admin_id),
                             json={"records": [{"volunteer_id": volunteer, "hours": 2}]})
    assert resp.status_code == 201
    assert outbox_events(world.app, HOURS_EVENT)[0]["data"]["served_on"] == "2030-06-06"


def test_hours_only_once_the_activity_has_started(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    volunteer = world.volunteer()
    world.sign_up(activity["id"], volunteer)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours", headers=world.person(admin_id),
                             json={"records": [{"volunteer_id": volunteer, "hours": 1}]})
    assert "started" in problem(resp, 409)["detail"]


def test_hours_only_for_a_published_activity(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.pending_activity(org_id, admin_id)
    world.clock.advance(hours=2)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours", headers=world.person(admin_id),
                             json={"records": [{"volunteer_id": admin_id, "hours": 1}]})
    assert "pending_review" in problem(resp, 409)["detail"]


def test_every_bad_record_is_named_and_nothing_is_written(world, started, problem):
    a, b = started["volunteers"]
    stranger = world.volunteer()
    resp = post_hours(world, started, [
        {"volunteer_id": a, "hours": 2},
        {"volunteer_id": stranger, "hours": 1},
        {"volunteer_id": a, "hours": 1},
        {"volunteer_id": b, "hours": 3.01},
    ])
    body = problem(resp, 400, "records.1.volunteer_id", "records.2.volunteer_id", "records.3.hours")
    assert "records.0.volunteer_id" not in body["errors"]
    assert count(world.app, hours_records) == 0 and count(world.app, hours_totals) == 0
    assert outbox_events(world.app, HOURS_EVENT) == []


@pytest.mark.parametrize("hours", [0, -1, "0.00", 2.505, "1.234", "abc", True, None, "NaN", "Infinity"])
def test_hours_must_be_positive_with_at_most_two_places(world, started, problem, hours):
    a, _ = started["volunteers"]
    problem(post_hours(world, started, [{"volunteer_id": a, "hours": hours}]), 400, "records.0.hours")


def test_the_whole_length_is_allowed(world, started):
    a, b = started["volunteers"]
    resp = post_hours(world, started, [{"volunteer_id": a, "hours": 3}, {"volunteer_id": b, "hours": "0.01"}])
    assert resp.status_code == 201 and [r["hours"] for r in resp.get_json()["records"]] == [3, 0.01]


def test_batch_size_and_shape_are_checked(world, started, problem):
    problem(post_hours(world, started, []), 400, "records")
    too_many = [{"volunteer_id": f"v{i}", "hours": 1} for i in range(501)]
    problem(post_hours(world, started, too_many), 400, "records")
    problem(post_hours(world, started, [{"hours": 1}]), 400, "records.0.volunteer_id")
    resp = world.client.post(f"/api/v1/activities/{started['activity']['id']}/hours", json={},
                             headers=world.person(started["admin"]))
    problem(resp, 400, "records")


def test_hours_are_confirmed_once_and_a_batch_with_a_repeat_writes_nothing(world, started, problem):
    a, b = started["volunteers"]
    assert post_hours(world, started, [{"volunteer_id": a, "hours": 2}]).status_code == 201
    again = post_hours(world, started, [{"volunteer_id": b, "hours": 1}, {"volunteer_id": a, "hours": 2}])
    body = problem(again, 409, "records.1.volunteer_id")
    assert "records.0.volunteer_id" not in body["errors"]
    assert count(world.app, hours_records) == 1
    assert len(outbox_events(world.app, HOURS_EVENT)) == 1
    assert post_hours(world, started, [{"volunteer_id": b, "hours": 1}]).status_code == 201


def test_only_the_organizations_admins_confirm_hours(world, started, problem):
    a, _ = started["volunteers"]
    records = [{"volunteer_id": a, "hours": 1}]
    problem(post_hours(world, started, records, who=a), 403)
    path = f"/api/v1/activities/{started['activity']['id']}/hours"
    problem(world.client.post(path, json={"records": records}, headers=world.ops), 403)
    problem(world.client.post(path, json={"records": records}), 401)
    problem(world.client.post("/api/v1/activities/nope/hours", json={"records": records},
                              headers=world.person(started["admin"])), 404)
