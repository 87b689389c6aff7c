"""The registry app on a fresh database (SQLite file, or PostgreSQL when DATABASE_URL is set),
with a clock the tests move and fixed ID keys."""
from __future__ import annotations

import itertools
import os
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import MetaData

from shanxing_common import internal_auth
from shanxing_common.config import Settings
from shanxing_common.db import make_engine
from shanxing_common.testing import FakeClock, TEST_INTERNAL_KEY, fresh_database, headers_for
from shanxing_registry import create_app
from shanxing_common import passwords

START = datetime(2030, 6, 5, 2, 0, tzinfo=timezone.utc)
NOWHERE = "http://127.0.0.1:9"  # no peer runs in these tests
ID_KEY = "test-registry-id-key-0123456789abcdef0123"
ID_HASH_KEY = "test-registry-id-hash-key-0123456789abcdef"
PASSWORD = "correct-horse-9"



def lasting_headers(kind: str, subject: str, roles=()) -> dict:
    """Module-level headers live for the whole run, which outlasts the default 60 s token."""
    return {internal_auth.HEADER: internal_auth.mint(TEST_INTERNAL_KEY, kind=kind, subject=subject, roles=roles,
                                                     ttl=3600)}


OPS = lasting_headers("person", "ops-person", ("ops",))
GATEWAY = lasting_headers("service", "gateway")




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
                 "SHANXING_LOGIN_WINDOW_SECONDS", "SHANXING_STAR_THRESHOLDS_HOURS",
                 "SHANXING_TEAM_STAR_THRESHOLDS_HOURS", "SHANXING_REVIEW_DUE_HOURS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch):
    """argon2id with the smallest cost: the default's ~50 ms (far more on a busy machine) per
    registration would dominate the run. The production parameters stay those of passwords.py."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def clock():
    return FakeClock(START)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """Migrated once per run (eight migrations per test would dominate the run time)."""
    url = fresh_database("registry", "shanxing_registry", tmp_path_factory.mktemp("registry-template"))
    if url.startswith("sqlite:///"):
        with closing(sqlite3.connect(url[len("sqlite:///"):])) as conn:  # fold the WAL into the file
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return url


_reflected: dict[str, MetaData] = {}


def _all_tables(engine) -> MetaData:
    """Registry's and the messaging tables, reflected once (test_migrations recreates the same)."""
    key = str(engine.url)
    if key not in _reflected:
        _reflected[key] = MetaData()
        _reflected[key].reflect(engine)
    return _reflected[key]


@pytest.fixture
def database_url(migrated_database, tmp_path) -> str:
    """An empty migrated database: a copy of the template (SQLite) or emptied tables (PostgreSQL)."""
    if migrated_database.startswith("sqlite:///"):
        target = tmp_path / "registry.db"
        shutil.copyfile(migrated_database[len("sqlite:///"):], target)
        return f"sqlite:///{target}"
    engine = make_engine(migrated_database)
    with engine.begin() as conn:  # DELETE: far quicker than TRUNCATE on tables this small
        for table in reversed(_all_tables(engine).sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    engine.dispose()
    return migrated_database


@pytest.fixture
def settings(tmp_path, database_url):
    os.environ.setdefault("SHANXING_ENV", "dev")
    return Settings.from_env("registry", database_url=database_url, internal_key=TEST_INTERNAL_KEY,
                             broker_url=os.environ.get("BROKER_URL") or f"sqla+sqlite:///{tmp_path / 'bus.db'}",
                             data_dir=tmp_path, dev=True,
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


def organization_chain(world, admin, kind: str, depth: int) -> list[dict]:
    """Approved organizations from the top level down ``depth`` levels, administered by ``admin``."""
    orgs, parent = [], None
    for index in range(depth):
        org = world.approved_organization(admin, kind=kind, parent_id=parent, name=f"{kind}-{index}")
        orgs.append(org)
        parent = org["id"]
    return orgs


@pytest.fixture
def trees(world):
    """city → district → street → community and corps → detachment → squad, with separate admins."""
    regional_admin = world.volunteer(name="区域管理")["id"]
    specialised_admin = world.volunteer(name="专项管理")["id"]
    return {"regional_admin": regional_admin, "specialised_admin": specialised_admin,
            "regional": organization_chain(world, regional_admin, "regional", 4),
            "specialised": organization_chain(world, specialised_admin, "specialised", 3)}


def new_team(client, trees, headers=None, **overrides):
    body = {"name": "阳光助老服务队", "regional_parent_id": trees["regional"][3]["id"],
            "specialised_parent_id": trees["specialised"][2]["id"], **overrides}
    return client.post("/api/v1/teams", json=body, headers=headers or person(trees["regional_admin"]))
