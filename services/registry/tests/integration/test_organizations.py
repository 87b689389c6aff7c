import pytest

from shanxing_common.testing import outbox_events

from .conftest import OPS, assert_problem, person

ORG_FIELDS = {"id", "name", "kind", "parent_id", "region_code", "status", "applicant_id", "created_at"}


def test_any_person_may_apply(world, client, app):
    applicant = world.volunteer()
    org = world.organization(applicant["id"], name="  朝阳区  志愿服务队 ")
    assert ORG_FIELDS <= set(org)
    assert org["status"] == "pending" and org["name"] == "朝阳区 志愿服务队"
    assert org["parent_id"] is None and org["applicant_id"] == applicant["id"]
    assert org["created_at"].startswith("2030-06-05T02:00:00") and org["admin_ids"] == []
    assert outbox_events(app, "registry.organization_approved.v1") == []


def test_applying_needs_a_person(client):
    body = {"name": "朝阳区志愿服务队", "kind": "regional", "parent_id": None, "region_code": "110105"}
    assert_problem(client.post("/api/v1/organizations", json=body), 401)


@pytest.mark.parametrize("field, value", [("name", "朝"), ("name", "x" * 61), ("kind", "club"),
                                          ("region_code", "11"), ("parent_id", "")])
def test_invalid_fields_are_named(world, client, field, value):
    body = {"name": "朝阳区志愿服务队", "kind": "regional", "parent_id": None, "region_code": "110105"}
    body[field] = value
    assert_problem(client.post("/api/v1/organizations", json=body, headers=person("p")), 400, field)


@pytest.mark.parametrize("field", ["name", "kind", "region_code"])
def test_missing_fields_are_named(client, field):
    body = {"name": "朝阳区志愿服务队", "kind": "regional", "region_code": "110105"}
    del body[field]
    assert_problem(client.post("/api/v1/organizations", json=body, headers=person("p")), 400, field)


def test_parent_must_exist_be_approved_and_of_the_same_kind(world, client):
    applicant = world.volunteer()["id"]
    body = {"name": "三里屯街道工作站", "kind": "regional", "region_code": "110105001"}
    unknown = assert_problem(client.post("/api/v1/organizations", json={**body, "parent_id": "nope"},
                                         headers=person(applicant)), 400, "parent_id")
    assert "no such" in unknown["errors"]["parent_id"][0]
    pending = world.organization(applicant)
    not_approved = assert_problem(client.post("/api/v1/organizations", json={**body, "parent_id": pending["id"]},
                                              headers=person(applicant)), 400, "parent_id")
    assert "pending" in not_approved["errors"]["parent_id"][0]
    specialised = world.approved_organization(applicant, kind="specialised", name="应急救援总队")
    other_kind = assert_problem(client.post("/api/v1/organizations", json={**body, "parent_id": specialised["id"]},
                                            headers=person(applicant)), 400, "parent_id")
    assert "specialised" in other_kind["errors"]["parent_id"][0]
    regional = world.approved_organization(applicant)
    child = world.organization(applicant, parent_id=regional["id"], name="三里屯街道工作站")
    assert child["parent_id"] == regional["id"] and child["status"] == "pending"


def test_get_an_organization(world, client):
    org = world.organization(world.volunteer()["id"])
    resp = client.get(f"/api/v1/organizations/{org['id']}", headers=person("anyone"))
    assert resp.status_code == 200 and resp.get_json() == org
    assert_problem(client.get(f"/api/v1/organizations/{org['id']}"), 401)
    assert_problem(client.get("/api/v1/organizations/unknown", headers=person("anyone")), 404)


def test_ops_approves_and_the_applicant_becomes_the_first_admin(world, client, app):
    applicant = world.volunteer()
    org = world.organization(applicant["id"])
    resp = client.post(f"/api/v1/organizations/{org['id']}/approve", headers=OPS)
    assert resp.status_code == 200
    approved = resp.get_json()
    assert approved["status"] == "approved" and approved["reviewed_by"] == "ops-person"
    assert approved["admin_ids"] == [applicant["id"]]
    [event] = outbox_events(app, "registry.organization_approved.v1")
    assert event["data"] == {"organization_id": org["id"], "name": org["name"], "kind": "regional",
                             "parent_id": None, "region_code": "110105", "admin_ids": [applicant["id"]]}


def test_a_staff_applicant_does_not_become_an_admin(world, client, app):
    org = world.organization("ops-person")
    approved = client.post(f"/api/v1/organizations/{org['id']}/approve", headers=OPS).get_json()
    assert approved["admin_ids"] == []
    assert outbox_events(app, "registry.organization_approved.v1")[0]["data"]["admin_ids"] == []


