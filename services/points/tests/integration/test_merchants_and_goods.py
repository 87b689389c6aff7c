"""POST /merchants (ops), GET /internal/merchant-keys/<id> (gateway), merchant goods."""
import re

import pytest
from sqlalchemy import select, update

from shanxing_common.testing import headers_for
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import merchant_keys, merchants


def ops_headers() -> dict:
    """Minted per request: a token made at import would expire during a long (PostgreSQL) run."""
    return headers_for("person", subject="ops-0001", roles=("ops",))


def gateway_headers() -> dict:
    return headers_for("service", subject="gateway")


def test_ops_creates_a_merchant_with_a_key_shown_once(app, client):
    resp = client.post("/api/v1/merchants", json={"name": "爱心超市", "address": "幸福路 1 号", "extra": 1},
                       headers=ops_headers())
    assert resp.status_code == 201
    body = resp.json
    assert body["name"] == "爱心超市" and body["address"] == "幸福路 1 号"
    assert re.fullmatch(r"mk_[0-9a-f]{20}", body["key_id"])
    assert len(body["key_secret"]) >= 43
    with app.extensions["shanxing"].db.read() as s:
        stored = s.execute(select(merchant_keys.c.secret_ciphertext)).scalar_one()
        assert body["key_secret"] not in stored
        assert ledger.find_account(s, ledger.MERCHANT, body["id"]).display_name == "爱心超市"


@pytest.mark.parametrize("body, field", [
    ({"address": "x"}, "name"), ({"name": "a", "address": "x"}, "name"),
    ({"name": "n" * 101, "address": "x"}, "name"), ({"name": "  ", "address": "x"}, "name"),
    ({"name": "爱心超市"}, "address"), ({"name": "爱心超市", "address": ""}, "address"),
    ({"name": "爱心超市", "address": "a" * 201}, "address"), ({"name": 5, "address": "x"}, "name"),
])
def test_merchant_creation_validates(client, body, field):
    resp = client.post("/api/v1/merchants", json=body, headers=ops_headers())
    assert resp.status_code == 400 and field in resp.json["errors"]


def test_only_ops_create_merchants(client):
    body = {"name": "爱心超市", "address": "x"}
    assert client.post("/api/v1/merchants", json=body).status_code == 401
    assert client.post("/api/v1/merchants", json=body,
                       headers=headers_for("person", subject="v1")).status_code == 403


def test_the_gateway_reads_a_key_to_verify_signatures(app, client, world):
    merchant = world.merchant()
    resp = client.get(f"/internal/merchant-keys/{merchant.key_id}", headers=gateway_headers())
    assert resp.status_code == 200
    assert resp.json == {"key_id": merchant.key_id, "merchant_id": merchant.id,
                         "secret": merchant.key_secret, "status": "active", "key_status": "active",
                         "merchant_status": "active"}
    assert client.get("/internal/merchant-keys/mk_unknown", headers=gateway_headers()).status_code == 404
    assert client.get(f"/internal/merchant-keys/{merchant.key_id}", headers=ops_headers()).status_code == 403
    assert client.get(f"/internal/merchant-keys/{merchant.key_id}").status_code == 401


def test_a_suspended_merchant_or_revoked_key_does_not_verify(app, client, world):
    merchant, other = world.merchant(), world.merchant("第二家")
    db = app.extensions["shanxing"].db
    with db.transaction() as s:
        s.execute(update(merchants).where(merchants.c.id == merchant.id).values(status="suspended"))
        s.execute(update(merchant_keys).where(merchant_keys.c.key_id == other.key_id).values(status="revoked"))
    for m in (merchant, other):
        assert client.get(f"/internal/merchant-keys/{m.key_id}", headers=gateway_headers()).json["status"] == "revoked"


def test_goods_are_created_and_listed_per_merchant(world):
    merchant, other = world.merchant(), world.merchant("第二家")
    good = world.good(merchant, sku="rice-5kg", points=30, stock=10)
    assert {k: good[k] for k in ("sku", "name", "points", "stock")} == {
        "sku": "rice-5kg", "name": "大米 5kg", "points": 30, "stock": 10}
    assert good["id"] and good["created_at"]
    world.good(other, sku="rice-5kg")  # another merchant may use the same sku
    world.good(merchant, sku="oil.1L", points=20, stock=0)
    listed = world.client.get("/api/v1/merchant/goods", headers=merchant.headers).json
    assert [g["sku"] for g in listed["items"]] == ["oil.1L", "rice-5kg"] and listed["next"] is None
    page = world.client.get("/api/v1/merchant/goods?limit=1", headers=merchant.headers).json
    rest = world.client.get(f"/api/v1/merchant/goods?limit=1&cursor={page['next']}", headers=merchant.headers).json
    assert [g["sku"] for g in page["items"] + rest["items"]] == ["oil.1L", "rice-5kg"]


def test_a_duplicate_sku_is_409(world):
    merchant = world.merchant()
    world.good(merchant, sku="rice")
    resp = world.client.post("/api/v1/merchant/goods", headers=merchant.headers,
                             json={"sku": "rice", "name": "x", "points": 1, "stock": 1})
    assert resp.status_code == 409 and "sku" in resp.json["errors"]


@pytest.mark.parametrize("change, field", [
    ({"sku": ""}, "sku"), ({"sku": "a" * 65}, "sku"), ({"sku": "has space"}, "sku"), ({"sku": "米"}, "sku"),
    ({"name": ""}, "name"), ({"name": "n" * 101}, "name"),
    ({"points": 0}, "points"), ({"points": 1_000_001}, "points"), ({"points": 1.5}, "points"),
    ({"points": "10"}, "points"), ({"points": True}, "points"),
    ({"stock": -1}, "stock"), ({"stock": 1_000_001}, "stock"), ({"stock": None}, "stock"),
])
def test_goods_validate(world, change, field):
    merchant = world.merchant()
    body = {"sku": "ok", "name": "ok", "points": 1, "stock": 0, **change}
    resp = world.client.post("/api/v1/merchant/goods", headers=merchant.headers, json=body)
    assert resp.status_code == 400 and field in resp.json["errors"]


def test_merchant_routes_need_a_merchant(client):
    person = headers_for("person", subject="v1", roles=("ops",))
    for method, path in [("get", "/api/v1/merchant/goods"), ("post", "/api/v1/merchant/goods"),
                         ("get", "/api/v1/merchant/redemptions"), ("post", "/api/v1/merchant/redemptions"),
                         ("post", "/api/v1/merchant/redemptions/x/refund")]:
        assert getattr(client, method)(path, json={}).status_code == 401
        assert getattr(client, method)(path, json={}, headers=person).status_code == 403
    no_merchant_id = headers_for("merchant", subject="mk_x")
    assert client.get("/api/v1/merchant/goods", headers=no_merchant_id).status_code == 403
