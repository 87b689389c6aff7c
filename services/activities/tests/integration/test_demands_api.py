"""The five-order loop (seed 003): 点单 → 派单 → 买单 → 接单 → (activity) → served → 评单."""
from datetime import timedelta

import pytest

STREET = "110105001"
COMMUNITY = "110105001001"


def demand_body(world, **overrides) -> dict:
    start = world.clock.now()
    body = {"category": "elderly", "description": "老人行动不便，需要上门理发。", "address": "朝阳区某小区3号楼",
            "latitude": 39.92, "longitude": 116.44, "wanted_from": start.isoformat(),
            "wanted_until": (start + timedelta(days=3)).isoformat(), "region_code": COMMUNITY}
    body.update(overrides)
    return body


class Loop:
    """A resident, the street's dispatch centre and an organization that serves."""

    def __init__(self, world):
        self.world = world
        self.resident = world.volunteer("王*民")
        self.centre = world.reviewer(STREET)
        self.admin = world.volunteer("李*组")
        self.org = world.organization(self.admin, region_code=COMMUNITY, kind="specialised")

    def post(self, path: str, who: str | dict, json=None):
        headers = who if isinstance(who, dict) else self.world.person(who)
        return self.world.client.post(f"/api/v1/demands{path}", json=json, headers=headers)

    def order(self, **overrides) -> dict:
        resp = self.post("", self.resident, demand_body(self.world, **overrides))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def step(self, demand_id: str, name: str, who, json=None, status: int = 200) -> dict:
        resp = self.post(f"/{demand_id}/{name}", who, json)
        assert resp.status_code == status, resp.get_json()
        return resp.get_json()

    def accepted(self) -> dict:
        demand = self.order()
        self.step(demand["id"], "dispatch", self.centre, {"organization_id": self.org})
        self.step(demand["id"], "funding", self.centre, {"amount_cents": 20000, "source": "街道社区发展基金"})
        return self.step(demand["id"], "accept", self.admin)


@pytest.fixture
def loop(world):
    return Loop(world)


def test_the_whole_loop_from_order_to_rating(loop, world):
    demand = loop.order()
    assert demand["status"] == "ordered" and demand["resident_id"] == loop.resident
    assert loop.step(demand["id"], "dispatch", loop.centre, {"organization_id": loop.org})["status"] == "dispatched"
    funded = loop.step(demand["id"], "funding", loop.centre, {"amount_cents": 20000, "source": "街道社区发展基金"})
    assert funded["status"] == "funded" and funded["amount_cents"] == 20000
    assert loop.step(demand["id"], "accept", loop.admin)["status"] == "accepted"

    activity = loop.step(demand["id"], "activity", loop.admin, world.activity_body(loop.org), status=201)
    assert activity["status"] == "pending_review"
    current = world.client.get(f"/api/v1/demands/{demand['id']}", headers=world.person(loop.resident)).get_json()
    assert current["status"] == "in_service" and current["activity_id"] == activity["id"]

    assert world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.ops).status_code == 200
    world.clock.advance(hours=2)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/complete", headers=world.person(loop.admin))
    assert resp.status_code == 200, resp.get_json()
    served = world.client.get(f"/api/v1/demands/{demand['id']}", headers=world.person(loop.resident)).get_json()
    assert served["status"] == "served" and served["served_at"]

    rated = loop.step(demand["id"], "rating", loop.resident, {"score": 4, "comment": "很耐心"})
    assert rated["status"] == "rated" and rated["score"] == 4
    evaluation = world.client.get(f"/api/v1/demands/evaluations?organization_id={loop.org}").get_json()
    assert evaluation == {"organization_id": loop.org, "average_score": 4.0, "count": 1}


def test_a_wrong_step_is_409_naming_the_current_status(loop, problem):
    demand = loop.order()
    body = problem(loop.post(f"/{demand['id']}/accept", loop.admin), 404)  # not dispatched to it yet
    loop.step(demand["id"], "dispatch", loop.centre, {"organization_id": loop.org})
    body = problem(loop.post(f"/{demand['id']}/accept", loop.admin), 409, "status")
    assert body["current_status"] == "dispatched"
    body = problem(loop.post(f"/{demand['id']}/dispatch", loop.centre, {"organization_id": loop.org}), 409, "status")
    assert body["current_status"] == "dispatched"
    body = problem(loop.post(f"/{demand['id']}/rating", loop.resident, {"score": 5}), 409, "status")
    assert body["current_status"] == "dispatched"


