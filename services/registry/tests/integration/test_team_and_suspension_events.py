"""Events for teams, memberships and suspensions, written with the change (docs/events.md)."""
from shanxing_common.testing import outbox_events

from .conftest import OPS, assert_problem, new_team, organization_chain, person

START_ISO = "2030-06-05T02:00:00+00:00"


def data(app, type_):
    return [event["data"] for event in outbox_events(app, type_)]


def test_creating_a_team_publishes_it_and_its_first_admin(app, client, trees):
    team = new_team(client, trees).get_json()
    assert data(app, "registry.team_created.v1") == [{
        "team_id": team["id"], "name": "阳光助老服务队", "regional_parent_id": trees["regional"][3]["id"],
        "specialised_parent_id": trees["specialised"][2]["id"], "region_code": "110105",
        "created_by": trees["regional_admin"], "created_at": START_ISO}]
    assert data(app, "registry.team_member_joined.v1") == [
        {"team_id": team["id"], "volunteer_id": trees["regional_admin"], "role": "admin", "joined_at": START_ISO}]
    new_team(client, trees, headers=OPS)  # ops is no volunteer: a team without members
    assert len(data(app, "registry.team_created.v1")) == 2 and len(data(app, "registry.team_member_joined.v1")) == 1
    assert_problem(new_team(client, trees, headers=person("stranger")), 403)
    assert len(data(app, "registry.team_created.v1")) == 2  # nothing for a refused creation


def test_members_join_on_approval_and_leave_once(world, app, client, trees, clock):
    team = new_team(client, trees).get_json()
    base = f"/api/v1/teams/{team['id']}/members"
    joiner, withdrawer = world.volunteer()["id"], world.volunteer()["id"]
    client.post(base, headers=person(joiner))
    client.post(base, headers=person(withdrawer))
    assert len(data(app, "registry.team_member_joined.v1")) == 1  # applying is not joining
    clock.advance(hours=1)
    assert client.post(f"{base}/{joiner}/approve", headers=person(trees["regional_admin"])).status_code == 200
    assert data(app, "registry.team_member_joined.v1")[-1] == {
        "team_id": team["id"], "volunteer_id": joiner, "role": "member", "joined_at": "2030-06-05T03:00:00+00:00"}
    assert client.delete(f"{base}/me", headers=person(withdrawer)).status_code == 204  # withdrawn application
    assert data(app, "registry.team_member_left.v1") == []
    assert client.delete(f"{base}/me", headers=person(joiner)).status_code == 204
    assert_problem(client.delete(f"{base}/me", headers=person(joiner)), 404)
    assert data(app, "registry.team_member_left.v1") == [
        {"team_id": team["id"], "volunteer_id": joiner, "left_at": "2030-06-05T03:00:00+00:00"}]


def test_suspension_and_resumption_are_published(world, app, client):
    city_admin = world.volunteer()["id"]
    city, district = organization_chain(world, city_admin, "regional", 2)
    url = f"/api/v1/organizations/{district['id']}"
    assert client.post(url + "/suspend", json={"reason": "整改"}, headers=person(city_admin)).status_code == 200
    assert_problem(client.post(url + "/suspend", json={"reason": "again"}, headers=OPS), 409)
    assert data(app, "registry.organization_suspended.v1") == [
        {"organization_id": district["id"], "reason": "整改", "suspended_by": city_admin, "suspended_at": START_ISO}]
    assert client.post(url + "/resume", headers=OPS).status_code == 200
    assert_problem(client.post(url + "/resume", headers=OPS), 409)
    assert data(app, "registry.organization_resumed.v1") == [
        {"organization_id": district["id"], "resumed_by": "ops-person", "resumed_at": START_ISO}]
