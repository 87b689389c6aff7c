"""Races the database must settle (unique phone/ID, one approval, one appointment), on real threads."""
from concurrent.futures import ThreadPoolExecutor

from shanxing_common.testing import outbox_events

from .conftest import OPS, person


def test_racing_registrations_of_one_phone_make_one_volunteer(world, app):
    body = world.registration()
    bodies = [dict(body, id_number=world.registration()["id_number"]) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda b: app.test_client().post("/api/v1/volunteers", json=b).status_code,
                                 bodies))
    assert sorted(statuses) == [201] + [409] * 5
    assert len(outbox_events(app, "registry.volunteer_registered.v1")) == 1


def test_racing_registrations_of_one_id_number_make_one_volunteer(world, app):
    body = world.registration()
    bodies = [dict(body, phone=world.registration()["phone"]) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(lambda b: app.test_client().post("/api/v1/volunteers", json=b).status_code,
                                 bodies))
    assert sorted(statuses) == [201] + [409] * 5


def test_racing_approvals_approve_once(world, app):
    org = world.organization(world.volunteer()["id"])
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(
            lambda _: app.test_client().post(f"/api/v1/organizations/{org['id']}/approve", headers=OPS).status_code,
            range(6)))
    assert sorted(statuses) == [200] + [409] * 5
    assert len(outbox_events(app, "registry.organization_approved.v1")) == 1


def test_racing_appointments_of_one_volunteer_add_one_admin(world, app):
    admin = world.volunteer()["id"]
    org = world.approved_organization(admin)
    newcomer = world.volunteer()["id"]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(
            lambda _: app.test_client().post(f"/api/v1/organizations/{org['id']}/admins",
                                             json={"volunteer_id": newcomer}, headers=person(admin)).status_code,
            range(6)))
    assert sorted(statuses) == [201] + [409] * 5
    assert len(outbox_events(app, "registry.organization_admin_added.v1")) == 1
