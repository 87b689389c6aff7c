"""registry's events build the local read model, in any order and any number of times."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from shanxing_activities.adapters.models import organization_admins_view, organizations_view, volunteers_view
from shanxing_common.messaging.envelope import Event
from shanxing_common.testing import deliver

VOLUNTEER = {"volunteer_id": "v-1", "display_name": "张*明", "region_code": "110105", "skills": ["first_aid"],
             "preferences": ["elderly"], "registered_at": "2030-06-01T00:00:00+00:00"}


def rows(app, table):
    with app.extensions["shanxing"].db.read() as s:
        return [dict(r._mapping) for r in s.execute(select(table))]


def deliver_at(app, type_, data, occurred_at: datetime, event_id: str):
    event = Event(id=event_id, type=type_, occurred_at=occurred_at.isoformat(), producer="registry",
                  trace_id=event_id, data=data)
    return app.extensions["shanxing"].inbox.process(event.as_dict())


def test_a_registered_volunteer_enters_the_read_model_once(app):
    assert deliver(app, "registry.volunteer_registered.v1", VOLUNTEER, event_id="e-1") == "done"
    assert deliver(app, "registry.volunteer_registered.v1", VOLUNTEER, event_id="e-1") == "done"
    [row] = rows(app, volunteers_view)
    assert row["volunteer_id"] == "v-1" and row["display_name"] == "张*明" and row["skills"] == ["first_aid"]
    assert row["preferences"] == ["elderly"] and row["region_code"] == "110105"


def test_an_older_event_arriving_late_does_not_undo_a_newer_one(app):
    now = datetime(2030, 6, 5, tzinfo=timezone.utc)
    deliver_at(app, "registry.volunteer_updated.v1", VOLUNTEER | {"display_name": "张*"}, now, "e-2")
    deliver_at(app, "registry.volunteer_registered.v1", VOLUNTEER, now - timedelta(minutes=1), "e-1")
    assert rows(app, volunteers_view)[0]["display_name"] == "张*"
    deliver_at(app, "registry.volunteer_updated.v1", VOLUNTEER | {"region_code": "110106"},
               now + timedelta(minutes=1), "e-3")
    assert rows(app, volunteers_view)[0]["region_code"] == "110106"


def test_an_admin_may_arrive_before_the_organizations_approval(app):
    deliver(app, "registry.organization_admin_added.v1", {"organization_id": "o-1", "volunteer_id": "v-2"})
    assert rows(app, organizations_view) == []
    deliver(app, "registry.organization_approved.v1", {
        "organization_id": "o-1", "name": "朝阳区志愿服务队", "kind": "regional", "parent_id": None,
        "region_code": "110105", "admin_ids": ["v-1", "v-2"]})
    [org] = rows(app, organizations_view)
    assert org["status"] == "approved" and org["name"] == "朝阳区志愿服务队" and org["region_code"] == "110105"
    admins = {(r["organization_id"], r["volunteer_id"]) for r in rows(app, organization_admins_view)}
    assert admins == {("o-1", "v-1"), ("o-1", "v-2")}


def test_unknown_event_types_are_ignored(app):
    assert deliver(app, "registry.star_level_changed.v1", {"volunteer_id": "v-1"}) == "ignored"


def test_an_organization_approved_a_moment_ago_is_found_by_catching_up(app, world):
    admin_id = world.volunteer()
    body = world.activity_body("org-in-flight")

    class Follower:
        def follow(self, producer):
            deliver(app, "registry.organization_approved.v1", {
                "organization_id": "org-in-flight", "name": "新队", "kind": "specialised", "parent_id": None,
                "region_code": "110105", "admin_ids": [admin_id]})
            return 1

    app.extensions["shanxing"].follower = Follower()
    resp = world.client.post("/api/v1/activities", json=body, headers=world.person(admin_id))
    assert resp.status_code == 201, resp.get_json()


TRANSFER = {"volunteer_id": "v-1", "from_region_code": "110105", "to_region_code": "310101",
            "transfer_id": "t-1", "transferred_at": "2030-06-05T00:00:00+00:00"}


def test_a_transfer_moves_the_volunteer_to_the_new_region(app):
    deliver_at(app, "registry.volunteer_registered.v1", VOLUNTEER, datetime(2030, 6, 1, tzinfo=timezone.utc), "e-1")
    deliver_at(app, "registry.volunteer_transferred.v1", TRANSFER, datetime(2030, 6, 5, tzinfo=timezone.utc), "e-2")
    [row] = rows(app, volunteers_view)
    assert row["region_code"] == "310101" and row["display_name"] == "张*明" and row["skills"] == ["first_aid"]


def test_a_transfer_before_the_registration_is_kept_and_older_news_does_not_undo_it(app):
    deliver_at(app, "registry.volunteer_transferred.v1", TRANSFER, datetime(2030, 6, 5, tzinfo=timezone.utc), "e-2")
    deliver_at(app, "registry.volunteer_registered.v1", VOLUNTEER, datetime(2030, 6, 1, tzinfo=timezone.utc), "e-1")
    [row] = rows(app, volunteers_view)
    assert row["region_code"] == "310101" and row["display_name"] == "张*明"
    older = TRANSFER | {"to_region_code": "120101", "transfer_id": "t-0", "transferred_at": "2030-06-03T00:00:00+00:00"}
    deliver_at(app, "registry.volunteer_transferred.v1", older, datetime(2030, 6, 3, tzinfo=timezone.utc), "e-0")
    assert rows(app, volunteers_view)[0]["region_code"] == "310101"
    # A profile update after the transfer carries the current region.
    deliver_at(app, "registry.volunteer_updated.v1", VOLUNTEER | {"region_code": "310102"},
               datetime(2030, 6, 6, tzinfo=timezone.utc), "e-3")
    assert rows(app, volunteers_view)[0]["region_code"] == "310102"