def test_an_admin_of_the_parent_may_approve_a_child(world, client):
    parent_admin = world.volunteer()["id"]
    parent = world.approved_organization(parent_admin)
    child_applicant = world.volunteer()["id"]
    child = world.organization(child_applicant, parent_id=parent["id"], name="三里屯街道工作站")
    assert_problem(client.post(f"/api/v1/organizations/{child['id']}/approve",
                               headers=person(child_applicant)), 403)
    resp = client.post(f"/api/v1/organizations/{child['id']}/approve", headers=person(parent_admin))
    assert resp.status_code == 200 and resp.get_json()["admin_ids"] == [child_applicant]


def test_only_ops_approves_a_top_level_organization(world, client):
    applicant = world.volunteer()["id"]
    org = world.organization(applicant)
    assert_problem(client.post(f"/api/v1/organizations/{org['id']}/approve", headers=person(applicant)), 403)
    assert_problem(client.post(f"/api/v1/organizations/{org['id']}/approve"), 401)
    assert_problem(client.post("/api/v1/organizations/unknown/approve", headers=OPS), 404)


def test_approving_twice_is_409_naming_the_status(world, client, app):
    org = world.approved_organization(world.volunteer()["id"])
    body = assert_problem(client.post(f"/api/v1/organizations/{org['id']}/approve", headers=OPS), 409)
    assert body["current_status"] == "approved" and "approved" in body["detail"]
    assert len(outbox_events(app, "registry.organization_approved.v1")) == 1


def test_reject_with_a_reason_then_it_cannot_be_approved(world, client):
    org = world.organization(world.volunteer()["id"])
    assert_problem(client.post(f"/api/v1/organizations/{org['id']}/reject", json={}, headers=OPS), 400, "reason")
    resp = client.post(f"/api/v1/organizations/{org['id']}/reject", json={"reason": "材料不全"}, headers=OPS)
    assert resp.status_code == 200
    assert resp.get_json()["status"] == "rejected" and resp.get_json()["reason"] == "材料不全"
    body = assert_problem(client.post(f"/api/v1/organizations/{org['id']}/approve", headers=OPS), 409)
    assert body["current_status"] == "rejected"


def test_ops_and_admins_appoint_admins(world, client, app, clock):
    first_admin = world.volunteer()["id"]
    org = world.approved_organization(first_admin)
    clock.advance(minutes=1)
    second = world.volunteer()["id"]
    resp = client.post(f"/api/v1/organizations/{org['id']}/admins", json={"volunteer_id": second},
                       headers=person(first_admin))
    assert resp.status_code == 201
    assert resp.get_json()["organization_id"] == org["id"] and resp.get_json()["volunteer_id"] == second
    clock.advance(minutes=1)
    third = world.volunteer()["id"]
    assert client.post(f"/api/v1/organizations/{org['id']}/admins", json={"volunteer_id": third},
                       headers=OPS).status_code == 201
    events = outbox_events(app, "registry.organization_admin_added.v1")
    assert [e["data"] for e in events] == [{"organization_id": org["id"], "volunteer_id": second},
                                           {"organization_id": org["id"], "volunteer_id": third}]
    current = client.get(f"/api/v1/organizations/{org['id']}", headers=person("x")).get_json()
    assert current["admin_ids"] == [first_admin, second, third]


def test_appointing_admins_4xx(world, client, app):
    admin = world.volunteer()["id"]
    org = world.approved_organization(admin)
    outsider = world.volunteer()["id"]
    url = f"/api/v1/organizations/{org['id']}/admins"
    assert_problem(client.post(url, json={"volunteer_id": outsider}), 401)
    assert_problem(client.post(url, json={"volunteer_id": outsider}, headers=person(outsider)), 403)
    assert_problem(client.post(url, json={}, headers=OPS), 400, "volunteer_id")
    assert_problem(client.post(url, json={"volunteer_id": "no-such-volunteer"}, headers=OPS), 400, "volunteer_id")
    assert_problem(client.post(url, json={"volunteer_id": "ops-person"}, headers=OPS), 400, "volunteer_id")
    assert_problem(client.post(url, json={"volunteer_id": admin}, headers=OPS), 409, "volunteer_id")
    assert_problem(client.post("/api/v1/organizations/nope/admins", json={"volunteer_id": admin}, headers=OPS), 404)
    pending = world.organization(admin, name="另一个服务队")
    body = assert_problem(client.post(f"/api/v1/organizations/{pending['id']}/admins",
                                      json={"volunteer_id": outsider}, headers=OPS), 409)
    assert body["current_status"] == "pending"
    assert outbox_events(app, "registry.organization_admin_added.v1") == []


def test_an_admin_of_another_organization_cannot_appoint(world, client):
    admin_a = world.volunteer()["id"]
    admin_b = world.volunteer()["id"]
    org_a = world.approved_organization(admin_a)
    world.approved_organization(admin_b, name="另一个服务队")
    assert_problem(client.post(f"/api/v1/organizations/{org_a['id']}/admins", json={"volunteer_id": admin_b},
                               headers=person(admin_b)), 403)
