"""Revoking confirmed hours: the record stays, marked; totals shrink; an event tells the others."""
from shanxing_common.testing import outbox_events

REVOKED_EVENT = "activities.hours_revoked.v1"


def confirmed(world, hours="2.50"):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    volunteer = world.volunteer()
    world.sign_up(activity["id"], volunteer)
    world.clock.advance(hours=2)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours",
                             json={"records": [{"volunteer_id": volunteer, "hours": hours}]},
                             headers=world.person(admin_id))
    assert resp.status_code == 201, resp.get_json()
    return admin_id, activity, volunteer, resp.get_json()["records"][0]


def revoke(world, activity_id, record_id, headers, reason="误报工时，已核实未到场。"):
    return world.client.post(f"/api/v1/activities/{activity_id}/hours/{record_id}/revoke",
                             json={} if reason is None else {"reason": reason}, headers=headers)


def week_board(world):
    return world.client.get("/api/v1/leaderboards", query_string={"period": "week"}).get_json()["items"]


def test_revoking_marks_the_record_shrinks_the_totals_and_emits_an_event(world, problem):
    admin_id, activity, volunteer, record = confirmed(world)
    assert week_board(world)[0]["hours"] == 2.5
    resp = revoke(world, activity["id"], record["id"], world.person(admin_id))
    assert resp.status_code == 200, resp.get_json()
    revoked = resp.get_json()
    assert revoked["id"] == record["id"] and revoked["hours"] == 2.5 and revoked["revoked_by"] == admin_id
    assert revoked["revoked_at"] and revoked["revoke_reason"] == "误报工时，已核实未到场。"
    assert week_board(world) == []
    [event] = outbox_events(world.app, REVOKED_EVENT)
    assert event["data"] == {"record_id": record["id"], "volunteer_id": volunteer, "hours": "2.50",
                             "reason": "误报工时，已核实未到场。", "revoked_by": admin_id}
    again = problem(revoke(world, activity["id"], record["id"], world.ops), 409, "record_id")
    assert "already" in again["detail"] and len(outbox_events(world.app, REVOKED_EVENT)) == 1


def test_hours_may_be_confirmed_again_after_a_revocation(world):
    admin_id, activity, volunteer, record = confirmed(world)
    assert revoke(world, activity["id"], record["id"], world.ops).status_code == 200
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours",
                             json={"records": [{"volunteer_id": volunteer, "hours": 1}]},
                             headers=world.person(admin_id))
    assert resp.status_code == 201 and resp.get_json()["records"][0]["id"] != record["id"]
    assert week_board(world)[0]["hours"] == 1
    assert world.client.post(f"/api/v1/activities/{activity['id']}/hours",
                             json={"records": [{"volunteer_id": volunteer, "hours": 1}]},
                             headers=world.person(admin_id)).status_code == 409


def test_revocation_refusals(world, problem):
    admin_id, activity, volunteer, record = confirmed(world)
    problem(revoke(world, activity["id"], record["id"], world.person(admin_id), reason=None), 400, "reason")
    problem(revoke(world, activity["id"], record["id"], world.person(admin_id), reason="x" * 501), 400, "reason")
    problem(revoke(world, activity["id"], record["id"], world.person(volunteer)), 403)
    problem(revoke(world, activity["id"], "no-such-record", world.person(admin_id)), 404)
    problem(revoke(world, "no-such-activity", record["id"], world.ops), 404)
    other_admin, other_org = world.organizer()
    other = world.published_activity(other_org, other_admin)
    problem(revoke(world, other["id"], record["id"], world.person(other_admin)), 404)  # not that activity's
    problem(revoke(world, activity["id"], record["id"], {}), 401)
    assert outbox_events(world.app, REVOKED_EVENT) == []
