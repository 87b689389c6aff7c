"""The activities app on a fresh database (SQLite file, or PostgreSQL when DATABASE_URL is set),
with a clock the tests move and registry's events delivered to the inbox."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from shanxing_activities import create_app
from shanxing_common.testing import FakeClock, deliver, headers_for, test_settings

# A Wednesday morning in Beijing (02:00 UTC = 10:00 Asia/Shanghai).
START = datetime(2030, 6, 5, 2, 0, tzinfo=timezone.utc)
NOWHERE = "http://127.0.0.1:9"  # registry's feed is not running in these tests




@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def app(tmp_path, clock):
    settings = test_settings("activities", "shanxing_activities", tmp_path,
                             peers={"registry": NOWHERE, "points": NOWHERE, "gateway": NOWHERE})
    app = create_app(settings, clock=clock)
    yield app
    app.extensions["shanxing"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def ops_headers() -> dict:
    """Minted per request: the internal token lives 60 s, and a loaded machine runs longer."""
    return headers_for(subject="ops-person", roles=("ops",))


def person(person_id: str) -> dict:
    return headers_for(subject=person_id)


class World:
    """Builds read-model rows through registry's events and activities through the API."""

    @property
    def ops(self) -> dict:
        return ops_headers()

    person = staticmethod(person)

    def __init__(self, app, client, clock):
        self.app, self.client, self.clock = app, client, clock

    def volunteer(self, name: str = "张*明", volunteer_id: str | None = None,
                  skills: tuple[str, ...] = ("first_aid",)) -> str:
        volunteer_id = volunteer_id or str(uuid.uuid4())
        deliver(self.app, "registry.volunteer_registered.v1", {
            "volunteer_id": volunteer_id, "display_name": name, "region_code": "110105",
            "skills": list(skills), "preferences": ["elderly"],
            "registered_at": self.clock.now().isoformat()})
        return volunteer_id

    def organization(self, *admin_ids: str, region_code: str = "110105", kind: str = "regional") -> str:
        organization_id = str(uuid.uuid4())
        deliver(self.app, "registry.organization_approved.v1", {
            "organization_id": organization_id, "name": "朝阳区志愿服务队", "kind": kind,
            "parent_id": None, "region_code": region_code, "admin_ids": list(admin_ids)})
        return organization_id

    def activity_body(self, organization_id: str, **overrides) -> dict:
        starts = self.clock.now() + timedelta(hours=1)
        body = {"organization_id": organization_id, "title": "社区助老服务", "category": "elderly",
                "description": "陪伴社区老人，协助理发和体检。", "address": "朝阳区某社区服务站",
                "latitude": 39.92, "longitude": 116.44, "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=3)).isoformat(), "capacity": 10,
                "skills": ["first_aid"]}
        body.update(overrides)
        return body

    def pending_activity(self, organization_id: str, admin_id: str, **overrides) -> dict:
        resp = self.client.post("/api/v1/activities", json=self.activity_body(organization_id, **overrides),
                                headers=person(admin_id))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def published_activity(self, organization_id: str, admin_id: str, **overrides) -> dict:
        activity = self.pending_activity(organization_id, admin_id, **overrides)
        resp = self.client.post(f"/api/v1/activities/{activity['id']}/approve", headers=ops_headers())
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()

    def organizer(self) -> tuple[str, str]:
        """(admin_id, organization_id) of a fresh approved organization."""
        admin_id = self.volunteer("李*组")
        return admin_id, self.organization(admin_id)

    def sign_up(self, activity_id: str, volunteer_id: str, **body):
        return self.client.post(f"/api/v1/activities/{activity_id}/signups", headers=person(volunteer_id),
                                **({"json": body} if body else {}))

    def reviewer(self, region_code: str) -> str:
        """The admin of an approved regional organization (a centre) of this region."""
        admin_id = self.volunteer("审*员")
        self.organization(admin_id, region_code=region_code)
        return admin_id

    def signup_statuses(self, activity_id: str) -> dict[str, str]:
        """volunteer_id → status of every sign-up row of the activity (read from the database)."""
        from sqlalchemy import select

        from shanxing_activities.adapters.models import signups

        with self.app.extensions["shanxing"].db.read() as s:
            return dict(s.execute(select(signups.c.volunteer_id, signups.c.status)
                                  .where(signups.c.activity_id == activity_id)).all())


@pytest.fixture
def world(app, client, clock):
    return World(app, client, clock)


def assert_problem(resp, status: int, *fields: str) -> dict:
    assert resp.status_code == status, resp.get_json()
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.get_json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    for name in fields:
        assert name in body.get("errors", {}), body
    return body


@pytest.fixture
def problem():
    return assert_problem
