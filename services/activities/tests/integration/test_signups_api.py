"""Sign-ups: one place each, never more than capacity, under any concurrency."""
import threading

from shanxing_common.testing import deliver


def test_a_volunteer_signs_up_for_themself(world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    volunteer_id = world.volunteer()
    resp = world.sign_up(activity["id"], volunteer_id)
    assert resp.status_code == 201
    signup = resp.get_json()
    assert signup["status"] == "confirmed" and signup["activity_id"] == activity["id"]
    assert signup["volunteer_id"] == volunteer_id and signup["id"] and signup["created_at"]
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 1


def test_each_refusal_says_why(world, problem):
    admin_id, org_id = world.organizer()
    full = world.published_activity(org_id, admin_id, capacity=1)
    first, second = world.volunteer(), world.volunteer()
    assert world.sign_up(full["id"], first).status_code == 201
    already = problem(world.sign_up(full["id"], first), 409)
    is_full = problem(world.sign_up(full["id"], second), 409)

    ended = world.published_activity(org_id, admin_id)
    world.clock.advance(hours=1, minutes=30)  # `ended` started an hour after creation: joining late is fine
    third = world.volunteer()  # (`first` holds `full`, at the same time: no double-booking)
    assert world.sign_up(ended["id"], third).status_code == 201
    world.clock.advance(hours=3)
    has_ended = problem(world.sign_up(ended["id"], second), 409)
    assert world.client.get(f"/api/v1/activities/{ended['id']}").get_json()["signed_up"] == 1

    details = {already["detail"], is_full["detail"], has_ended["detail"]}
    assert len(details) == 3
    assert "already" in already["detail"] and "full" in is_full["detail"] and "ended" in has_ended["detail"]


def test_an_activity_not_yet_published_refuses_sign_ups(world, problem):
    admin_id, org_id = world.organizer()
    pending = world.pending_activity(org_id, admin_id)
    # Hidden from volunteers (404); its own admin learns it is not published (409).
    problem(world.sign_up(pending["id"], world.volunteer()), 404)
    not_published = problem(world.sign_up(pending["id"], admin_id), 409)
    assert "pending_review" in not_published["detail"]
    assert world.client.get(f"/api/v1/activities/{pending['id']}", headers=world.ops).get_json()["signed_up"] == 0


def test_unknown_activity_is_404(world, problem):
    problem(world.sign_up("no-such-activity", world.volunteer()), 404)


def test_only_volunteers_sign_up(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/signups", headers=world.ops), 403)
    problem(world.sign_up(activity["id"], "person-not-in-the-read-model"), 403)
    problem(world.client.post(f"/api/v1/activities/{activity['id']}/signups"), 401)


def test_a_volunteer_whose_registration_is_in_flight_is_found_by_catching_up(world, app):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    late_id = "volunteer-registered-a-moment-ago"
    calls = []

    class Follower:  # registry's feed, holding the event the broker has not delivered yet
        def follow(self, producer):
            calls.append(producer)
            deliver(app, "registry.volunteer_registered.v1", {
                "volunteer_id": late_id, "display_name": "周*", "region_code": "110105",
                "skills": ["first_aid"], "preferences": []})
            return 1

    app.extensions["shanxing"].follower = Follower()
    assert world.sign_up(activity["id"], late_id).status_code == 201
    assert calls == ["registry"]


def test_fifty_concurrent_sign_ups_for_five_places_confirm_exactly_five(app, world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=5)
    volunteers = [world.volunteer() for _ in range(50)]
    start = threading.Barrier(len(volunteers))
    statuses: list[int] = []
    lock = threading.Lock()

    def sign_up(volunteer_id):
        client = app.test_client()
        start.wait()
        resp = client.post(f"/api/v1/activities/{activity['id']}/signups", headers=world.person(volunteer_id))
        with lock:
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=sign_up, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 5 and statuses.count(409) == 45, statuses
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 5


def test_the_database_refuses_more_sign_ups_than_capacity(app, world):
    """The CHECK constraint is the last line: even a direct UPDATE cannot overfill an activity."""
    import pytest
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    from shanxing_activities.adapters.models import activities

    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=1)
    with pytest.raises(IntegrityError):
        with app.extensions["shanxing"].db.transaction() as s:
            s.execute(update(activities).where(activities.c.id == activity["id"]).values(signed_up=2))