def test_the_resident_cancels_before_acceptance_only(loop, problem):
    first = loop.order()
    problem(loop.post(f"/{first['id']}/cancel", loop.admin), 404)
    assert loop.step(first["id"], "cancel", loop.resident)["status"] == "cancelled"
    problem(loop.post(f"/{first['id']}/dispatch", loop.centre, {"organization_id": loop.org}), 409, "status")
    accepted = loop.accepted()
    body = problem(loop.post(f"/{accepted['id']}/cancel", loop.resident), 409, "status")
    assert body["current_status"] == "accepted"


def test_only_the_regions_centre_dispatches_and_funds(loop, world, problem):
    demand = loop.order()
    other_centre = world.reviewer("110106")
    problem(loop.post(f"/{demand['id']}/dispatch", other_centre, {"organization_id": loop.org}), 404)
    problem(loop.post(f"/{demand['id']}/dispatch", loop.resident, {"organization_id": loop.org}), 403)
    problem(loop.post(f"/{demand['id']}/dispatch", loop.centre, {"organization_id": "nope"}), 400, "organization_id")
    district = world.reviewer("110105")  # an ancestor centre may dispatch too
    loop.step(demand["id"], "dispatch", district, {"organization_id": loop.org})
    problem(loop.post(f"/{demand['id']}/funding", loop.centre, {"amount_cents": 0, "source": ""}), 400,
            "amount_cents", "source")
    problem(loop.post(f"/{demand['id']}/funding", loop.centre, {"amount_cents": 1.5, "source": "x"}), 400,
            "amount_cents")
    assert loop.step(demand["id"], "funding", world.ops, {"amount_cents": 1, "source": "市财政"})["status"] == "funded"


def test_the_organization_must_serve_the_demands_area(loop, world, problem):
    demand = loop.order()  # in a community of street 110105001
    sibling = world.organization(world.volunteer(), region_code="110106", kind="specialised")
    body = problem(loop.post(f"/{demand['id']}/dispatch", loop.centre, {"organization_id": sibling}), 400,
                   "organization_id")
    assert "110106" in body["errors"]["organization_id"][0]
    city_corps = world.organization(world.volunteer(), region_code="1101", kind="specialised")
    assert loop.step(demand["id"], "dispatch", loop.centre, {"organization_id": city_corps})["status"] == "dispatched"


def test_no_one_dispatches_or_funds_a_demand_they_ordered(loop, world, problem):
    resp = loop.post("", loop.centre, demand_body(world))  # the street centre's admin orders for themself
    assert resp.status_code == 201
    demand = resp.get_json()
    problem(loop.post(f"/{demand['id']}/dispatch", loop.centre, {"organization_id": loop.org}), 403)
    colleague = world.reviewer(STREET)
    loop.step(demand["id"], "dispatch", colleague, {"organization_id": loop.org})
    problem(loop.post(f"/{demand['id']}/funding", loop.centre, {"amount_cents": 100, "source": "x"}), 403)
    assert loop.step(demand["id"], "funding", colleague, {"amount_cents": 100, "source": "x"})["status"] == "funded"


def test_bad_orders_name_their_fields(loop, world, problem):
    problem(loop.post("", loop.resident, {}), 400, "category", "region_code", "wanted_from")
    now = world.clock.now()
    problem(loop.post("", loop.resident, demand_body(world, wanted_until=now.isoformat(), region_code="x")), 400,
            "wanted_until", "region_code")
    problem(world.client.post("/api/v1/demands", json=demand_body(world)), 401)


