"""Activities' flows through the gateway against the real suite (one start for the module): review by
the region's centre, sign-ups with a waitlist, check-in/out with the rotating code (and its QR
payload), verified hours on the leaderboards, recommendations, statistics, the five-order loop and
the project library."""
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from .flows import activity_body, approved_organization, published_activity, register_volunteer, wait_until_started
from .harness import Client

pytestmark = pytest.mark.e2e

STREET = "110105001"
COMMUNITY = "110105001001"
ON_SITE = {"latitude": 39.9202, "longitude": 116.4401}  # ~25 m from the activities of flows.activity_body
SOON = timedelta(seconds=8)  # time for the review before the start


class Town:
    """An organization of a street (not a reviewer), the district's centre and another city's centre."""

    def __init__(self, anon: Client, ops: Client):
        self.anon, self.ops = anon, ops
        self.organizer_profile, self.organizer = register_volunteer(anon, name="张组织")
        self.org_id = self._organization(self.organizer, self.organizer_profile, "specialised", STREET)
        centre_profile, self.centre = register_volunteer(anon, name="区中心")
        self._organization(self.centre, centre_profile, "regional", "110105")
        far_profile, self.far_centre = register_volunteer(anon, name="沪中心")
        self._organization(self.far_centre, far_profile, "regional", "310101")

    def _organization(self, applicant, profile, kind, region_code) -> str:
        org = approved_organization(self.ops, applicant, profile["id"], kind=kind, region_code=region_code)
        return org.get("id") or org["organization_id"]

    def pending_activity(self, **overrides) -> dict:
        resp = self.organizer.post("/api/v1/activities", activity_body(self.org_id, **overrides))
        assert resp.status_code == 201, resp.text
        return resp.json()


@pytest.fixture(scope="module")
def town(anon, ops):
    return Town(anon, ops)


def ok(resp, status: int = 200) -> dict:
    assert resp.status_code == status, resp.text
    return resp.json()


def test_reviewed_in_its_region_then_checked_in_out_with_verified_hours_ranked_and_counted(town, anon):
    activity = town.pending_activity(starts_in=SOON, capacity=2)
    path = f"/api/v1/activities/{activity['id']}"
    assert town.far_centre.get(path).status_code == 404
    assert town.far_centre.post(f"{path}/approve").status_code == 404
    assert activity["id"] not in {a["id"] for a in ok(town.far_centre.get("/api/v1/reviews/pending"))["items"]}
    assert activity["id"] in {a["id"] for a in ok(town.centre.get("/api/v1/reviews/pending"))["items"]}
    assert ok(town.centre.post(f"{path}/approve"))["status"] == "published"

    (first, first_client), (second, second_client) = (register_volunteer(anon, name=n) for n in ("陈一", "刘二"))
    for client in (first_client, second_client):
        assert ok(client.post(f"{path}/signups"), 201)["status"] == "confirmed"
    wait_until_started(activity)

    shown = ok(town.organizer.get(f"{path}/checkin-code"))
    qr = town.organizer.get(f"{path}/checkin-code/qr.svg")
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg") and qr.headers["Cache-Control"] == "no-store"
    assert town.far_centre.get(f"{path}/checkin-code/qr.svg").status_code == 403
    scanned = parse_qs(urlsplit(shown["qr_payload"]).query)  # what the volunteer's app reads
    assert scanned == {"activity": [activity["id"]], "code": [shown["code"]]}
    checked_in = ok(first_client.post(f"/api/v1/activities/{scanned['activity'][0]}/checkin",
                                      {"code": scanned["code"][0], **ON_SITE}))
    assert checked_in["checked_in_at"] and checked_in["checked_out_at"] is None
    fresh = ok(town.organizer.get(f"{path}/checkin-code"))["code"]
    assert ok(first_client.post(f"{path}/checkout", {"code": fresh, **ON_SITE}))["checked_out_at"]
    assert first_client.post(f"{path}/checkout", {"code": fresh, **ON_SITE}).status_code == 409

    confirmed = ok(town.organizer.post(f"{path}/hours", {"records": [
        {"volunteer_id": first["id"], "hours": 0.5}, {"volunteer_id": second["id"], "hours": "1.25"}]}), 201)
    assert {r["volunteer_id"]: r["verified"] for r in confirmed["records"]} == {first["id"]: True,
                                                                                 second["id"]: False}

    board = ok(anon.get("/api/v1/leaderboards?period=week&scope=volunteer"))["items"]
    ranks = {row["volunteer_id"]: row for row in board}
    assert ranks[second["id"]]["hours"] == 1.25 and ranks[first["id"]]["hours"] == 0.5
    assert ranks[second["id"]]["rank"] < ranks[first["id"]]["rank"]
    mine = ok(first_client.get("/api/v1/leaderboards/me?period=week"))
    assert mine["hours"] == 0.5 and mine["rank"] == ranks[first["id"]]["rank"] and mine["total_ranked"] >= 2
    orgs = {row["organization_id"]: row for row in ok(anon.get("/api/v1/leaderboards?period=month&scope=organization"))["items"]}
    assert orgs[town.org_id]["hours"] >= 1.75

    stats = ok(town.organizer.get(f"/api/v1/statistics?organization_id={town.org_id}&period=month"))
    latest = stats["items"][-1]
    assert latest["activities"] >= 1 and latest["participants"] >= 2 and latest["hours"] >= 1.75
    assert ok(town.centre.get("/api/v1/statistics?region_code=110105&period=year"))["items"][-1]["hours"] >= 1.75
    assert town.far_centre.get(f"/api/v1/statistics?organization_id={town.org_id}").status_code == 403
    assert town.far_centre.get("/api/v1/statistics?region_code=110105").status_code == 403


