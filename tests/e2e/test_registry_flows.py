"""Registry through the gateway: the two organization trees with the review queue, a team under one
parent of each, its hours rolled up, a transfer, a commendation and a verifiable certificate."""
import pytest

from .flows import activity_body, register_volunteer, wait_until_started
from .harness import eventually

pytestmark = pytest.mark.e2e


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def test_trees_team_hours_transfer_commendation_and_certificate(suite, anon, ops):
    admin_profile, admin = register_volunteer(anon, name="刘总队")
    station_profile, station = register_volunteer(anon, name="陈站长")

    def apply(who, name, kind, parent_id, region_code="110105"):
        return ok(who.post("/api/v1/organizations", {"name": name, "kind": kind, "parent_id": parent_id,
                                                     "region_code": region_code}), 201)

    city = apply(admin, "北京市志愿服务总队", "regional", None)
    ok(ops.post(f"/api/v1/organizations/{city['id']}/approve"))
    district = apply(station, "朝阳区志愿服务大队", "regional", city["id"])
    assert district["review_due_at"] and district["reviewer_organization_id"] == city["id"]
    # the city's admin is responsible for the application now, and sees it in the queue
    queue = ok(admin.get("/api/v1/organizations/reviews/pending"))["items"]
    assert [o["id"] for o in queue] == [district["id"]]
    assert ok(station.get("/api/v1/organizations/reviews/pending"))["items"] == []
    assert station.post(f"/api/v1/organizations/{district['id']}/approve").status_code == 403
    ok(admin.post(f"/api/v1/organizations/{district['id']}/approve"))
    street = apply(station, "某街道工作站", "regional", district["id"], "110105001")
    ok(admin.post(f"/api/v1/organizations/{street['id']}/approve"))  # any ancestor's admin
    parent = None
    for name in ("应急救援专项总队", "应急救援支队", "应急救援分队"):
        org = apply(admin, name, "specialised", parent)
        ok(ops.post(f"/api/v1/organizations/{org['id']}/approve"))
        parent = org["id"]
    tree = ok(admin.get(f"/api/v1/organizations/{city['id']}/tree"))
    assert tree["children"][0]["id"] == district["id"] and tree["children"][0]["children"][0]["id"] == street["id"]

    team = ok(admin.post("/api/v1/teams", {"name": "阳光助老服务队", "regional_parent_id": street["id"],
                                           "specialised_parent_id": parent}), 201)
    volunteer, me = register_volunteer(anon, name="黄志愿")
    ok(me.post(f"/api/v1/teams/{team['id']}/members"), 201)
    assert ok(admin.post(f"/api/v1/teams/{team['id']}/members/{volunteer['id']}/approve"))["status"] == "active"

    # hours served in an activity of the team count for the volunteer, the team and both trees
    activity = ok(station.post("/api/v1/activities", activity_body(street["id"], team_id=team["id"])), 201)
    ok(ops.post(f"/api/v1/activities/{activity['id']}/approve"))
    ok(me.post(f"/api/v1/activities/{activity['id']}/signups"), 201)
    wait_until_started(activity)
    ok(station.post(f"/api/v1/activities/{activity['id']}/hours",
                    {"records": [{"volunteer_id": volunteer["id"], "hours": 2.5}]}), 201)
    assert eventually(lambda: ok(me.get(f"/api/v1/teams/{team['id']}"))["total_hours"] == "2.50")
    assert float(ok(me.get("/api/v1/volunteers/me"))["total_hours"]) == 2.5
    for org_id in (street["id"], city["id"], parent):
        assert float(ok(me.get(f"/api/v1/organizations/{org_id}"))["total_hours"]) == 2.5

    moved = ok(me.post("/api/v1/volunteers/me/transfer", {"to_region_code": "110106", "reason": "搬家"}), 201)
    assert (moved["from_region_code"], moved["to_region_code"]) == ("110105", "110106")
    assert ok(me.get("/api/v1/volunteers/me"))["region_code"] == "110106"
    assert float(ok(me.get("/api/v1/volunteers/me"))["total_hours"]) == 2.5  # the record follows
    assert [t["id"] for t in ok(me.get("/api/v1/volunteers/me/transfers"))["items"]] == [moved["id"]]

    ok(admin.post(f"/api/v1/volunteers/{volunteer['id']}/commendations",
                  {"title": "优秀志愿者", "level": "city", "reason": "常年助老"}), 201)
    assert [c["title"] for c in ok(me.get("/api/v1/volunteers/me/commendations"))["items"]] == ["优秀志愿者"]

    certificate = ok(me.post("/api/v1/volunteers/me/certificates", {"purpose": "入学材料"}), 201)
    code = certificate["verification_code"]
    assert certificate["record_count"] == 1 and "*" in certificate["id_number"]
    public = ok(anon.get(f"/api/v1/certificates/{code}"))
    assert "volunteer_id" not in public and public["display_name"] == certificate["display_name"]
    forged = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert anon.get(f"/api/v1/certificates/{forged}").status_code == 404
    html = me.get(f"/api/v1/volunteers/me/certificates/{code}.html")
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert "社区助老服务" in html.text and "朝阳区某社区服务站" in html.text and volunteer["id_number"] in html.text
    pdf = me.get(f"/api/v1/volunteers/me/certificates/{code}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert admin.get(f"/api/v1/volunteers/me/certificates/{code}.pdf").status_code == 404  # not the owner's
