import uuid

from shanxing_common.testing import deliver

from .conftest import assert_problem, person


def confirm(app, volunteer_id, hours):
    record_id = str(uuid.uuid4())
    deliver(app, "activities.hours_confirmed.v1", {
        "record_id": record_id, "volunteer_id": volunteer_id, "activity_id": "a1", "organization_id": "o1",
        "team_id": None, "region_code": "110105", "category": "elderly", "hours": hours,
        "served_on": "2030-06-05", "confirmed_by": "admin", "verified": True})
    return record_id


def test_issue_list_and_verify_a_certificate(world, client, app, clock):
    volunteer = world.volunteer(name="张三丰")
    confirm(app, volunteer["id"], "2.50")
    revoked = confirm(app, volunteer["id"], "1.00")
    deliver(app, "activities.hours_revoked.v1", {"record_id": revoked, "volunteer_id": volunteer["id"],
                                                 "hours": "1.00", "reason": "mistake", "revoked_by": "x"})
    confirm(app, volunteer["id"], "0.75")
    resp = client.post("/api/v1/volunteers/me/certificates", json={"purpose": " 升学 "},
                       headers=person(volunteer["id"]))
    assert resp.status_code == 201, resp.get_json()
    cert = resp.get_json()
    assert cert["display_name"] == "张*丰" and cert["id_number"] == volunteer["id_number"]
    assert cert["total_hours"] == "3.25" and cert["record_count"] == 2 and cert["purpose"] == "升学"
    assert cert["volunteer_id"] == volunteer["id"] and len(cert["verification_code"]) == 19
    # later hours do not change an issued certificate
    confirm(app, volunteer["id"], "5.00")
    clock.advance(days=1)
    second = client.post("/api/v1/volunteers/me/certificates", json={}, headers=person(volunteer["id"])).get_json()
    assert second["total_hours"] == "8.25" and second["purpose"] is None
    assert second["verification_code"] != cert["verification_code"]
    mine = client.get("/api/v1/volunteers/me/certificates", headers=person(volunteer["id"])).get_json()
    assert [c["id"] for c in mine["items"]] == [cert["id"], second["id"]]
    public = client.get(f"/api/v1/certificates/{cert['verification_code']}")  # no caller at all
    assert public.status_code == 200
    assert public.get_json() == {k: v for k, v in cert.items() if k != "volunteer_id"}
    typed = cert["verification_code"].replace("-", "").lower()
    assert client.get(f"/api/v1/certificates/{typed}").get_json()["id"] == cert["id"]


def test_certificate_4xx(world, client):
    volunteer = world.volunteer()["id"]
    assert_problem(client.post("/api/v1/volunteers/me/certificates", json={"purpose": "x" * 101},
                               headers=person(volunteer)), 400, "purpose")
    assert_problem(client.post("/api/v1/volunteers/me/certificates", json={}), 401)
    assert_problem(client.post("/api/v1/volunteers/me/certificates", json={}, headers=person("ops-person")), 404)
    assert_problem(client.get("/api/v1/certificates/ABCD-EFGH-JKMN-PQRS"), 404)
    assert_problem(client.get("/api/v1/certificates/not-a-code"), 404)
