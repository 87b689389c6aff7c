"""The issue's "done when": an organizer acts only for their own organization; reviewers (and
dispatch centres) only for their region. Every write and non-public read is tried by an admin of
another organization and by the centre of another region; each is refused (403, or 404 where the
object stays invisible) and changes nothing."""
from datetime import timedelta

import pytest

DISTRICT = "110105"
OTHER_DISTRICT = "110106"
OTHER_CITY = "310101"
STREET = "110105001"
COMMUNITY = "110105001001"


class Orgs:
    """Organization A (its admin posts), organization B in the same street (its admin is no reviewer),
    the district's centre, and centres of a sibling district and of another city."""

    def __init__(self, world):
        self.world = world
        self.admin = world.volunteer("李*组")
        self.org = world.organization(self.admin, region_code=STREET, kind="specialised")
        self.other_admin = world.volunteer("王*组")
        self.other_org = world.organization(self.other_admin, region_code=STREET, kind="specialised")
        self.centre = world.reviewer(DISTRICT)
        self.far_centres = [world.reviewer(OTHER_DISTRICT), world.reviewer(OTHER_CITY)]

    def get(self, path, who, **query):
        return self.world.client.get(path, headers=self.world.person(who), query_string=query)

    def post(self, path, who, json=None):
        return self.world.client.post(path, json=json, headers=self.world.person(who))


@pytest.fixture
def orgs(world):
    return Orgs(world)


def activity_state(world, activity_id):
    with world.app.extensions["shanxing"].db.read() as s:
        from shanxing_activities.adapters import repository

        return dict(repository.activity(s, activity_id)._mapping)


def test_an_organizer_acts_only_for_their_own_organizations_activities(orgs, world, problem):
    published = world.published_activity(orgs.org, orgs.admin)
    pending = world.pending_activity(orgs.org, orgs.admin)
    volunteer = world.volunteer()
    assert world.sign_up(published["id"], volunteer).status_code == 201
    world.clock.advance(hours=1, minutes=30)  # started: hours may be confirmed
    confirmed = orgs.post(f"/api/v1/activities/{published['id']}/hours", orgs.admin,
                          {"records": [{"volunteer_id": volunteer, "hours": 1}]})
    assert confirmed.status_code == 201
    record_id = confirmed.get_json()["records"][0]["id"]
    before = activity_state(world, published["id"])
    b = orgs.other_admin
    a_path = f"/api/v1/activities/{published['id']}"

    problem(orgs.post("/api/v1/activities", b, world.activity_body(orgs.org)), 403)
    problem(orgs.get("/api/v1/activities", b, status="pending_review", organization_id=orgs.org), 403, "status")
    problem(orgs.post(f"{a_path}/cancel", b, {"reason": "不办了"}), 403)
    problem(orgs.post(f"{a_path}/complete", b), 403)
    problem(orgs.post(f"{a_path}/signups/onsite", b, {"volunteer_id": world.volunteer()}), 403)
    problem(orgs.get(f"{a_path}/signups", b), 403)
    problem(orgs.get(f"{a_path}/checkin-code", b), 403)
    problem(orgs.post(f"{a_path}/hours", b, {"records": [{"volunteer_id": volunteer, "hours": 1}]}), 403)
    problem(orgs.post(f"{a_path}/hours/{record_id}/revoke", b, {"reason": "不对"}), 403)
    problem(orgs.get("/api/v1/statistics", b, organization_id=orgs.org), 403)
    # A's pending activity does not exist for B.
    p_path = f"/api/v1/activities/{pending['id']}"
    problem(orgs.get(p_path, b), 404)
    for action, body in (("cancel", {"reason": "不办了"}), ("complete", None), ("approve", None),
                         ("reject", {"reason": "不行"})):
        problem(orgs.post(f"{p_path}/{action}", b, body), 404)
    problem(orgs.get(f"{p_path}/checkin-code", b), 404)
    problem(orgs.post(f"{p_path}/signups/onsite", b, {"volunteer_id": volunteer}), 404)

    assert activity_state(world, published["id"]) == before
    assert activity_state(world, pending["id"])["status"] == "pending_review"
    records = orgs.get(f"{a_path}/signups", orgs.admin).get_json()["items"]
    assert [r["volunteer_id"] for r in records] == [volunteer]
    # B's own admin still acts for B: the refusals were about the organization, not the person.
    assert orgs.post("/api/v1/activities", b, world.activity_body(orgs.other_org)).status_code == 201


def test_reviewers_review_only_their_regions_activities(orgs, world, problem):
    activity = world.pending_activity(orgs.org, orgs.admin)
    path = f"/api/v1/activities/{activity['id']}"
    sibling_street = world.reviewer("110105002")
    world.clock.advance(hours=49)  # overdue: still the street's level (no escalation job run here)
    for far in [*orgs.far_centres, sibling_street]:
        problem(orgs.get(path, far), 404)
        problem(orgs.post(f"{path}/approve", far), 404)
        problem(orgs.post(f"{path}/reject", far, {"reason": "不行"}), 404)
        for listing in ("pending", "overdue"):
            assert orgs.get(f"/api/v1/reviews/{listing}", far).get_json()["items"] == []
    assert activity_state(world, activity["id"])["status"] == "pending_review"
    assert [a["id"] for a in orgs.get("/api/v1/reviews/overdue", orgs.centre).get_json()["items"]] == [activity["id"]]
    assert orgs.post(f"{path}/approve", orgs.centre).status_code == 200


