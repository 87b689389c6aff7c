from .conftest import OPS, assert_problem, new_team, person


def test_an_admin_of_a_parent_creates_a_team_and_becomes_its_admin(client, trees):
    resp = new_team(client, trees)
    assert resp.status_code == 201, resp.get_json()
    team = resp.get_json()
    assert team["regional_parent_id"] == trees["regional"][3]["id"] and team["region_code"] == "110105"
    assert team["total_hours"] == "0.00" and team["star_level"] == 0 and team["member_count"] == 1
    assert client.get(f"/api/v1/teams/{team['id']}", headers=person("x")).get_json() == team
    members = client.get(f"/api/v1/teams/{team['id']}/members", headers=person("x")).get_json()
    assert [(m["volunteer_id"], m["role"], m["status"]) for m in members["items"]] == [
        (trees["regional_admin"], "admin", "active")]
    assert members["items"][0]["display_name"] == "区**理"
    by_specialised = new_team(client, trees, headers=person(trees["specialised_admin"]),
                              regional_parent_id=trees["regional"][2]["id"])  # a street station also fits
    assert by_specialised.status_code == 201
    by_ops = new_team(client, trees, headers=OPS).get_json()
    assert by_ops["member_count"] == 0


def test_team_creation_4xx(world, client, trees):
    regional, specialised = trees["regional"], trees["specialised"]
    assert_problem(new_team(client, trees, headers=person(world.volunteer()["id"])), 403)
    assert_problem(client.post("/api/v1/teams", json={}), 401)
    for field, value in [("regional_parent_id", "nope"), ("regional_parent_id", regional[1]["id"]),
                         ("regional_parent_id", specialised[2]["id"]), ("specialised_parent_id", specialised[1]["id"]),
                         ("specialised_parent_id", regional[3]["id"]), ("specialised_parent_id", ""),
                         ("name", "阳")]:
        assert_problem(new_team(client, trees, **{field: value}), 400, field)
    for field in ("name", "regional_parent_id", "specialised_parent_id"):
        body = {"name": "阳光助老服务队", "regional_parent_id": regional[3]["id"],
                "specialised_parent_id": specialised[2]["id"]}
        del body[field]
        assert_problem(client.post("/api/v1/teams", json=body, headers=OPS), 400, field)
    client.post(f"/api/v1/organizations/{regional[3]['id']}/suspend", json={"reason": "整改"}, headers=OPS)
    body = assert_problem(new_team(client, trees), 400, "regional_parent_id")
    assert "suspended" in body["errors"]["regional_parent_id"][0]
    assert_problem(client.get("/api/v1/teams/nope", headers=person("x")), 404)


def test_join_approve_and_leave(world, client, trees):
    team = new_team(client, trees).get_json()
    admin = trees["regional_admin"]
    joiner = world.volunteer()["id"]
    base = f"/api/v1/teams/{team['id']}/members"
    applied = client.post(base, headers=person(joiner))
    assert applied.status_code == 201
    assert applied.get_json()["status"] == "pending" and applied.get_json()["role"] == "member"
    assert assert_problem(client.post(base, headers=person(joiner)), 409)["current_status"] == "pending"
    # outsiders see active members only; the team admin sees the application
    assert [m["volunteer_id"] for m in client.get(base, headers=person(joiner)).get_json()["items"]] == [admin]
    assert len(client.get(base, headers=person(admin)).get_json()["items"]) == 2
    assert_problem(client.post(f"{base}/{joiner}/approve", headers=person(joiner)), 403)
    approved = client.post(f"{base}/{joiner}/approve", headers=person(admin))
    assert approved.status_code == 200 and approved.get_json()["status"] == "active"
    assert assert_problem(client.post(f"{base}/{joiner}/approve", headers=OPS), 409)["current_status"] == "active"
    assert_problem(client.post(f"{base}/nobody/approve", headers=OPS), 404)
    assert client.get(f"/api/v1/teams/{team['id']}", headers=person("x")).get_json()["member_count"] == 2
    # the last admin stays while others remain
    assert_problem(client.delete(f"{base}/me", headers=person(admin)), 409)
    assert client.delete(f"{base}/me", headers=person(joiner)).status_code == 204
    assert_problem(client.delete(f"{base}/me", headers=person(joiner)), 404)
    assert client.delete(f"{base}/me", headers=person(admin)).status_code == 204
    assert client.get(f"/api/v1/teams/{team['id']}", headers=person("x")).get_json()["member_count"] == 0


def test_ops_approves_and_a_volunteer_joins_several_teams(world, client, trees):
    first = new_team(client, trees).get_json()
    second = new_team(client, trees, name="绿色环保服务队").get_json()
    volunteer = world.volunteer()["id"]
    for team in (first, second):
        assert client.post(f"/api/v1/teams/{team['id']}/members", headers=person(volunteer)).status_code == 201
        assert client.post(f"/api/v1/teams/{team['id']}/members/{volunteer}/approve",
                           headers=OPS).status_code == 200
    # withdrawing an application
    other = world.volunteer()["id"]
    client.post(f"/api/v1/teams/{first['id']}/members", headers=person(other))
    assert client.delete(f"/api/v1/teams/{first['id']}/members/me", headers=person(other)).status_code == 204


def test_membership_4xx(world, client, trees):
    team = new_team(client, trees).get_json()
    assert_problem(client.post("/api/v1/teams/nope/members", headers=person(world.volunteer()["id"])), 404)
    assert_problem(client.post(f"/api/v1/teams/{team['id']}/members", headers=OPS), 404)  # staff: no profile
    assert_problem(client.post(f"/api/v1/teams/{team['id']}/members"), 401)
    assert_problem(client.get(f"/api/v1/teams/{team['id']}/members?limit=0", headers=OPS), 400, "limit")
    assert_problem(client.get("/api/v1/teams/nope/members", headers=OPS), 404)


def test_members_page_with_a_cursor(world, client, trees, clock):
    team = new_team(client, trees).get_json()
    for _ in range(4):
        clock.advance(seconds=1)
        client.post(f"/api/v1/teams/{team['id']}/members", headers=person(world.volunteer()["id"]))
    seen, url = [], f"/api/v1/teams/{team['id']}/members?limit=2"
    while url:
        page = client.get(url, headers=OPS).get_json()
        seen += [m["volunteer_id"] for m in page["items"]]
        url = f"/api/v1/teams/{team['id']}/members?limit=2&cursor={page['next']}" if page["next"] else None
    assert len(seen) == 5 and len(set(seen)) == 5
