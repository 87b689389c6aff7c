import pytest

from .conftest import OPS, assert_problem, organization_chain, person

BODY = {"name": "某某志愿服务组织", "region_code": "110105"}


def create(client, applicant, kind, parent_id=None, **extra):
    return client.post("/api/v1/organizations", headers=person(applicant),
                       json={**BODY, "kind": kind, "parent_id": parent_id, **extra})


def chain(world, admin, kind="regional", depth=4):
    return organization_chain(world, admin, kind, depth)


def test_levels_are_derived_from_the_parent(world):
    admin = world.volunteer()["id"]
    assert [o["level"] for o in chain(world, admin)] == ["city", "district", "street", "community"]
    assert [o["level"] for o in chain(world, admin, "specialised")] == ["corps", "detachment", "squad", "team"]


def test_a_given_level_must_fit(world, client):
    admin = world.volunteer()["id"]
    city, district = chain(world, admin, depth=2)
    assert create(client, admin, "regional", district["id"], level="street").get_json()["level"] == "street"
    assert_problem(create(client, admin, "regional", None, level="district"), 400, "level")
    assert_problem(create(client, admin, "regional", city["id"], level="street"), 400, "level")
    assert_problem(create(client, admin, "regional", city["id"], level="detachment"), 400, "level")
    assert_problem(create(client, admin, "regional", city["id"], level="planet"), 400, "level")


def test_nothing_below_the_lowest_level(world, client):
    admin = world.volunteer()["id"]
    community = chain(world, admin)[-1]
    body = assert_problem(create(client, admin, "regional", community["id"]), 400, "parent_id")
    assert "lowest" in body["errors"]["parent_id"][0]


def test_an_admin_of_any_ancestor_may_approve(world, client):
    city_admin = world.volunteer()["id"]
    city, district = chain(world, city_admin, depth=2)
    applicant = world.volunteer()["id"]
    street = create(client, applicant, "regional", district["id"]).get_json()
    assert_problem(client.post(f"/api/v1/organizations/{street['id']}/approve", headers=person(applicant)), 403)
    resp = client.post(f"/api/v1/organizations/{street['id']}/approve", headers=person(city_admin))
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"


def test_list_with_filters_and_cursor(world, client, clock):
    admin = world.volunteer()["id"]
    regional = chain(world, admin, depth=2)
    clock.advance(minutes=1)
    specialised = chain(world, admin, "specialised", depth=1)
    clock.advance(minutes=1)
    pending = create(client, admin, "regional", regional[0]["id"]).get_json()
    headers = person("anyone")
    everything = client.get("/api/v1/organizations", headers=headers).get_json()
    ids = [o["id"] for o in everything["items"]]  # by creation time, then id
    assert set(ids[:2]) == {o["id"] for o in regional} and ids[2:] == [specialised[0]["id"], pending["id"]]
    assert everything["next"] is None
    kind = client.get("/api/v1/organizations?kind=specialised", headers=headers).get_json()
    assert [o["id"] for o in kind["items"]] == [specialised[0]["id"]]
    children = client.get(f"/api/v1/organizations?parent_id={regional[0]['id']}&status=approved",
                          headers=headers).get_json()
    assert [o["id"] for o in children["items"]] == [regional[1]["id"]]
    level = client.get("/api/v1/organizations?level=district", headers=headers).get_json()
    assert {o["id"] for o in level["items"]} == {regional[1]["id"], pending["id"]}
    seen, url = [], "/api/v1/organizations?limit=2"
    while url:
        page = client.get(url, headers=headers).get_json()
        assert len(page["items"]) <= 2
        seen += [o["id"] for o in page["items"]]
        url = f"/api/v1/organizations?limit=2&cursor={page['next']}" if page["next"] else None
    assert seen == [o["id"] for o in everything["items"]]


@pytest.mark.parametrize("query, field", [("kind=club", "kind"), ("status=gone", "status"), ("limit=0", "limit"),
                                          ("limit=201", "limit"), ("cursor=garbage", "cursor"),
                                          ("level=planet", "level")])
