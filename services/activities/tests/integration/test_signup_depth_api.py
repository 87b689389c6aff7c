"""Withdrawal, the waitlist, double-booking, skills and on-site sign-ups."""
import threading
from datetime import timedelta


def withdraw(world, activity_id, volunteer_id):
    return world.client.delete(f"/api/v1/activities/{activity_id}/signups/me", headers=world.person(volunteer_id))


def on_site(world, activity_id, admin_id, **body):
    return world.client.post(f"/api/v1/activities/{activity_id}/signups/onsite", json=body,
                             headers=world.person(admin_id))


def test_a_full_activity_queues_on_request_and_promotes_the_earliest(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=1)
    holder, early, late = world.volunteer(), world.volunteer(), world.volunteer()
    assert world.sign_up(activity["id"], holder).get_json()["status"] == "confirmed"
    assert "full" in problem(world.sign_up(activity["id"], early), 409)["detail"]  # the contract's 409 stays
    queued = world.sign_up(activity["id"], early, waitlist=True)
    assert queued.status_code == 201 and queued.get_json()["status"] == "waitlisted"
    world.clock.advance(minutes=1)
    assert world.sign_up(activity["id"], late, waitlist=True).get_json()["status"] == "waitlisted"
    problem(world.sign_up(activity["id"], early, waitlist=True), 409)  # already queued
    resp = withdraw(world, activity["id"], holder)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "cancelled" and resp.get_json()["promoted_volunteer_id"] == early
    assert world.signup_statuses(activity["id"]) == {holder: "cancelled", early: "confirmed", late: "waitlisted"}
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 1
    # A waitlisted volunteer leaving frees no place.
    assert withdraw(world, activity["id"], late).get_json()["promoted_volunteer_id"] is None
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 1


def test_waitlist_on_a_free_activity_confirms(world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    assert world.sign_up(activity["id"], world.volunteer(), waitlist=True).get_json()["status"] == "confirmed"


def test_a_bad_waitlist_flag_is_named(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    problem(world.sign_up(activity["id"], world.volunteer(), waitlist="perhaps"), 400, "waitlist")


def test_withdrawal_frees_the_place_until_the_start_and_rejoining_reuses_the_row(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=1)
    volunteer = world.volunteer()
    first = world.sign_up(activity["id"], volunteer).get_json()
    assert withdraw(world, activity["id"], volunteer).status_code == 200
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 0
    problem(withdraw(world, activity["id"], volunteer), 404)
    again = world.sign_up(activity["id"], volunteer)
    assert again.status_code == 201 and again.get_json()["id"] == first["id"]
    assert again.get_json()["status"] == "confirmed"
    world.clock.advance(hours=1)  # the activity starts
    assert "started" in problem(withdraw(world, activity["id"], volunteer), 409)["detail"]
    problem(withdraw(world, activity["id"], world.volunteer()), 404)
    problem(world.client.delete(f"/api/v1/activities/{activity['id']}/signups/me"), 401)


def test_no_double_booking_of_overlapping_activities(world, problem):
    admin_id, org_id = world.organizer()
    now = world.clock.now()

    def at(hours_from_now, length_hours, **kw):
        start = now + timedelta(hours=hours_from_now)
        return world.published_activity(org_id, admin_id, starts_at=start.isoformat(),
                                         ends_at=(start + timedelta(hours=length_hours)).isoformat(), **kw)

    morning, clash, afternoon = at(1, 3, title="上午助老"), at(3, 2), at(4, 2)
    full = at(2, 1, capacity=1)
    volunteer = world.volunteer()
    assert world.sign_up(morning["id"], volunteer).status_code == 201
    refused = problem(world.sign_up(clash["id"], volunteer), 409, "activity_id")
    assert morning["id"] in refused["detail"] and "上午助老" in refused["detail"]
    assert world.sign_up(afternoon["id"], volunteer).status_code == 201  # back to back is fine
    # A waitlist place blocks the time too.
    other = world.volunteer()
    world.sign_up(full["id"], world.volunteer())
    assert world.sign_up(full["id"], other, waitlist=True).get_json()["status"] == "waitlisted"
    problem(world.sign_up(morning["id"], other), 409, "activity_id")
    withdraw(world, full["id"], other)
    assert world.sign_up(morning["id"], other).status_code == 201


def test_concurrent_sign_ups_of_one_volunteer_for_overlapping_activities_book_one(app, world):
    admin_id, org_id = world.organizer()
    activities = [world.published_activity(org_id, admin_id) for _ in range(6)]
    volunteer = world.volunteer()
    start = threading.Barrier(len(activities))
    statuses: list[int] = []
    lock = threading.Lock()

    def sign_up(activity_id):
        client = app.test_client()
        start.wait()
        resp = client.post(f"/api/v1/activities/{activity_id}/signups", headers=world.person(volunteer))
        with lock:
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=sign_up, args=(a["id"],)) for a in activities]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == 1 and statuses.count(409) == 5, statuses


