"""Posting, reviewing, reading and listing activities."""
from datetime import timedelta

from shanxing_common.testing import outbox_events

PUBLISHED_EVENT = "activities.activity_published.v1"


def test_an_organization_admin_posts_an_activity_that_awaits_review(world):
    admin_id, org_id = world.organizer()
    body = world.activity_body(org_id)
    resp = world.client.post("/api/v1/activities", json=body, headers=world.person(admin_id))
    assert resp.status_code == 201, resp.get_json()
    activity = resp.get_json()
    assert activity["status"] == "pending_review" and activity["signed_up"] == 0
    assert activity["organization_id"] == org_id and activity["region_code"] == "110105"
    assert {"id", "title", "category", "description", "address", "latitude", "longitude", "starts_at",
            "ends_at", "capacity", "skills", "created_at"} <= set(activity)
    assert activity["title"] == body["title"] and activity["capacity"] == 10
    assert activity["skills"] == ["first_aid"] and activity["latitude"] == 39.92
    assert activity["starts_at"].endswith("+00:00")
    assert outbox_events(world.app, PUBLISHED_EVENT) == []  # nothing is public before review


def test_bad_fields_are_all_named(world, problem):
    admin_id, org_id = world.organizer()
    body = world.activity_body(org_id, title="x", category="", address="", latitude=91, longitude=-181,
                               capacity=0, description="d" * 5001, skills=["s"] * 21)
    resp = world.client.post("/api/v1/activities", json=body, headers=world.person(admin_id))
    problem(resp, 400, "title", "category", "address", "latitude", "longitude", "capacity",
            "description", "skills")


def test_malformed_fields_are_named(world, problem):
    admin_id, org_id = world.organizer()
    body = world.activity_body(org_id, starts_at="2030-06-05T12:00:00", capacity="many", latitude="north")
    del body["title"]
    resp = world.client.post("/api/v1/activities", json=body, headers=world.person(admin_id))
    problem(resp, 400, "starts_at", "capacity", "latitude", "title")


def test_times_must_be_in_the_future_ordered_and_at_most_thirty_days(world, problem):
    admin_id, org_id = world.organizer()
    now = world.clock.now()
    past = world.activity_body(org_id, starts_at=(now - timedelta(hours=1)).isoformat())
    problem(world.client.post("/api/v1/activities", json=past, headers=world.person(admin_id)), 400, "starts_at")
    backwards = world.activity_body(org_id, ends_at=now.isoformat())
    problem(world.client.post("/api/v1/activities", json=backwards, headers=world.person(admin_id)), 400, "ends_at")
    too_long = world.activity_body(org_id, starts_at=now.isoformat(),
                                   ends_at=(now + timedelta(days=30, seconds=1)).isoformat())
    problem(world.client.post("/api/v1/activities", json=too_long, headers=world.person(admin_id)), 400, "ends_at")
    urgent = world.activity_body(org_id, starts_at=now.isoformat(),
                                 ends_at=(now + timedelta(days=30)).isoformat())
    assert world.client.post("/api/v1/activities", json=urgent, headers=world.person(admin_id)).status_code == 201


def test_times_in_another_zone_are_stored_as_the_same_instant(world):
    admin_id, org_id = world.organizer()
    local = (world.clock.now() + timedelta(hours=2)).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    body = world.activity_body(org_id, starts_at=local.isoformat(),
                               ends_at=(local + timedelta(hours=1)).isoformat())
    activity = world.client.post("/api/v1/activities", json=body, headers=world.person(admin_id)).get_json()
    assert activity["starts_at"] == (world.clock.now() + timedelta(hours=2)).isoformat()


def test_unknown_organization_is_a_bad_organization_id(world, problem):
    admin_id, _ = world.organizer()
    resp = world.client.post("/api/v1/activities", json=world.activity_body("no-such-org"),
                             headers=world.person(admin_id))
    problem(resp, 400, "organization_id")


def test_only_the_organizations_admins_may_post(world, problem):
    _, org_id = world.organizer()
    outsider = world.volunteer()
    body = world.activity_body(org_id)
    problem(world.client.post("/api/v1/activities", json=body, headers=world.person(outsider)), 403)
    problem(world.client.post("/api/v1/activities", json=body, headers=world.ops), 403)
    problem(world.client.post("/api/v1/activities", json=body), 401)


def test_an_admin_added_later_may_post(world):
    _, org_id = world.organizer()
    newcomer = world.volunteer()
    from shanxing_common.testing import deliver

    deliver(world.app, "registry.organization_admin_added.v1", {"organization_id": org_id, "volunteer_id": newcomer})
    assert world.client.post("/api/v1/activities", json=world.activity_body(org_id),
                             headers=world.person(newcomer)).status_code == 201