def withdraw(client: Client, activity_id: str):
    return client.http.delete(f"{client.base}/api/v1/activities/{activity_id}/signups/me",
                              headers={"Authorization": f"Bearer {client.token}"}, timeout=30)


def test_a_withdrawal_promotes_the_waitlist_and_recommendations_offer_free_places(town, anon, ops):
    full = published_activity(ops, town.organizer, town.org_id, capacity=1, starts_in=timedelta(hours=1))
    roomy = published_activity(ops, town.organizer, town.org_id, capacity=5, starts_in=timedelta(hours=1))
    (first, first_client), (second, second_client) = (register_volunteer(anon, name=n) for n in ("孙三", "周四"))
    path = f"/api/v1/activities/{full['id']}/signups"
    assert ok(first_client.post(path), 201)["status"] == "confirmed"
    assert second_client.post(path).status_code == 409  # full, no waitlist asked
    assert ok(second_client.post(path, {"waitlist": True}), 201)["status"] == "waitlisted"

    recommended = {r["activity_id"]: r for r in ok(second_client.get("/api/v1/volunteers/me/recommendations"))["items"]}
    assert roomy["id"] in recommended and full["id"] not in recommended  # full, and already joined
    assert "符合您的偏好：elderly" in recommended[roomy["id"]]["reason"] and recommended[roomy["id"]]["score"] > 0

    withdrawn = withdraw(first_client, full["id"])
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "cancelled" and withdrawn.json()["promoted_volunteer_id"] == second["id"]
    assert ok(anon.get(f"/api/v1/activities/{full['id']}"))["signed_up"] == 1
    signups = {s["volunteer_id"]: s["status"] for s in ok(town.organizer.get(path))["items"]}
    assert signups == {first["id"]: "cancelled", second["id"]: "confirmed"}
    assert ops.get("/api/v1/volunteers/me/recommendations").status_code == 403  # ops is no volunteer


def test_the_five_order_loop_from_order_to_rating(town, anon):
    _, resident = register_volunteer(anon, name="王居民")
    now = activity_body(town.org_id)["starts_at"]
    demand = ok(resident.post("/api/v1/demands", {
        "category": "elderly", "description": "老人行动不便，需要上门理发。", "address": "朝阳区某小区3号楼",
        "latitude": 39.92, "longitude": 116.44, "wanted_from": now,
        "wanted_until": activity_body(town.org_id, starts_in=timedelta(days=3))["starts_at"],
        "region_code": COMMUNITY}), 201)
    path = f"/api/v1/demands/{demand['id']}"
    assert demand["status"] == "ordered"
    assert town.far_centre.post(f"{path}/dispatch", {"organization_id": town.org_id}).status_code == 404
    assert ok(town.centre.post(f"{path}/dispatch", {"organization_id": town.org_id}))["status"] == "dispatched"
    funded = ok(town.centre.post(f"{path}/funding", {"amount_cents": 20000, "source": "街道社区发展基金"}))
    assert funded["status"] == "funded" and funded["amount_cents"] == 20000
    assert ok(town.organizer.post(f"{path}/accept"))["status"] == "accepted"
    assert resident.post(f"{path}/rating", {"score": 5}).status_code == 409  # not served yet

    activity = ok(town.organizer.post(f"{path}/activity", activity_body(town.org_id, starts_in=SOON)), 201)
    assert activity["status"] == "pending_review"
    assert ok(resident.get(path))["status"] == "in_service"
    assert ok(town.centre.post(f"/api/v1/activities/{activity['id']}/approve"))["status"] == "published"
    wait_until_started(activity)
    assert ok(town.organizer.post(f"/api/v1/activities/{activity['id']}/complete"))["status"] == "completed"
    assert ok(resident.get(path))["status"] == "served"
    rated = ok(resident.post(f"{path}/rating", {"score": 5, "comment": "很及时"}))
    assert rated["status"] == "rated" and rated["score"] == 5
    # public: anyone may see how residents rated an organization
    evaluation = ok(anon.get(f"/api/v1/demands/evaluations?organization_id={town.org_id}"))
    assert evaluation["count"] == 1 and float(evaluation["average_score"]) == 5.0


def test_a_project_is_declared_reviewed_published_claimed_and_runs_activities(town, anon):
    project = ok(town.organizer.post("/api/v1/projects", {
        "title": "长者食堂多效互助", "category": "elderly", "description": "社区长者就餐与互助服务。",
        "level": "street", "region_code": STREET, "organization_id": town.org_id}), 201)
    path = f"/api/v1/projects/{project['id']}"
    assert project["status"] == "declared"
    assert anon.get(path).status_code == 404  # not public until published
    assert town.far_centre.post(f"{path}/approve").status_code == 404
    assert town.organizer.post(f"{path}/approve").status_code == 403  # the declarer does not review
    assert ok(town.centre.post(f"{path}/approve"))["status"] == "published"
    assert ok(anon.get(path))["status"] == "published"
    assert project["id"] in {p["id"] for p in ok(anon.get("/api/v1/projects?status=published&limit=200"))["items"]}

    assert ok(town.organizer.post(f"{path}/claim", {"organization_id": town.org_id}))["status"] == "claimed"
    again = town.organizer.post(f"{path}/claim", {"organization_id": town.org_id})
    assert again.status_code == 409 and again.json()["current_status"] == "claimed"
    town.pending_activity(starts_in=timedelta(hours=1), project_id=project["id"])
    assert ok(anon.get(path))["activities_count"] == 1
