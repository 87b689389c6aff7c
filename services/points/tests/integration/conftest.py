import uuid
from dataclasses import dataclass

import pytest

from shanxing_common.testing import deliver, headers_for, test_settings
from shanxing_points import create_app

# Peers nobody listens on: a catch-up fails fast instead of reaching someone's dev server.
UNREACHABLE_PEERS = {s: "http://127.0.0.1:9" for s in ("gateway", "registry", "activities")}
POINTS_SECRET = "test-points-secret-key-0123456789abcdef"


@pytest.fixture
def app(tmp_path):
    settings = test_settings("points", "shanxing_points", tmp_path, peers=UNREACHABLE_PEERS,
                             extra={"points": {"secret_key": POINTS_SECRET}})
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["shanxing"].db.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Merchant:
    id: str
    key_id: str
    key_secret: str

    @property
    def headers(self) -> dict:
        return headers_for("merchant", subject=self.key_id, merchant_id=self.id)


class World:
    """Builds the situation a test needs through the real entry points (events and HTTP)."""

    @property
    def ops(self) -> dict:
        # minted per use: tokens made at import would expire during a long (PostgreSQL) run
        return headers_for("person", subject="ops-0001", roles=("ops",))

    @property
    def gateway(self) -> dict:
        return headers_for("service", subject="gateway")

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def volunteer(self, display_name="张*明") -> str:
        volunteer_id = str(uuid.uuid4())
        deliver(self.app, "registry.volunteer_registered.v1", {
            "volunteer_id": volunteer_id, "display_name": display_name, "region_code": "110105",
            "skills": [], "preferences": [], "registered_at": "2025-01-01T00:00:00+00:00"})
        return volunteer_id

    def confirm(self, volunteer_id, hours="1.00", record_id=None, event_id=None) -> str:
        record_id = record_id or str(uuid.uuid4())
        outcome = deliver(self.app, "activities.hours_confirmed.v1", {
            "record_id": record_id, "volunteer_id": volunteer_id, "activity_id": "a1",
            "organization_id": "o1", "team_id": None, "region_code": "110105", "category": "elderly",
            "hours": hours, "served_on": "2025-01-02", "confirmed_by": "admin", "verified": True},
            event_id=event_id)
        assert outcome == "done"
        return record_id

    def revoke(self, volunteer_id, record_id, hours="1.00", event_id=None) -> None:
        outcome = deliver(self.app, "activities.hours_revoked.v1", {
            "record_id": record_id, "volunteer_id": volunteer_id, "hours": hours, "reason": "mistake"},
            event_id=event_id)
        assert outcome == "done"

    def person(self, volunteer_id) -> dict:
        return headers_for("person", subject=volunteer_id)

    def points(self, volunteer_id) -> dict:
        resp = self.client.get("/api/v1/points/me", headers=self.person(volunteer_id))
        assert resp.status_code == 200, resp.json
        return resp.json

    def merchant(self, name="爱心超市") -> Merchant:
        resp = self.client.post("/api/v1/merchants", json={"name": name, "address": "幸福路 1 号"},
                                headers=self.ops)
        assert resp.status_code == 201, resp.json
        return Merchant(resp.json["id"], resp.json["key_id"], resp.json["key_secret"])

    def good(self, merchant, sku="rice-5kg", points=30, stock=10, name="大米 5kg") -> dict:
        resp = self.client.post("/api/v1/merchant/goods", headers=merchant.headers,
                                json={"sku": sku, "name": name, "points": points, "stock": stock})
        assert resp.status_code == 201, resp.json
        return resp.json

    def code(self, volunteer_id) -> str:
        resp = self.client.post("/api/v1/points/redemption-codes", headers=self.person(volunteer_id))
        assert resp.status_code == 201, resp.json
        return resp.json["code"]

    def redeem(self, merchant, code, items, key=None, client=None):
        headers = dict(merchant.headers)
        headers["Idempotency-Key"] = key or str(uuid.uuid4())
        return (client or self.client).post("/api/v1/merchant/redemptions", headers=headers,
                                            json={"code": code, "items": items})

    def good_stock(self, merchant, sku) -> int:
        resp = self.client.get("/api/v1/merchant/goods", headers=merchant.headers)
        return next(g["stock"] for g in resp.json["items"] if g["sku"] == sku)


@pytest.fixture
def world(app, client):
    return World(app, client)