def test_bad_list_queries_are_named(client, query, field):
    assert_problem(client.get(f"/api/v1/organizations?{query}", headers=person("p")), 400, field)


def test_the_tree_holds_approved_descendants(world, client):
    admin = world.volunteer()["id"]
    city, district, street, community = chain(world, admin)
    other_district = world.approved_organization(admin, parent_id=city["id"], name="另一个区")
    create(client, admin, "regional", city["id"])  # pending: not in the tree
    tree = client.get(f"/api/v1/organizations/{city['id']}/tree", headers=person("anyone")).get_json()
    assert tree["id"] == city["id"] and tree["level"] == "city"
    children = {c["id"]: c for c in tree["children"]}
    assert set(children) == {district["id"], other_district["id"]}
    assert children[other_district["id"]]["children"] == []
    [street_node] = children[district["id"]]["children"]
    assert street_node["id"] == street["id"] and street_node["level"] == "street"
    assert [c["id"] for c in street_node["children"]] == [community["id"]]
    assert street_node["children"][0]["children"] == []
    shallow = client.get(f"/api/v1/organizations/{city['id']}/tree?depth=1", headers=person("x")).get_json()
    assert [c["children"] for c in shallow["children"]] == [[], []]
    assert client.get(f"/api/v1/organizations/{city['id']}/tree?depth=0",
                      headers=person("x")).get_json()["children"] == []
    assert_problem(client.get(f"/api/v1/organizations/{city['id']}/tree?depth=4", headers=person("x")), 400, "depth")
    assert_problem(client.get("/api/v1/organizations/nope/tree", headers=person("x")), 404)


def test_suspend_and_resume(world, client):
    city_admin = world.volunteer()["id"]
    city, district = chain(world, city_admin, depth=2)
    district_admin = world.volunteer()["id"]
    client.post(f"/api/v1/organizations/{district['id']}/admins", json={"volunteer_id": district_admin},
                headers=OPS)
    url = f"/api/v1/organizations/{district['id']}"
    assert_problem(client.post(url + "/suspend", json={}, headers=OPS), 400, "reason")
    assert_problem(client.post(url + "/suspend", json={"reason": "整改"}, headers=person(district_admin)), 403)
    resp = client.post(url + "/suspend", json={"reason": "整改"}, headers=person(city_admin))
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "suspended" and resp.get_json()["reason"] == "整改"
    body = assert_problem(client.post(url + "/suspend", json={"reason": "again"}, headers=OPS), 409)
    assert body["current_status"] == "suspended"
    # a suspended organization takes no children and no admins
    assert_problem(create(client, city_admin, "regional", district["id"]), 400, "parent_id")
    assert_problem(client.post(url + "/admins", json={"volunteer_id": city_admin}, headers=OPS), 409)
    tree = client.get(f"/api/v1/organizations/{city['id']}/tree", headers=person("x")).get_json()
    assert tree["children"] == []
    assert_problem(client.post(url + "/resume", headers=person(district_admin)), 403)
    resumed = client.post(url + "/resume", headers=OPS)
    assert resumed.status_code == 200 and resumed.get_json()["status"] == "approved"
    assert resumed.get_json()["reason"] is None
    assert_problem(client.post(url + "/resume", headers=OPS), 409)
    assert_problem(client.post(f"/api/v1/organizations/{city['id']}/suspend", json={"reason": "x"},
                               headers=person(city_admin)), 403)  # only from above
    assert_problem(client.post("/api/v1/organizations/nope/suspend", json={"reason": "x"}, headers=OPS), 404)
    pending = create(client, city_admin, "regional", city["id"]).get_json()
    assert_problem(client.post(f"/api/v1/organizations/{pending['id']}/suspend", json={"reason": "x"},
                               headers=OPS), 409)


def test_the_openapi_document_lists_the_new_routes(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for path in ("/api/v1/organizations/{organization_id}/tree", "/api/v1/teams/{team_id}/members",
                 "/api/v1/volunteers/me/transfer", "/api/v1/certificates/{code}"):
        assert path in paths
    assert "patch" in paths["/api/v1/volunteers/me"]
