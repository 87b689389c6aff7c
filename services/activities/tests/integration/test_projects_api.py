"""The four-level project library (seed 000): declare, review, claim, group activities, evaluate."""
import pytest

DISTRICT = "110105"
STREET = "110105001"


def project_body(**overrides) -> dict:
    body = {"title": "长者食堂多效互助", "category": "elderly", "description": "社区长者就餐与互助服务。",
            "level": "street", "region_code": STREET}
    body.update(overrides)
    return body


class Library:
    def __init__(self, world):
        self.world = world
        self.reviewer = world.reviewer(DISTRICT)
        self.admin = world.volunteer("李*组")
        self.org = world.organization(self.admin, region_code=STREET + "001", kind="specialised")

    def post(self, path: str, who, json=None):
        headers = who if isinstance(who, dict) else self.world.person(who)
        return self.world.client.post(f"/api/v1/projects{path}", json=json, headers=headers)

    def declare(self, who=None, **overrides) -> dict:
        resp = self.post("", who or self.admin, project_body(**overrides))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def published(self, reviewer=None, **overrides) -> dict:
        project = self.declare(**overrides)
        resp = self.post(f"/{project['id']}/approve", reviewer or self.reviewer)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def claimed(self) -> dict:
        project = self.published()
        resp = self.post(f"/{project['id']}/claim", self.admin, {"organization_id": self.org})
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()


@pytest.fixture
def library(world):
    return Library(world)


def test_declare_review_claim_and_evaluate(library, world, problem):
    project = library.declare(organization_id=library.org)
    assert project["status"] == "declared" and project["declarer_organization_id"] == library.org
    assert project["activities_count"] == 0 and project["hours"] == 0
    problem(library.post(f"/{project['id']}/approve", library.admin), 403)  # the declarer does not review
    problem(library.post(f"/{project['id']}/claim", library.admin, {"organization_id": library.org}), 409, "status")
    published = library.post(f"/{project['id']}/approve", library.reviewer).get_json()
    assert published["status"] == "published"
    claimed = library.post(f"/{project['id']}/claim", library.admin, {"organization_id": library.org}).get_json()
    assert claimed["status"] == "claimed" and claimed["claimed_by_organization_id"] == library.org
    other_admin = world.volunteer()
    other_org = world.organization(other_admin, kind="specialised")
    body = problem(library.post(f"/{project['id']}/claim", other_admin, {"organization_id": other_org}), 409, "status")
    assert body["current_status"] == "claimed"
    problem(library.post(f"/{project['id']}/evaluation", library.reviewer, {"grade": "good"}), 400, "grade")
    problem(library.post(f"/{project['id']}/evaluation", library.admin, {"grade": "excellent"}), 403)
    graded = library.post(f"/{project['id']}/evaluation", library.reviewer, {"grade": "excellent", "comment": "金奖"})
    assert graded.status_code == 200 and graded.get_json()["grade"] == "excellent"
    assert graded.get_json()["status"] == "evaluated"
    problem(library.post(f"/{project['id']}/evaluation", library.reviewer, {"grade": "qualified"}), 409, "status")


def test_rejection_needs_a_reason_and_is_final(library, problem):
    project = library.declare()
    problem(library.post(f"/{project['id']}/reject", library.reviewer, {"reason": ""}), 400, "reason")
    rejected = library.post(f"/{project['id']}/reject", library.reviewer, {"reason": "与已有项目重复"}).get_json()
    assert rejected["status"] == "rejected" and rejected["rejection_reason"] == "与已有项目重复"
    body = problem(library.post(f"/{project['id']}/approve", library.reviewer), 409, "status")
    assert body["current_status"] == "rejected"


def test_reviewers_are_those_of_the_projects_region(library, world, problem):
    project = library.declare(level="district", region_code=DISTRICT)
    street_centre = world.reviewer(STREET)  # below the district: not its reviewer
    problem(library.post(f"/{project['id']}/approve", street_centre), 404)
    assert library.post(f"/{project['id']}/approve", world.ops).status_code == 200


