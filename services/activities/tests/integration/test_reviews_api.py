"""Reviews with a deadline: the region's reviewers, listing, rejection and escalation (seed 002)."""
from datetime import datetime, timedelta

from shanxing_activities.cli import jobs
from shanxing_activities.service.reviews import escalate_overdue_reviews
from shanxing_common.testing import outbox_events

COMMUNITY = "110105001001"
STREET = "110105001"
DISTRICT = "110105"


def escalate(world) -> int:
    return escalate_overdue_reviews(world.app.extensions["shanxing"].db, world.clock.now(), 48)


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_json()
    return [a["id"] for a in resp.get_json()["items"]]


def team_activity(world, region_code: str = COMMUNITY) -> dict:
    """A specialised team of this region posts an activity (it awaits review)."""
    admin_id = world.volunteer("李*组")
    org_id = world.organization(admin_id, region_code=region_code, kind="specialised")
    return world.pending_activity(org_id, admin_id)


def test_a_posted_activity_has_a_deadline_and_starts_at_its_own_region(world):
    activity = team_activity(world)
    assert activity["escalation_level"] == 0 and activity["review_scope"] == COMMUNITY
    assert datetime.fromisoformat(activity["review_due_at"]) == world.clock.now() + timedelta(hours=48)


def test_the_regions_centre_and_its_ancestors_may_approve(world):
    street, district, other = world.reviewer(STREET), world.reviewer(DISTRICT), world.reviewer("110106")
    first, second = team_activity(world), team_activity(world)
    path = "/api/v1/activities/{}/approve"
    assert world.client.post(path.format(first["id"]), headers=world.person(other)).status_code == 404
    resp = world.client.post(path.format(first["id"]), headers=world.person(street))
    assert resp.status_code == 200 and resp.get_json()["status"] == "published"
    assert world.client.post(path.format(second["id"]), headers=world.person(district)).status_code == 200
    events = outbox_events(world.app, "activities.activity_published.v1")
    assert {e["data"]["activity_id"] for e in events} == {first["id"], second["id"]}


def test_a_reviewer_sees_the_pending_activity_it_may_decide(world):
    street = world.reviewer(STREET)
    activity = team_activity(world)
    assert world.client.get(f"/api/v1/activities/{activity['id']}", headers=world.person(street)).status_code == 200


def test_an_organization_does_not_review_its_own_activities(world, problem):
    centre = world.volunteer()
    org_id = world.organization(centre, region_code=STREET)
    activity = world.pending_activity(org_id, centre)
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.person(centre)), 403)
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(centre))) == []


def test_rejection_needs_a_reason_and_happens_once(world, problem):
    street = world.reviewer(STREET)
    activity = team_activity(world)
    path = f"/api/v1/activities/{activity['id']}/reject"
    problem(world.client.post(path, json={}, headers=world.person(street)), 400, "reason")
    problem(world.client.post(path, json={"reason": "  "}, headers=world.person(street)), 400, "reason")
    problem(world.client.post(path, json={"reason": "x" * 501}, headers=world.person(street)), 400, "reason")
    resp = world.client.post(path, json={"reason": "地址不详，请补充。"}, headers=world.person(street))
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "rejected" and resp.get_json()["rejection_reason"] == "地址不详，请补充。"
    again = problem(world.client.post(path, json={"reason": "再次"}, headers=world.ops), 409, "status")
    assert "rejected" in again["detail"]
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.ops), 409)
    problem(world.client.post("/api/v1/activities/nope/reject", json={"reason": "x"}, headers=world.ops), 404)
    problem(world.client.post(path, json={"reason": "x"}), 401)


def test_pending_and_overdue_lists_show_what_the_caller_may_decide(world, problem):
    street, other = world.reviewer(STREET), world.reviewer("110106")
    first = team_activity(world)
    world.clock.advance(hours=1)
    second = team_activity(world)
    elsewhere = team_activity(world, region_code="110106001")
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(street))) == [first["id"], second["id"]]
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(other))) == [elsewhere["id"]]
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.person(street))) == []
    world.clock.advance(hours=47, minutes=30)  # the first is 48.5 h old, the second 47.5 h
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.person(street))) == [first["id"]]
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.ops)) == [first["id"]]
    world.clock.advance(hours=1)
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.person(other))) == [elsewhere["id"]]
    page = world.client.get("/api/v1/reviews/overdue", query_string={"limit": 1}, headers=world.ops).get_json()
    assert [a["id"] for a in page["items"]] == [first["id"]] and page["next"]
    rest = world.client.get("/api/v1/reviews/overdue", query_string={"cursor": page["next"]}, headers=world.ops)
    assert ids(rest) == sorted([elsewhere["id"], second["id"]])  # same deadline: by id
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(world.volunteer()))) == []
    problem(world.client.get("/api/v1/reviews/overdue"), 401)
    problem(world.client.get("/api/v1/reviews/pending", query_string={"limit": 0}, headers=world.ops), 400, "limit")
    problem(world.client.get("/api/v1/reviews/pending", query_string={"cursor": "x"}, headers=world.ops), 400, "cursor")


def test_an_overdue_review_escalates_level_by_level(world, problem):
    community, street, district = world.reviewer(COMMUNITY), world.reviewer(STREET), world.reviewer(DISTRICT)
    activity = team_activity(world)
    path = f"/api/v1/activities/{activity['id']}"
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(community))) == [activity["id"]]
    world.clock.advance(hours=47)
    assert escalate(world) == 0  # not yet due
    world.clock.advance(hours=2)
    assert escalate(world) == 1 and escalate(world) == 0  # once per deadline
    shown = world.client.get(path, headers=world.ops).get_json()
    assert shown["escalation_level"] == 1 and shown["review_scope"] == STREET
    assert datetime.fromisoformat(shown["review_due_at"]) == world.clock.now() + timedelta(hours=48)
    # The stalled community centre no longer decides; the street does, with a fresh deadline.
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(community))) == []
    problem(world.client.post(f"{path}/approve", headers=world.person(community)), 404)
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.person(street))) == []
    world.clock.advance(hours=48)
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.person(street))) == [activity["id"]]
    assert escalate(world) == 1
    assert world.client.get(path, headers=world.ops).get_json()["review_scope"] == DISTRICT
    assert ids(world.client.get("/api/v1/reviews/pending", headers=world.person(street))) == []
    resp = world.client.post(f"{path}/approve", headers=world.person(district))
    assert resp.status_code == 200 and resp.get_json()["status"] == "published"


def test_escalation_stops_at_the_province(world):
    activity = team_activity(world, region_code="1101")
    world.clock.advance(hours=49)
    assert escalate(world) == 1
    world.clock.advance(hours=49)
    assert escalate(world) == 0  # "11" has no wider region: it stays overdue for the province and ops
    shown = world.client.get(f"/api/v1/activities/{activity['id']}", headers=world.ops).get_json()
    assert shown["escalation_level"] == 1 and shown["review_scope"] == "11"
    assert ids(world.client.get("/api/v1/reviews/overdue", headers=world.ops)) == [activity["id"]]


def test_the_worker_runs_the_escalation_as_a_scheduled_job(app):
    ctx = app.extensions["shanxing"]
    [job] = jobs(ctx.settings, ctx.db)
    assert job.name == "review-escalation" and job.every_seconds > 0
    assert job.run() == 0  # nothing is overdue by the real clock (these activities are in 2030)
