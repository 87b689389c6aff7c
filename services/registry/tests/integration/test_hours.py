import uuid

from sqlalchemy import select

from shanxing_common.testing import deliver
from shanxing_registry.adapters.models import hours_credits

from .conftest import person


def confirmed(app, volunteer_id, hours, record_id=None, event_id=None):
    record_id = record_id or str(uuid.uuid4())
    outcome = deliver(app, "activities.hours_confirmed.v1", {
        "record_id": record_id, "volunteer_id": volunteer_id, "activity_id": "a1", "organization_id": "o1",
        "team_id": None, "region_code": "110105", "category": "elderly", "hours": hours,
        "served_on": "2030-06-05", "confirmed_by": "admin", "verified": True}, event_id=event_id)
    return record_id, outcome


def revoked(app, volunteer_id, record_id, hours="2.50", event_id=None):
    return deliver(app, "activities.hours_revoked.v1", {"record_id": record_id, "volunteer_id": volunteer_id,
                                                         "hours": hours, "reason": "mistake"}, event_id=event_id)


def me(client, volunteer_id):
    return client.get("/api/v1/volunteers/me", headers=person(volunteer_id)).get_json()


def test_confirmed_hours_reach_the_profile_once_per_event(world, client, app):
    volunteer = world.volunteer()["id"]
    event_id = str(uuid.uuid4())
    record_id, outcome = confirmed(app, volunteer, "2.50", event_id=event_id)
    assert outcome == "done"
    _, again = confirmed(app, volunteer, "2.50", record_id=record_id, event_id=event_id)
    assert again == "done"
    assert me(client, volunteer)["total_hours"] == "2.50"


def test_the_same_record_in_another_event_is_credited_once(world, client, app):
    volunteer = world.volunteer()["id"]
    record_id, _ = confirmed(app, volunteer, "2.50")
    confirmed(app, volunteer, "2.50", record_id=record_id)
    confirmed(app, volunteer, 1.25)
    assert me(client, volunteer)["total_hours"] == "3.75"


def test_revoke_subtracts_what_was_added_once(world, client, app):
    volunteer = world.volunteer()["id"]
    keep, _ = confirmed(app, volunteer, "4")
    record_id, _ = confirmed(app, volunteer, "2.50")
    assert revoked(app, volunteer, record_id, hours="9.99") == "done"  # the credit row decides, not the event
    assert revoked(app, volunteer, record_id) == "done"
    assert me(client, volunteer)["total_hours"] == "4.00"


def test_a_revoke_ahead_of_its_credit_makes_the_credit_a_no_op(world, client, app):
    volunteer = world.volunteer()["id"]
    record_id = str(uuid.uuid4())
    revoked(app, volunteer, record_id)
    confirmed(app, volunteer, "2.50", record_id=record_id)
    assert me(client, volunteer)["total_hours"] == "0.00"


def test_an_unknown_volunteer_is_tolerated_and_the_credit_recorded(app):
    record_id, outcome = confirmed(app, "not-registered", "3.00")
    assert outcome == "done"
    with app.extensions["shanxing"].db.read() as s:
        row = s.execute(select(hours_credits).where(hours_credits.c.record_id == record_id)).one()
    assert row.volunteer_id == "not-registered" and row.hundredths == 300
    assert revoked(app, "not-registered", record_id) == "done"


def test_malformed_hours_are_retried_not_counted(world, client, app):
    volunteer = world.volunteer()["id"]
    _, outcome = confirmed(app, volunteer, "-1")
    assert outcome == "retry"
    assert me(client, volunteer)["total_hours"] == "0.00"


def test_star_level_follows_the_total(world, client, app, monkeypatch):
    monkeypatch.setenv("SHANXING_STAR_THRESHOLDS_HOURS", "2,5")
    volunteer = world.volunteer()["id"]
    confirmed(app, volunteer, "1.50")
    assert me(client, volunteer)["star_level"] == 0
    record_id, _ = confirmed(app, volunteer, "1")
    assert me(client, volunteer)["star_level"] == 1
    confirmed(app, volunteer, "3")
    assert me(client, volunteer)["star_level"] == 2 and me(client, volunteer)["total_hours"] == "5.50"
    revoked(app, volunteer, record_id)
    assert me(client, volunteer)["star_level"] == 1


def test_unknown_event_types_are_ignored(app):
    assert deliver(app, "activities.something_new.v1", {"x": 1}) == "ignored"
