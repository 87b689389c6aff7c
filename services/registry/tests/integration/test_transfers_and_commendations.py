import pytest

from shanxing_common.testing import outbox_events

from .conftest import OPS, assert_problem, person


def transfer(client, volunteer_id, to_region_code, reason="搬家"):
    return client.post("/api/v1/volunteers/me/transfer", headers=person(volunteer_id),
                       json={"to_region_code": to_region_code, "reason": reason})


def test_transfer_moves_the_volunteer_and_keeps_history(world, client, app, clock):
    volunteer = world.volunteer()
    clock.advance(days=30)
    resp = transfer(client, volunteer["id"], " 110108 ")
    assert resp.status_code == 201, resp.get_json()
    first = resp.get_json()
    assert first["from_region_code"] == "110105" and first["to_region_code"] == "110108"
    assert first["reason"] == "搬家" and first["transferred_at"].startswith("2030-07-05T02:00:00")
    clock.advance(days=30)
    second = transfer(client, volunteer["id"], "310101", "工作调动").get_json()
    me = client.get("/api/v1/volunteers/me", headers=person(volunteer["id"])).get_json()
    assert me["region_code"] == "310101" and me["total_hours"] == "0.00"
    history = client.get("/api/v1/volunteers/me/transfers", headers=person(volunteer["id"])).get_json()
    assert [t["id"] for t in history["items"]] == [first["id"], second["id"]] and history["next"] is None
    page = client.get("/api/v1/volunteers/me/transfers?limit=1", headers=person(volunteer["id"])).get_json()
    assert [t["id"] for t in page["items"]] == [first["id"]]
    rest = client.get(f"/api/v1/volunteers/me/transfers?limit=1&cursor={page['next']}",
                      headers=person(volunteer["id"])).get_json()
    assert [t["id"] for t in rest["items"]] == [second["id"]] and rest["next"] is None
    events = [e["data"] for e in outbox_events(app, "registry.volunteer_transferred.v1")]
    assert events[0] == {"volunteer_id": volunteer["id"], "from_region_code": "110105",
                         "to_region_code": "110108", "transfer_id": first["id"],
                         "transferred_at": "2030-07-05T02:00:00+00:00"}
    assert len(events) == 2


def test_transfer_4xx(world, client, app):
    volunteer = world.volunteer()["id"]
    body = assert_problem(transfer(client, volunteer, "110105"), 409, "to_region_code")
    assert "already" in body["errors"]["to_region_code"][0]
    assert_problem(transfer(client, volunteer, "11"), 400, "to_region_code")
    assert_problem(transfer(client, volunteer, "110108", "  "), 400, "reason")
    assert_problem(client.post("/api/v1/volunteers/me/transfer", json={}, headers=person(volunteer)),
                   400, "to_region_code", "reason")
    assert_problem(transfer(client, "ops-person", "110108"), 404)
    assert_problem(client.post("/api/v1/volunteers/me/transfer", json={"to_region_code": "110108", "reason": "x"}),
                   401)
    assert_problem(client.get("/api/v1/volunteers/me/transfers?cursor=zzz", headers=person(volunteer)), 400, "cursor")
    assert outbox_events(app, "registry.volunteer_transferred.v1") == []
    assert client.get("/api/v1/volunteers/me", headers=person(volunteer)).get_json()["region_code"] == "110105"


COMMENDATION = {"title": "优秀志愿者", "level": "district", "reason": "全年服务超过200小时"}


def test_ops_and_organization_admins_grant_commendations(world, client, app, clock):
    volunteer = world.volunteer()["id"]
    resp = client.post(f"/api/v1/volunteers/{volunteer}/commendations", json=COMMENDATION, headers=OPS)
    assert resp.status_code == 201, resp.get_json()
    first = resp.get_json()
    assert {k: first[k] for k in COMMENDATION} == COMMENDATION and first["granted_by"] == "ops-person"
    admin = world.volunteer()["id"]
    world.approved_organization(admin)
    clock.advance(minutes=1)
    second = client.post(f"/api/v1/volunteers/{volunteer}/commendations", headers=person(admin),
                         json={**COMMENDATION, "level": "organization"}).get_json()
    mine = client.get("/api/v1/volunteers/me/commendations", headers=person(volunteer)).get_json()
    assert [c["id"] for c in mine["items"]] == [first["id"], second["id"]] and mine["next"] is None
    events = [e["data"] for e in outbox_events(app, "registry.commendation_granted.v1")]
    assert events[0] == {"commendation_id": first["id"], "volunteer_id": volunteer, "title": "优秀志愿者",
                         "level": "district", "granted_by": "ops-person",
                         "granted_at": "2030-06-05T02:00:00+00:00"}
    assert events[1]["granted_by"] == admin and events[1]["level"] == "organization"


@pytest.mark.parametrize("field, value", [("title", ""), ("title", "x" * 61), ("level", "nation"),
                                          ("reason", " "), ("level", None)])
def test_bad_commendations_are_named(world, client, app, field, value):
    volunteer = world.volunteer()["id"]
    assert_problem(client.post(f"/api/v1/volunteers/{volunteer}/commendations",
                               json={**COMMENDATION, field: value}, headers=OPS), 400, field)
    assert outbox_events(app, "registry.commendation_granted.v1") == []


def test_commendation_4xx(world, client, app):
    volunteer = world.volunteer()["id"]
    url = f"/api/v1/volunteers/{volunteer}/commendations"
    assert_problem(client.post(url, json=COMMENDATION), 401)
    assert_problem(client.post(url, json=COMMENDATION, headers=person(world.volunteer()["id"])), 403)
    pending_admin = world.volunteer()["id"]
    world.organization(pending_admin)  # not approved: not an admin of anything
    assert_problem(client.post(url, json=COMMENDATION, headers=person(pending_admin)), 403)
    assert_problem(client.post("/api/v1/volunteers/nobody/commendations", json=COMMENDATION, headers=OPS), 404)
    assert_problem(client.get("/api/v1/volunteers/me/commendations", headers=OPS), 404)
    assert outbox_events(app, "registry.commendation_granted.v1") == []
