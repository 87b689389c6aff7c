"""Races the database must settle (unique phone/ID, one approval, one appointment, one membership,
one transfer, exact roll-ups), on real threads."""
import uuid
from concurrent.futures import ThreadPoolExecutor

from shanxing_common.testing import deliver, outbox_events

from .conftest import OPS, new_team, person


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


def test_racing_applications_to_one_team_make_one_membership(world, app, client, trees):
    team = new_team(client, trees).get_json()
    volunteer = world.volunteer()["id"]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(
            lambda _: app.test_client().post(f"/api/v1/teams/{team['id']}/members",
                                             headers=person(volunteer)).status_code, range(6)))
    assert sorted(statuses) == [201] + [409] * 5


def test_racing_transfers_to_one_region_move_once(world, app):
    volunteer = world.volunteer()["id"]
    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(
            lambda _: app.test_client().post("/api/v1/volunteers/me/transfer", headers=person(volunteer),
                                             json={"to_region_code": "110108", "reason": "搬家"}).status_code,
            range(6)))
    assert sorted(statuses) == [201] + [409] * 5
    assert len(outbox_events(app, "registry.volunteer_transferred.v1")) == 1


def test_racing_credits_roll_up_exactly(world, app, client, trees):
    team = new_team(client, trees).get_json()
    volunteers = [world.volunteer()["id"] for _ in range(3)]

    def credit(index):
        return deliver(app, "activities.hours_confirmed.v1", {
            "record_id": str(uuid.uuid4()), "volunteer_id": volunteers[index % 3], "activity_id": "a1",
            "organization_id": None, "team_id": team["id"], "region_code": "110105", "category": "elderly",
            "hours": "1.25", "served_on": "2030-06-05", "confirmed_by": "admin", "verified": True})

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(credit, range(12))) == {"done"}
    assert client.get(f"/api/v1/teams/{team['id']}", headers=OPS).get_json()["total_hours"] == "15.00"
    city = trees["regional"][0]["id"]
    assert client.get(f"/api/v1/organizations/{city}", headers=OPS).get_json()["total_hours"] == "15.00"