def test_ops_approves_and_the_publication_is_an_event(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.pending_activity(org_id, admin_id)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.ops)
    assert resp.status_code == 200
    published = resp.get_json()
    assert published["status"] == "published" and published["id"] == activity["id"]
    assert published["reviewed_at"] is not None
    events = outbox_events(world.app, PUBLISHED_EVENT)
    assert len(events) == 1 and events[0]["producer"] == "activities"
    assert events[0]["data"] == {
        "activity_id": activity["id"], "organization_id": org_id, "title": activity["title"],
        "category": "elderly", "region_code": "110105", "starts_at": activity["starts_at"],
        "ends_at": activity["ends_at"], "capacity": 10}
    again = problem(world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.ops), 409)
    assert "published" in again["detail"]
    assert len(outbox_events(world.app, PUBLISHED_EVENT)) == 1


def test_approval_needs_ops_and_an_existing_activity(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.pending_activity(org_id, admin_id)
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.person(admin_id)), 403)
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/approve"), 401)
    problem(world.client.post("/api/v1/activities/nope/approve", headers=world.ops), 404)


def test_pending_activities_are_seen_only_by_ops_and_the_organizations_admins(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.pending_activity(org_id, admin_id)
    path = f"/api/v1/activities/{activity['id']}"
    assert world.client.get(path, headers=world.ops).get_json()["status"] == "pending_review"
    assert world.client.get(path, headers=world.person(admin_id)).status_code == 200
    problem(world.client.get(path), 404)
    problem(world.client.get(path, headers=world.person(world.volunteer())), 404)
    world.client.post(f"{path}/approve", headers=world.ops)
    shown = world.client.get(path).get_json()
    assert shown["status"] == "published" and shown["signed_up"] == 0
    problem(world.client.get("/api/v1/activities/nope"), 404)


def test_list_is_ordered_by_start_and_paged_with_an_opaque_cursor(world):
    admin_id, org_id = world.organizer()
    now = world.clock.now()
    ids = []
    for hours_ahead in (5, 1, 3, 3, 2):
        start = now + timedelta(hours=hours_ahead)
        ids.append((start, world.published_activity(org_id, admin_id, starts_at=start.isoformat(),
                                                    ends_at=(start + timedelta(hours=1)).isoformat())["id"]))
    world.pending_activity(org_id, admin_id)  # not listed: not published
    expected = [i for _, i in sorted(ids)]
    seen, cursor = [], None
    while True:
        query = {"status": "published", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = world.client.get("/api/v1/activities", query_string=query).get_json()
        assert len(page["items"]) <= 2
        seen += [a["id"] for a in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == expected
    everything = world.client.get("/api/v1/activities").get_json()
    assert [a["id"] for a in everything["items"]] == expected and everything["next"] is None


def test_list_filters_by_organization_and_category(world):
    admin_id, org_id = world.organizer()
    other_admin, other_org = world.organizer()
    mine = world.published_activity(org_id, admin_id, category="environment")
    world.published_activity(org_id, admin_id)
    world.published_activity(other_org, other_admin, category="environment")
    by_org = world.client.get("/api/v1/activities", query_string={"organization_id": org_id}).get_json()
    assert len(by_org["items"]) == 2
    both = world.client.get("/api/v1/activities", query_string={
        "organization_id": org_id, "category": "environment"}).get_json()
    assert [a["id"] for a in both["items"]] == [mine["id"]]


def test_non_public_statuses_are_listed_for_ops_and_for_an_organizations_admins(world, problem):
    admin_id, org_id = world.organizer()
    pending = world.pending_activity(org_id, admin_id)
    problem(world.client.get("/api/v1/activities", query_string={"status": "pending_review"}), 403, "status")
    problem(world.client.get("/api/v1/activities", query_string={"status": "pending_review"},
                             headers=world.person(admin_id)), 403, "status")
    as_ops = world.client.get("/api/v1/activities", query_string={"status": "pending_review"}, headers=world.ops)
    assert [a["id"] for a in as_ops.get_json()["items"]] == [pending["id"]]
    as_admin = world.client.get("/api/v1/activities", headers=world.person(admin_id), query_string={
        "status": "pending_review", "organization_id": org_id})
    assert [a["id"] for a in as_admin.get_json()["items"]] == [pending["id"]]


def test_bad_list_arguments_are_named(world, problem):
    problem(world.client.get("/api/v1/activities", query_string={"status": "open"}), 400, "status")
    problem(world.client.get("/api/v1/activities", query_string={"limit": 201}), 400, "limit")
    problem(world.client.get("/api/v1/activities", query_string={"limit": 0}), 400, "limit")
    problem(world.client.get("/api/v1/activities", query_string={"cursor": "not-a-cursor"}), 400, "cursor")
