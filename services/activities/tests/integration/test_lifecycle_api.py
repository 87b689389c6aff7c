"""Cancelling and completing activities."""
from datetime import timedelta

from shanxing_common.testing import outbox_events

CANCELLED_EVENT = "activities.activity_cancelled.v1"


def cancel(world, activity_id, headers, reason="暴雨预警，活动取消。"):
    return world.client.post(f"/api/v1/activities/{activity_id}/cancel",
                             json={} if reason is None else {"reason": reason}, headers=headers)


def complete(world, activity_id, headers):
    return world.client.post(f"/api/v1/activities/{activity_id}/complete", headers=headers)


def test_cancelling_cancels_the_sign_ups_and_tells_the_volunteers(world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=1)
    first, second = world.volunteer(), world.volunteer()
    assert world.sign_up(activity["id"], first).status_code == 201
    assert world.sign_up(activity["id"], second, waitlist=True).get_json()["status"] == "waitlisted"
    resp = cancel(world, activity["id"], world.person(admin_id))
    assert resp.status_code == 200, resp.get_json()
    cancelled = resp.get_json()
    assert cancelled["status"] == "cancelled" and cancelled["signed_up"] == 0
    assert cancelled["cancel_reason"] == "暴雨预警，活动取消。" and cancelled["cancelled_at"]
    assert world.signup_statuses(activity["id"]) == {first: "cancelled", second: "cancelled"}
    [event] = outbox_events(world.app, CANCELLED_EVENT)
    assert sorted(event["data"].pop("volunteer_ids")) == sorted([first, second])
    assert event["data"] == {"activity_id": activity["id"], "organization_id": org_id, "reason": "暴雨预警，活动取消。"}
    assert world.sign_up(activity["id"], world.volunteer()).status_code == 409
    # The cancelled place no longer blocks the volunteer's time.
    other = world.published_activity(org_id, admin_id)
    assert world.sign_up(other["id"], first).status_code == 201


def test_ops_may_cancel_a_pending_activity(world):
    admin_id, org_id = world.organizer()
    activity = world.pending_activity(org_id, admin_id)
    resp = cancel(world, activity["id"], world.ops)
    assert resp.status_code == 200 and resp.get_json()["status"] == "cancelled"
    assert outbox_events(world.app, CANCELLED_EVENT)[0]["data"]["volunteer_ids"] == []


def test_cancel_refusals(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    problem(cancel(world, activity["id"], world.person(admin_id), reason=None), 400, "reason")
    problem(cancel(world, activity["id"], world.person(admin_id), reason=""), 400, "reason")
    problem(cancel(world, activity["id"], world.person(world.volunteer())), 403)
    problem(cancel(world, "nope", world.ops), 404)
    problem(cancel(world, activity["id"], {}), 401)
    world.clock.advance(hours=2)  # started: an emergency cancellation is still possible
    assert cancel(world, activity["id"], world.person(admin_id)).status_code == 200
    again = problem(cancel(world, activity["id"], world.ops), 409, "status")
    assert "cancelled" in again["detail"]
    ended = world.published_activity(org_id, admin_id)
    world.clock.advance(hours=5)
    assert "ended" in problem(cancel(world, ended["id"], world.person(admin_id)), 409)["detail"]
    assert len(outbox_events(world.app, CANCELLED_EVENT)) == 1


def test_completing_after_the_start_keeps_hours_open(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    volunteer = world.volunteer()
    world.sign_up(activity["id"], volunteer)
    problem(complete(world, activity["id"], world.person(admin_id)), 409)  # not started
    world.clock.advance(hours=4, minutes=1)
    problem(complete(world, activity["id"], world.ops), 403)
    problem(complete(world, activity["id"], world.person(volunteer)), 403)
    resp = complete(world, activity["id"], world.person(admin_id))
    assert resp.status_code == 200 and resp.get_json()["status"] == "completed" and resp.get_json()["completed_at"]
    assert "completed" in problem(complete(world, activity["id"], world.person(admin_id)), 409, "status")["detail"]
    problem(cancel(world, activity["id"], world.person(admin_id)), 409)
    hours = world.client.post(f"/api/v1/activities/{activity['id']}/hours",
                              json={"records": [{"volunteer_id": volunteer, "hours": 3}]},
                              headers=world.person(admin_id))
    assert hours.status_code == 201, hours.get_json()
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["status"] == "completed"


def test_a_pending_activity_cannot_be_completed(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.pending_activity(org_id, admin_id, starts_at=world.clock.now().isoformat(),
                                      ends_at=(world.clock.now() + timedelta(hours=1)).isoformat())
    assert "pending_review" in problem(complete(world, activity["id"], world.person(admin_id)), 409)["detail"]
    problem(complete(world, activity["id"], world.person(world.volunteer())), 404)  # cannot see it
