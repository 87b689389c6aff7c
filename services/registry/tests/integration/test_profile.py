import pytest

from shanxing_common.testing import outbox_events

from .conftest import assert_problem, person

PROFILE = {
    "skills": ["driving", "first_aid", "driving"],
    "preferences": ["elderly", "environment"],
    "availability": [{"weekday": 6, "start": "14:00", "end": "17:00"},
                     {"weekday": 1, "start": "19:00", "end": "21:30"}],
    "home_location": {"latitude": 39.9219, "longitude": 116.4436},
    "tags": ["party_member", "veteran"],
}


def patch(client, volunteer_id, body):
    return client.patch("/api/v1/volunteers/me", json=body, headers=person(volunteer_id))


def test_a_new_volunteer_has_an_empty_profile(world, client):
    me = client.get("/api/v1/volunteers/me", headers=person(world.volunteer()["id"])).get_json()
    assert me["availability"] == [] and me["home_location"] is None and me["tags"] == []


def test_update_the_profile_and_read_it_back(world, client, app, clock):
    volunteer = world.volunteer(name="李建国")
    clock.advance(days=1)
    resp = patch(client, volunteer["id"], PROFILE)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["skills"] == ["driving", "first_aid"] and body["preferences"] == ["elderly", "environment"]
    assert body["availability"] == [{"weekday": 1, "start": "19:00", "end": "21:30"},
                                    {"weekday": 6, "start": "14:00", "end": "17:00"}]
    assert body["home_location"] == {"latitude": 39.9219, "longitude": 116.4436}
    assert body["tags"] == ["party_member", "veteran"]
    assert body["id_number"] == volunteer["id_number"] and "****" in body["phone"]
    assert client.get("/api/v1/volunteers/me", headers=person(volunteer["id"])).get_json() == body
    [event] = outbox_events(app, "registry.volunteer_updated.v1")
    assert event["data"] == {
        "volunteer_id": volunteer["id"], "display_name": "李*国", "region_code": "110105",
        "skills": body["skills"], "preferences": body["preferences"],
        "registered_at": "2030-06-05T02:00:00+00:00", "availability": body["availability"],
        "home_location": body["home_location"], "tags": body["tags"],
        "updated_at": "2030-06-06T02:00:00+00:00"}


def test_only_the_given_fields_change(world, client, app):
    volunteer = world.volunteer()["id"]
    patch(client, volunteer, PROFILE)
    body = patch(client, volunteer, {"tags": [], "home_location": None}).get_json()
    assert body["tags"] == [] and body["home_location"] is None
    assert body["skills"] == ["driving", "first_aid"] and len(body["availability"]) == 2
    assert len(outbox_events(app, "registry.volunteer_updated.v1")) == 2


@pytest.mark.parametrize("body, field", [
    ({"tags": ["party_member", "vip"]}, "tags.1"),
    ({"availability": [{"weekday": 0, "start": "09:00", "end": "10:00"}]}, "availability.0.weekday"),
    ({"availability": [{"weekday": 8, "start": "09:00", "end": "10:00"}]}, "availability.0.weekday"),
    ({"availability": [{"weekday": "1", "start": "09:00", "end": "10:00"}]}, "availability.0.weekday"),
    ({"availability": [{"weekday": 1, "start": "9:00", "end": "10:00"}]}, "availability.0.start"),
    ({"availability": [{"weekday": 1, "start": "09:00", "end": "25:00"}]}, "availability.0.end"),
    ({"availability": [{"weekday": 1, "start": "10:00", "end": "10:00"}]}, "availability.0.end"),
    ({"availability": [{"weekday": 1, "start": "11:00"}]}, "availability.0.end"),
    ({"availability": [{"weekday": d % 7 + 1, "start": f"{d // 7:02d}:00", "end": f"{d // 7:02d}:30"}
                       for d in range(22)]}, "availability"),
    ({"availability": "weekends"}, "availability"),
    ({"home_location": {"latitude": 91, "longitude": 116}}, "home_location.latitude"),
    ({"home_location": {"latitude": 39.9, "longitude": -181}}, "home_location.longitude"),
    ({"home_location": {"latitude": 39.9}}, "home_location.longitude"),
    ({"home_location": "here"}, "home_location._schema"),
    ({"skills": ["x" * 31]}, "skills.0"),
    ({"preferences": ["a"] * 21}, "preferences"),
    ({}, "_schema"),
    ({"name": "改名字"}, "_schema"),  # not changeable here: ignored, so nothing is left to change
])
def test_bad_fields_are_named_and_nothing_changes(world, client, app, body, field):
    volunteer = world.volunteer()["id"]
    assert_problem(patch(client, volunteer, body), 400, field)
    assert outbox_events(app, "registry.volunteer_updated.v1") == []


def test_exactly_21_windows_are_accepted(world, client):
    windows = [{"weekday": d % 7 + 1, "start": f"{d // 7:02d}:00", "end": f"{d // 7:02d}:30"} for d in range(21)]
    assert len(patch(client, world.volunteer()["id"], {"availability": windows}).get_json()["availability"]) == 21


def test_updating_needs_a_volunteer(client):
    assert_problem(client.patch("/api/v1/volunteers/me", json={"tags": []}), 401)
    assert_problem(patch(client, "ops-person", {"tags": []}), 404)
