import uuid

from shanxing_common.testing import deliver, outbox_events

from .conftest import OPS, new_team, person


def confirmed(app, volunteer_id, hours, *, team_id=None, organization_id="elsewhere", record_id=None):
    record_id = record_id or str(uuid.uuid4())
    deliver(app, "activities.hours_confirmed.v1", {
        "record_id": record_id, "volunteer_id": volunteer_id, "activity_id": "a1",
        "organization_id": organization_id, "team_id": team_id, "region_code": "110105", "category": "elderly",
        "hours": hours, "served_on": "2030-06-05", "confirmed_by": "admin", "verified": True})
    return record_id


def revoked(app, volunteer_id, record_id):
    deliver(app, "activities.hours_revoked.v1", {"record_id": record_id, "volunteer_id": volunteer_id,
                                                 "hours": "0", "reason": "mistake", "revoked_by": "admin"})


def hours_of(client, trees, team_id):
    team = client.get(f"/api/v1/teams/{team_id}", headers=OPS).get_json()
    orgs = {org["id"]: client.get(f"/api/v1/organizations/{org['id']}", headers=OPS).get_json()["total_hours"]
            for org in trees["regional"] + trees["specialised"]}
    return team["total_hours"], orgs


def test_team_hours_roll_up_both_trees_and_revokes_subtract_exactly(world, client, app, trees):
    team = new_team(client, trees).get_json()
    volunteer = world.volunteer()["id"]
    first = confirmed(app, volunteer, "2.50", team_id=team["id"])
    confirmed(app, volunteer, "1.25", team_id=team["id"], record_id=first)  # the same record again: once
    confirmed(app, volunteer, "0.75", team_id=team["id"])
    team_hours, orgs = hours_of(client, trees, team["id"])
    assert team_hours == "3.25"
    assert set(orgs.values()) == {"3.25"}  # every ancestor of both parents
    revoked(app, volunteer, first)
    revoked(app, volunteer, first)
    team_hours, orgs = hours_of(client, trees, team["id"])
    assert team_hours == "0.75" and set(orgs.values()) == {"0.75"}
    assert client.get("/api/v1/volunteers/me", headers=person(volunteer)).get_json()["total_hours"] == "0.75"


def test_the_activity_organization_counts_once_beside_the_team(world, client, app, trees):
    team = new_team(client, trees).get_json()
    volunteer = world.volunteer()["id"]
    street = trees["regional"][2]
    confirmed(app, volunteer, "1.00", team_id=team["id"], organization_id=street["id"])
    _, orgs = hours_of(client, trees, team["id"])
    assert orgs[street["id"]] == "1.00"


def test_without_a_team_the_activity_organization_and_its_ancestors_count(world, client, app, trees):
    team = new_team(client, trees).get_json()
    volunteer = world.volunteer()["id"]
    district = trees["regional"][1]
    confirmed(app, volunteer, "2.00", organization_id=district["id"])
    team_hours, orgs = hours_of(client, trees, team["id"])
    assert team_hours == "0.00"
    city, _, street, community = trees["regional"]
    assert orgs[city["id"]] == orgs[district["id"]] == "2.00"
    assert orgs[street["id"]] == orgs[community["id"]] == "0.00"
    assert set(orgs[o["id"]] for o in trees["specialised"]) == {"0.00"}


def test_an_unknown_team_counts_for_the_volunteer_only(world, client, app, trees):
    volunteer = world.volunteer()["id"]
    confirmed(app, volunteer, "1.00", team_id="no-such-team")
    assert client.get("/api/v1/volunteers/me", headers=person(volunteer)).get_json()["total_hours"] == "1.00"


def test_star_level_changes_are_published_up_and_down(world, client, app, monkeypatch):
    monkeypatch.setenv("SHANXING_STAR_THRESHOLDS_HOURS", "1,3")
    volunteer = world.volunteer()["id"]
    confirmed(app, volunteer, "0.50")
    assert outbox_events(app, "registry.star_level_changed.v1") == []
    big = confirmed(app, volunteer, "3.00")
    revoked(app, volunteer, big)
    events = [e["data"] for e in outbox_events(app, "registry.star_level_changed.v1")]
    assert events == [
        {"volunteer_id": volunteer, "old_level": 0, "new_level": 2, "total_hours": "3.50"},
        {"volunteer_id": volunteer, "old_level": 2, "new_level": 0, "total_hours": "0.50"}]
    assert client.get("/api/v1/volunteers/me", headers=person(volunteer)).get_json()["star_level"] == 0


def test_team_star_levels(world, client, app, trees, monkeypatch):
    monkeypatch.setenv("SHANXING_TEAM_STAR_THRESHOLDS_HOURS", "2,5")
    team = new_team(client, trees).get_json()
    volunteer = world.volunteer()["id"]
    confirmed(app, volunteer, "1.50", team_id=team["id"])
    assert client.get(f"/api/v1/teams/{team['id']}", headers=OPS).get_json()["star_level"] == 0
    record = confirmed(app, volunteer, "4.00", team_id=team["id"])
    assert client.get(f"/api/v1/teams/{team['id']}", headers=OPS).get_json()["star_level"] == 2
    revoked(app, volunteer, record)
    assert client.get(f"/api/v1/teams/{team['id']}", headers=OPS).get_json()["star_level"] == 0