def test_statistics_only_for_the_organization_and_the_centres_above_it(orgs, problem):
    for far in orgs.far_centres:
        problem(orgs.get("/api/v1/statistics", far, organization_id=orgs.org), 403)
        problem(orgs.get("/api/v1/statistics", far, region_code=DISTRICT), 403)
        problem(orgs.get("/api/v1/statistics", far, region_code="11"), 403)  # the city above it
    problem(orgs.get("/api/v1/statistics", orgs.other_admin, region_code=STREET), 403)  # not a centre
    assert orgs.get("/api/v1/statistics", orgs.far_centres[0], region_code=OTHER_DISTRICT).status_code == 200
    assert orgs.get("/api/v1/statistics", orgs.centre, organization_id=orgs.org).status_code == 200
    assert orgs.get("/api/v1/statistics", orgs.admin, organization_id=orgs.org).status_code == 200


def demand_body(world) -> dict:
    start = world.clock.now()
    return {"category": "elderly", "description": "老人需要上门理发。", "address": "朝阳区某小区3号楼",
            "latitude": 39.92, "longitude": 116.44, "wanted_from": start.isoformat(),
            "wanted_until": (start + timedelta(days=3)).isoformat(), "region_code": COMMUNITY}


def test_a_demand_is_handled_only_by_its_regions_centre_and_the_assigned_organization(orgs, world, problem):
    resident = world.volunteer("王*民")
    demand = orgs.post("/api/v1/demands", resident, demand_body(world)).get_json()
    path = f"/api/v1/demands/{demand['id']}"
    for far in orgs.far_centres:
        problem(orgs.get(path, far), 404)
        problem(orgs.post(f"{path}/funding", far, {"amount_cents": 100, "source": "基金"}), 404)
        assert orgs.get("/api/v1/demands", far, mine="false").get_json()["items"] == []
        assert orgs.get("/api/v1/demands", far, mine="false", region_code=COMMUNITY).get_json()["items"] == []
    assert orgs.post(f"{path}/dispatch", orgs.centre, {"organization_id": orgs.org}).status_code == 200
    assert orgs.post(f"{path}/funding", orgs.centre, {"amount_cents": 100, "source": "基金"}).status_code == 200
    # Organization B was not assigned: the demand stays invisible to it.
    b = orgs.other_admin
    problem(orgs.get(path, b), 404)
    problem(orgs.post(f"{path}/accept", b), 404)
    problem(orgs.post(f"{path}/activity", b, world.activity_body(orgs.other_org)), 404)
    assert orgs.get(path, resident).get_json()["status"] == "funded"
    assert orgs.post(f"{path}/accept", orgs.admin).status_code == 200


def test_projects_are_reviewed_only_in_their_region_and_claimed_only_for_ones_own_organization(
        orgs, world, problem):
    body = {"title": "长者食堂", "category": "elderly", "description": "社区长者就餐。", "level": "street",
            "region_code": STREET}
    problem(orgs.post("/api/v1/projects", orgs.other_admin, body | {"organization_id": orgs.org}), 403)
    project = orgs.post("/api/v1/projects", orgs.admin, body | {"organization_id": orgs.org}).get_json()
    path = f"/api/v1/projects/{project['id']}"
    for far in orgs.far_centres:
        problem(orgs.get(path, far), 404)
        problem(orgs.post(f"{path}/approve", far), 404)
        problem(orgs.post(f"{path}/reject", far, {"reason": "不行"}), 404)
        assert orgs.get("/api/v1/projects", far, status="declared").get_json()["items"] == []
    assert orgs.post(f"{path}/approve", orgs.centre).status_code == 200
    problem(orgs.post(f"{path}/claim", orgs.other_admin, {"organization_id": orgs.org}), 403)
    assert orgs.post(f"{path}/claim", orgs.admin, {"organization_id": orgs.org}).status_code == 200
    for far in orgs.far_centres:  # claimed is public: visible, but not theirs to evaluate
        problem(orgs.post(f"{path}/evaluation", far, {"grade": "excellent"}), 403)
    assert orgs.get(path, orgs.admin).get_json()["status"] == "claimed"


def test_a_centre_does_not_evaluate_a_project_its_own_organization_claimed(world, problem):
    centre = world.volunteer("审*员")
    centre_org = world.organization(centre, region_code=DISTRICT)
    other_centre = world.reviewer(DISTRICT)
    declarer = world.volunteer()
    body = {"title": "长者食堂", "category": "elderly", "description": "社区长者就餐。", "level": "street",
            "region_code": STREET}
    project = world.client.post("/api/v1/projects", json=body, headers=world.person(declarer)).get_json()
    path = f"/api/v1/projects/{project['id']}"
    assert world.client.post(f"{path}/approve", headers=world.person(centre)).status_code == 200
    assert world.client.post(f"{path}/claim", json={"organization_id": centre_org},
                             headers=world.person(centre)).status_code == 200
    problem(world.client.post(f"{path}/evaluation", json={"grade": "excellent"}, headers=world.person(centre)), 403)
    evaluated = world.client.post(f"{path}/evaluation", json={"grade": "qualified"},
                                  headers=world.person(other_centre))
    assert evaluated.status_code == 200 and evaluated.get_json()["grade"] == "qualified"


def test_a_centre_does_not_approve_a_project_it_declared_itself(world, problem):
    centre, other_centre = world.reviewer(DISTRICT), world.reviewer(DISTRICT)
    body = {"title": "长者食堂", "category": "elderly", "description": "社区长者就餐。", "level": "street",
            "region_code": STREET}  # declared in no organization's name
    project = world.client.post("/api/v1/projects", json=body, headers=world.person(centre)).get_json()
    path = f"/api/v1/projects/{project['id']}"
    problem(world.client.post(f"{path}/approve", headers=world.person(centre)), 403)
    problem(world.client.post(f"{path}/reject", json={"reason": "x"}, headers=world.person(centre)), 403)
    assert world.client.post(f"{path}/approve", headers=world.person(other_centre)).status_code == 200