def test_bad_declarations_name_their_fields(library, world, problem):
    problem(library.post("", library.admin, project_body(level="province")), 400, "level")
    problem(library.post("", library.admin, project_body(level="city")), 400, "region_code")
    problem(library.post("", library.admin, project_body(title="x", organization_id="nope")), 400, "title")
    problem(library.post("", library.admin, project_body(organization_id="nope")), 400, "organization_id")
    problem(library.post("", world.volunteer(), project_body(organization_id=library.org)), 403)
    problem(world.client.post("/api/v1/projects", json=project_body()), 401)


def test_activities_join_only_a_project_their_organization_claimed(library, world, problem):
    published = library.published()
    body = world.activity_body(library.org, project_id=published["id"])
    problem(world.client.post("/api/v1/activities", json=body, headers=world.person(library.admin)), 400, "project_id")
    claimed = library.claimed()
    other_admin = world.volunteer()
    other_org = world.organization(other_admin, kind="specialised")
    problem(world.client.post("/api/v1/activities", json=world.activity_body(other_org, project_id=claimed["id"]),
                              headers=world.person(other_admin)), 400, "project_id")
    problem(world.client.post("/api/v1/activities", json=world.activity_body(library.org, project_id="nope"),
                              headers=world.person(library.admin)), 400, "project_id")

    activity = world.published_activity(library.org, library.admin, project_id=claimed["id"])
    volunteer = world.volunteer()
    assert world.sign_up(activity["id"], volunteer).status_code == 201
    world.clock.advance(hours=2)
    resp = world.client.post(f"/api/v1/activities/{activity['id']}/hours",
                             json={"records": [{"volunteer_id": volunteer, "hours": "2.5"}]},
                             headers=world.person(library.admin))
    assert resp.status_code == 201, resp.get_json()
    summary = world.client.get(f"/api/v1/projects/{claimed['id']}").get_json()
    assert summary["activities_count"] == 1 and summary["hours"] == 2.5


def test_lists_and_visibility(library, world, problem):
    city = library.published(world.ops, level="city", region_code="1101")
    world.clock.advance(minutes=1)
    street = library.published()
    world.clock.advance(minutes=1)
    declared = library.declare()
    stranger = world.volunteer()

    def ids(query="", headers=None):
        resp = world.client.get(f"/api/v1/projects{query}", headers=headers or {})
        assert resp.status_code == 200, resp.get_json()
        return [p["id"] for p in resp.get_json()["items"]]

    assert ids() == [city["id"], street["id"]]
    assert ids("?level=street") == [street["id"]]
    assert ids("?region_code=110105") == [street["id"]]
    assert ids("?status=declared", world.person(library.reviewer)) == [declared["id"]]
    assert ids("?status=declared", world.person(world.reviewer("110106"))) == []
    problem(world.client.get("/api/v1/projects?status=declared", headers=world.person(stranger)), 403, "status")
    problem(world.client.get("/api/v1/projects?level=nation"), 400, "level")
    problem(world.client.get(f"/api/v1/projects/{declared['id']}", headers=world.person(stranger)), 404)
    assert world.client.get(f"/api/v1/projects/{declared['id']}", headers=world.person(library.admin)).status_code == 200
    first = world.client.get("/api/v1/projects?limit=1").get_json()
    second = world.client.get(f"/api/v1/projects?limit=1&cursor={first['next']}").get_json()
    assert [p["id"] for p in first["items"] + second["items"]] == [city["id"], street["id"]]


def test_concurrent_claims_leave_exactly_one_claimant(app, library, world):
    import threading

    project = library.published()
    claimants = []
    for _ in range(5):
        admin = world.volunteer()
        claimants.append((admin, world.organization(admin, kind="specialised")))
    start = threading.Barrier(len(claimants))
    statuses: list[int] = []
    lock = threading.Lock()

    def claim(admin, org):
        client = app.test_client()
        start.wait()
        resp = client.post(f"/api/v1/projects/{project['id']}/claim", json={"organization_id": org},
                           headers=world.person(admin))
        with lock:
            statuses.append(resp.status_code)

    threads = [threading.Thread(target=claim, args=c) for c in claimants]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(200) == 1 and statuses.count(409) == 4, statuses
    claimed = world.client.get(f"/api/v1/projects/{project['id']}").get_json()
    assert (claimed["claimed_by_organization_id"], 200) in {(org, 200) for _, org in claimants}