def test_required_skills_are_checked_and_the_missing_ones_named(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, skills=["First_Aid", "driving", "sign_language"])
    refused = problem(world.sign_up(activity["id"], world.volunteer(skills=("first_aid", "driving"))), 409, "skills")
    assert refused["errors"]["skills"] == ["missing: sign_language"] and "sign_language" in refused["detail"]
    able = world.volunteer(skills=("first_aid", "Driving", "sign_language"))
    assert world.sign_up(activity["id"], able).status_code == 201
    open_to_all = world.published_activity(org_id, admin_id, skills=[],
                                           starts_at=(world.clock.now() + timedelta(days=1)).isoformat(),
                                           ends_at=(world.clock.now() + timedelta(days=1, hours=2)).isoformat())
    assert world.sign_up(open_to_all["id"], world.volunteer(skills=())).status_code == 201


def test_the_organizer_signs_up_a_volunteer_on_site_until_the_end(world, problem):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=2)
    walk_in = world.volunteer()
    world.clock.advance(hours=2)  # under way
    resp = on_site(world, activity["id"], admin_id, volunteer_id=walk_in)
    assert resp.status_code == 201 and resp.get_json()["status"] == "confirmed"
    assert resp.get_json()["volunteer_id"] == walk_in
    problem(on_site(world, activity["id"], admin_id, volunteer_id=walk_in), 409, "volunteer_id")
    problem(on_site(world, activity["id"], admin_id, volunteer_id="nobody"), 400, "volunteer_id")
    problem(on_site(world, activity["id"], admin_id), 400, "volunteer_id")
    problem(on_site(world, activity["id"], admin_id, volunteer_id=world.volunteer(skills=())), 409, "skills")
    problem(on_site(world, activity["id"], walk_in, volunteer_id=world.volunteer()), 403)
    problem(on_site(world, "nope", admin_id, volunteer_id=walk_in), 404)
    world.clock.advance(hours=2)  # ended
    assert "ended" in problem(on_site(world, activity["id"], admin_id, volunteer_id=world.volunteer()), 409)["detail"]
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 1


def test_the_contracts_body_less_sign_up_keeps_working(world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id)
    path = f"/api/v1/activities/{activity['id']}/signups"
    for body in ({"data": b"", "content_type": "application/json"}, {"data": b"null", "content_type": "application/json"},
                 {}):
        assert world.client.post(path, headers=world.person(world.volunteer()), **body).status_code == 201


def test_concurrent_withdrawals_promote_the_waitlist_without_overfilling(app, world):
    admin_id, org_id = world.organizer()
    activity = world.published_activity(org_id, admin_id, capacity=5)
    holders = [world.volunteer() for _ in range(5)]
    queued = [world.volunteer() for _ in range(6)]
    for volunteer in holders:
        assert world.sign_up(activity["id"], volunteer).get_json()["status"] == "confirmed"
    for volunteer in queued:
        assert world.sign_up(activity["id"], volunteer, waitlist=True).get_json()["status"] == "waitlisted"
        world.clock.advance(seconds=1)
    start = threading.Barrier(len(holders))
    statuses: list[int] = []
    lock = threading.Lock()

    def leave(volunteer_id):
        client = app.test_client()
        start.wait()
        resp = client.delete(f"/api/v1/activities/{activity['id']}/signups/me", headers=world.person(volunteer_id))
        with lock:
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=leave, args=(v,)) for v in holders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 5, statuses
    final = world.signup_statuses(activity["id"])
    assert [final[v] for v in queued] == ["confirmed"] * 5 + ["waitlisted"]  # first come, first served
    assert world.client.get(f"/api/v1/activities/{activity['id']}").get_json()["signed_up"] == 5
