"""The registry app on a fresh database (SQLite file, or PostgreSQL when DATABASE_URL is set),
with a clock the tests move and fixed ID keys."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from shanxing_common.testing import headers_for, test_settings
from shanxing_registry import create_app

START = datetime(2030, 6, 5, 2, 0, tzinfo=timezone.utc)
NOWHERE = "http://127.0.0.1:9"  # no peer runs in these tests
ID_KEY = "test-registry-id-key-0123456789abcdef0123"
ID_HASH_KEY = "test-registry-id-hash-key-0123456789abcdef"
PASSWORD = "correct-horse-9"

OPS = headers_for(subject="ops-person", roles=("ops",))
GATEWAY = headers_for(kind="service", subject="gateway")


class FakeClock:
    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> None:
        self.moment += timedelta(**delta)


def check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


_serial = itertools.count(1)


def new_id_number(birth: str = "19900307") -> str:
    body = f"110105{birth}{next(_serial) % 1000:03d}"
    return body + check_char(body)


def new_phone() -> str:
    return f"138{next(_serial):08d}"


def person(subject: str, *roles: str) -> dict:
    return headers_for(subject=subject, roles=roles or ("volunteer",))


@pytest.fixture(autouse=True)
def registry_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SHANXING_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SHANXING_REGISTRY_ID_KEY", ID_KEY)
    monkeypatch.setenv("SHANXING_REGISTRY_ID_HASH_KEY", ID_HASH_KEY)
    for name in ("SHANXING_REGISTRY_ID_KEY_OLD", "SHANXING_LOGIN_MAX_FAILURES",
                 "SHANXING_LOGIN_WINDOW_SECONDS", "SHANXING_STAR_THRESHOLDS_HOURS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture
def settings(tmp_path):
    return test_settings("registry", "shanxing_registry", tmp_path,
                         peers={"activities": NOWHERE, "points": NOWHERE, "gateway": NOWHERE})


@pytest.fixture
def app(settings, clock):
    app = create_app(settings, clock=clock)
    yield app
    app.extensions["shanxing"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class World:
    """Volunteers and organizations made through the API."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def registration(self, **overrides) -> dict:
        body = {"name": "王小明", "id_number": new_id_number(), "phone": new_phone(), "password": PASSWORD,
                "region_code": "110105", "skills": ["first_aid"], "preferences": ["elderly"]}
        body.update(overrides)
        return body

    def volunteer(self, **overrides) -> dict:
        resp = self.client.post("/api/v1/volunteers", json=self.registration(**overrides))
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def organization(self, applicant_id: str, *, kind: str = "regional", parent_id: str | None = None,
                     name: str = "朝阳区志愿服务队") -> dict:
        resp = self.client.post("/api/v1/organizations", headers=person(applicant_id), json={
            "name": name, "kind": kind, "parent_id": parent_id, "region_code": "110105"})
        assert resp.status_code == 201, resp.get_json()
        return resp.get_json()

    def approved_organization(self, applicant_id: str, **kwargs) -> dict:
        org = self.organization(applicant_id, **kwargs)
        resp = self.client.post(f"/api/v1/organizations/{org['id']}/approve", headers=OPS)
        assert resp.status_code == 200, resp.get_json()
        return resp.get_json()


@pytest.fixture
def world(app, client):
    return World(app, client)


def assert_problem(resp, status: int, *fields: str) -> dict:
    assert resp.status_code == status, resp.get_json()
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.get_json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
    for name in fields:
        assert name in body.get("errors", {}), body
    return body