def test_the_activity_must_come_from_the_accepting_organization(loop, world, problem):
    demand = loop.accepted()
    other_admin = world.volunteer()
    other_org = world.organization(other_admin)
    problem(loop.post(f"/{demand['id']}/activity", loop.admin, world.activity_body(other_org)), 400, "organization_id")
    # a centre of the region sees the demand but does not run it
    problem(loop.post(f"/{demand['id']}/activity", other_admin, world.activity_body(other_org)), 403)
    problem(loop.post(f"/{demand['id']}/activity", loop.admin, world.activity_body(loop.org, capacity=0)), 400,
            "capacity")
    assert world.client.get(f"/api/v1/demands/{demand['id']}", headers=world.person(loop.admin)).get_json()[
        "status"] == "accepted"  # nothing half-written
    loop.step(demand["id"], "activity", loop.admin, world.activity_body(loop.org), status=201)
    body = problem(loop.post(f"/{demand['id']}/activity", loop.admin, world.activity_body(loop.org)), 409, "status")
    assert body["current_status"] == "in_service"


def test_ratings_are_validated_and_only_the_resident_rates(loop, world, problem):
    demand = loop.accepted()
    activity = loop.step(demand["id"], "activity", loop.admin, world.activity_body(loop.org), status=201)
    world.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=world.ops)
    world.clock.advance(hours=2)
    world.client.post(f"/api/v1/activities/{activity['id']}/complete", headers=world.person(loop.admin))
    problem(loop.post(f"/{demand['id']}/rating", loop.resident, {"score": 6, "comment": "x" * 501}), 400,
            "score", "comment")
    problem(loop.post(f"/{demand['id']}/rating", loop.admin, {"score": 5}), 403)
    loop.step(demand["id"], "rating", loop.resident, {"score": 5})
    body = problem(loop.post(f"/{demand['id']}/rating", loop.resident, {"score": 1}), 409, "status")
    assert body["current_status"] == "rated"


def test_lists_for_residents_and_centres(loop, world, problem):
    mine = loop.order()
    world.clock.advance(minutes=1)
    elsewhere = loop.order(region_code="110106001001")
    stranger = world.volunteer()

    def ids(who, query=""):
        resp = world.client.get(f"/api/v1/demands{query}", headers=who if isinstance(who, dict) else world.person(who))
        assert resp.status_code == 200, resp.get_json()
        return [d["id"] for d in resp.get_json()["items"]]

    assert ids(loop.resident, "?mine=true") == [mine["id"], elsewhere["id"]]
    assert ids(stranger, "?mine=true") == []
    assert ids(loop.centre) == [mine["id"]]
    assert ids(world.ops) == [mine["id"], elsewhere["id"]]
    assert ids(world.ops, "?region_code=110106") == [elsewhere["id"]]
    assert ids(world.ops, "?status=dispatched") == []
    problem(world.client.get("/api/v1/demands", headers=world.person(stranger)), 403, "mine")
    first = world.client.get("/api/v1/demands?limit=1", headers=world.ops).get_json()
    second = world.client.get(f"/api/v1/demands?limit=1&cursor={first['next']}", headers=world.ops).get_json()
    assert [d["id"] for d in first["items"] + second["items"]] == [mine["id"], elsewhere["id"]]
    assert second["next"] is None
    problem(world.client.get(f"/api/v1/demands/{mine['id']}", headers=world.person(stranger)), 404)


def test_an_organization_without_ratings_has_no_average(world, problem):
    assert world.client.get("/api/v1/demands/evaluations?organization_id=x").get_json() == {
        "organization_id": "x", "average_score": None, "count": 0}
    problem(world.client.get("/api/v1/demands/evaluations"), 400, "organization_id")


def test_a_rejected_or_cancelled_activity_reopens_the_demand(loop, world):
    demand = loop.accepted()

    def status() -> str:
        return world.client.get(f"/api/v1/demands/{demand['id']}", headers=world.person(loop.resident)).get_json()[
            "status"]

    first = loop.step(demand["id"], "activity", loop.admin, world.activity_body(loop.org), status=201)
    resp = world.client.post(f"/api/v1/activities/{first['id']}/reject", json={"reason": "时间不合适"},
                             headers=world.ops)
    assert resp.status_code == 200 and status() == "accepted"
    second = loop.step(demand["id"], "activity", loop.admin, world.activity_body(loop.org), status=201)
    assert status() == "in_service"
    resp = world.client.post(f"/api/v1/activities/{second['id']}/cancel", json={"reason": "暴雨"},
                             headers=world.person(loop.admin))
    assert resp.status_code == 200 and status() == "accepted"
