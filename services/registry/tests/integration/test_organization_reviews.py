"""Organization applications with a review deadline: who sees them in the pending and overdue
queues, and the worker's escalation one ancestor up (with the test clock)."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from shanxing_common.config import ConfigError
from shanxing_registry.adapters.models import organizations
from shanxing_registry.service.organizations import escalate_overdue_reviews

from .conftest import OPS, assert_problem, organization_chain, person

DUE_HOURS = 48


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_json()
    return [item["id"] for item in resp.get_json()["items"]]


def pending(client, headers, **query):
    return client.get("/api/v1/organizations/reviews/pending", headers=headers, query_string=query)


def overdue(client, headers, **query):
    return client.get("/api/v1/organizations/reviews/overdue", headers=headers, query_string=query)


def escalate(app, clock) -> int:
    return escalate_overdue_reviews(app.extensions["shanxing"].db, clock.now(), DUE_HOURS)


def chain_with_admins(world):
    """city → district → street, each with its own admin."""
    admins = [world.volunteer(name=name)["id"] for name in ("市管理", "区管理", "街管理")]
    orgs, parent = [], None
    for admin, name in zip(admins, ("城市总队", "朝阳区大队", "建外街道站")):
        org = world.approved_organization(admin, parent_id=parent, name=name)
        orgs.append(org["id"])
        parent = org["id"]
    return admins, orgs


def test_a_new_application_is_due_in_48_hours_for_the_parents_admins(world, client, clock):
    (city_admin, district_admin, street_admin), (city, district, street) = chain_with_admins(world)
    application = world.organization(world.volunteer()["id"], parent_id=street, name="建外社区站")

    assert application["escalation_level"] == 0 and application["reviewer_organization_id"] == street
    assert application["review_due_at"].startswith("2030-06-07T02:00:00")
    assert ids(pending(client, person(street_admin))) == [application["id"]]
    assert ids(pending(client, person(district_admin))) == ids(pending(client, person(city_admin))) == []
    assert application["id"] in ids(pending(client, OPS))
    assert ids(overdue(client, person(street_admin))) == []
    assert ids(pending(client, person(world.volunteer()["id"]))) == []
    # the existing rule stays: any ancestor's admin may approve, responsible or not
    resp = client.post(f"/api/v1/organizations/{application['id']}/approve", headers=person(city_admin))
    assert resp.status_code == 200 and resp.get_json()["status"] == "approved"
    assert ids(pending(client, person(street_admin))) == ids(pending(client, OPS)) == []


def test_an_overdue_application_escalates_one_ancestor_up_per_deadline(world, client, app, clock):
    (city_admin, district_admin, street_admin), (city, district, street) = chain_with_admins(world)
    application = world.organization(world.volunteer()["id"], parent_id=street, name="建外社区站")["id"]

    clock.advance(hours=47, minutes=59)
    assert escalate(app, clock) == 0
    clock.advance(minutes=1)  # exactly due
    assert ids(overdue(client, person(street_admin))) == [application]
    assert ids(overdue(client, OPS)) == [application]
    assert escalate(app, clock) == 1

    assert ids(pending(client, person(street_admin))) == []  # let it stall: no longer theirs
    assert ids(pending(client, person(district_admin))) == [application]
    assert ids(overdue(client, person(district_admin))) == []  # a fresh deadline
    body = client.get(f"/api/v1/organizations/{application}", headers=OPS).get_json()
    assert (body["escalation_level"], body["reviewer_organization_id"]) == (1, district)
    assert body["review_due_at"].startswith("2030-06-09T02:00:00")

    clock.advance(hours=DUE_HOURS * 3)  # three deadlines missed: still one level per run
    assert escalate(app, clock) == 1
    assert ids(pending(client, person(city_admin))) == [application]
    clock.advance(hours=DUE_HOURS)
    assert escalate(app, clock) == 0  # the root's admins: nowhere higher to go
    assert ids(overdue(client, person(city_admin))) == ids(overdue(client, OPS)) == [application]
    # the street's admin may still approve (any ancestor's admin may)
    resp = client.post(f"/api/v1/organizations/{application}/approve", headers=person(street_admin))
    assert resp.status_code == 200
    assert ids(overdue(client, OPS)) == []


def test_a_root_application_is_for_ops_and_stays_overdue_there(world, client, app, clock):
    admins, (city, _, _) = chain_with_admins(world)
    root = world.organization(world.volunteer()["id"], name="海淀区总队")
    assert root["reviewer_organization_id"] is None
    clock.advance(hours=DUE_HOURS)
    assert escalate(app, clock) == 0
    assert ids(overdue(client, OPS)) == [root["id"]]
    assert all(ids(overdue(client, person(admin))) == [] for admin in admins)


def test_queues_are_earliest_deadline_first_with_paging(world, client, clock):
    admin = world.volunteer()["id"]
    parent = organization_chain(world, admin, "regional", 1)[0]["id"]
    applicant = world.volunteer()["id"]
    made = []
    for index in range(5):
        made.append(world.organization(applicant, parent_id=parent, name=f"社区站{index}")["id"])
        clock.advance(minutes=10)
    seen, cursor = [], None
    while True:
        resp = pending(client, person(admin), limit=2, **({"cursor": cursor} if cursor else {}))
        seen += ids(resp)
        cursor = resp.get_json()["next"]
        if cursor is None:
            break
    assert seen == made
    # made at +0, +10 … +40 min, now +50 min: 47 h 20 min on, the first two are due (48 h, 48 h 10 min)
    clock.advance(hours=DUE_HOURS - 1, minutes=20)
    assert ids(overdue(client, person(admin))) == made[:2]
    assert_problem(pending(client, person(admin), cursor="nope"), 400, "cursor")
    assert_problem(pending(client, person(admin), limit=0), 400, "limit")
    assert_problem(client.get("/api/v1/organizations/reviews/pending"), 401)


def test_two_workers_escalate_once(world, client, app, clock):
    admins, (city, district, street) = chain_with_admins(world)
    applicant = world.volunteer()["id"]
    applications = [world.organization(applicant, parent_id=street, name=f"社区站{i}")["id"] for i in range(6)]
    clock.advance(hours=DUE_HOURS)
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda _: escalate(app, clock), range(2)))
    assert sum(counts) == 6
    with app.extensions["shanxing"].db.read() as s:
        levels = dict(s.execute(select(organizations.c.id, organizations.c.escalation_level)
                                .where(organizations.c.id.in_(applications))).all())
    assert set(levels.values()) == {1}
    assert sorted(ids(pending(client, person(admins[1])))) == sorted(applications)


def test_a_worker_with_a_stale_view_changes_nothing(world, app, clock):
    """The escalation is conditional on (pending, level, overdue): a second worker that read the
    row before the first escalated it, or a decision in between, leaves it as it is."""
    from shanxing_registry.adapters import repository as repo

    admins, (city, district, street) = chain_with_admins(world)
    application = world.organization(world.volunteer()["id"], parent_id=street, name="建外社区站")["id"]
    clock.advance(hours=DUE_HOURS)
    db = app.extensions["shanxing"].db
    assert escalate(app, clock) == 1
    with db.transaction() as s:  # what the slower worker would try with the level it had read
        assert not repo.escalate_review(s, application, from_level=0, reviewer_id=district,
                                        due_at=clock.now(), moment=clock.now())
    clock.advance(hours=DUE_HOURS)
    with db.transaction() as s:
        repo.review_pending(s, application, status="rejected", reviewed_at=clock.now(), reviewed_by="x", reason="r")
        assert not repo.escalate_review(s, application, from_level=1, reviewer_id=city,
                                        due_at=clock.now(), moment=clock.now())
    with db.read() as s:
        row = s.execute(select(organizations).where(organizations.c.id == application)).one()
    assert (row.status, row.escalation_level, row.reviewer_organization_id) == ("rejected", 1, district)


def test_the_worker_runs_the_escalation_every_minute(settings, app, monkeypatch):
    from shanxing_registry.cli import jobs

    monkeypatch.setenv("SHANXING_REVIEW_DUE_HOURS", "12")
    [job] = jobs(settings, app.extensions["shanxing"].db)
    assert (job.name, job.every_seconds) == ("review-escalation", 60)
    assert job.run() == 0  # nothing overdue by the real clock (the tests' applications are from 2030)
    monkeypatch.setenv("SHANXING_REVIEW_DUE_HOURS", "0")
    with pytest.raises(ConfigError):
        jobs(settings, app.extensions["shanxing"].db)
