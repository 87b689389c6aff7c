"""Ops manage merchants: list, detail, stores, key rotation, suspension; merchants PATCH goods."""
from shanxing_common.testing import headers_for, run_together


def gateway_headers() -> dict:
    return headers_for("service", subject="gateway")


def _key_status(world, key_id):
    resp = world.client.get(f"/internal/merchant-keys/{key_id}", headers=gateway_headers())
    assert resp.status_code == 200
    return resp.json


def test_ops_list_and_read_merchants(world):
    first, second = world.merchant("第一家"), world.merchant("第二家")
    page = world.client.get("/api/v1/merchants?limit=1", headers=world.ops).json
    assert [m["id"] for m in page["items"]] == [first.id] and page["next"]
    rest = world.client.get(f"/api/v1/merchants?limit=1&cursor={page['next']}", headers=world.ops).json
    assert [m["id"] for m in rest["items"]] == [second.id] and rest["next"] is None
    detail = world.client.get(f"/api/v1/merchants/{first.id}", headers=world.ops).json
    assert detail["name"] == "第一家" and detail["status"] == "active" and detail["balance"] == 0
    assert [k["key_id"] for k in detail["keys"]] == [first.key_id]
    assert first.key_secret not in str(detail)
    assert world.client.get("/api/v1/merchants/nope", headers=world.ops).status_code == 404
    volunteer = world.person(world.volunteer())
    assert world.client.get("/api/v1/merchants", headers=volunteer).status_code == 403
    assert world.client.get(f"/api/v1/merchants/{first.id}", headers=first.headers).status_code == 403


def test_stores_are_added_and_listed(world):
    merchant = world.merchant()
    path = f"/api/v1/merchants/{merchant.id}/stores"
    for name in ("东门店", "西门店"):
        resp = world.client.post(path, json={"name": name, "address": f"{name} 1 号"}, headers=world.ops)
        assert resp.status_code == 201 and resp.json["merchant_id"] == merchant.id
    listed = world.client.get(path, headers=world.ops).json
    assert [s["name"] for s in listed["items"]] == ["东门店", "西门店"] and listed["next"] is None
    for body, field in [({"address": "x"}, "name"), ({"name": " ", "address": "x"}, "name"),
                        ({"name": "店", "address": ""}, "address")]:
        bad = world.client.post(path, json=body, headers=world.ops)
        assert bad.status_code == 400 and field in bad.json["errors"]
    assert world.client.post("/api/v1/merchants/nope/stores", json={"name": "a", "address": "b"},
                             headers=world.ops).status_code == 404
    assert world.client.get("/api/v1/merchants/nope/stores", headers=world.ops).status_code == 404


def test_keys_rotate_with_at_most_two_active(world):
    merchant = world.merchant()
    keys = f"/api/v1/merchants/{merchant.id}/keys"
    second = world.client.post(keys, headers=world.ops)
    assert second.status_code == 201 and second.json["key_secret"]
    assert _key_status(world, second.json["key_id"])["secret"] == second.json["key_secret"]
    third = world.client.post(keys, headers=world.ops)
    assert third.status_code == 409 and "keys" in third.json["errors"]
    revoke = world.client.post(f"{keys}/{merchant.key_id}/revoke", headers=world.ops)
    assert revoke.status_code == 200 and revoke.json["status"] == "revoked" and revoke.json["revoked_at"]
    assert _key_status(world, merchant.key_id)["status"] == "revoked"
    assert _key_status(world, second.json["key_id"])["status"] == "active"
    again = world.client.post(f"{keys}/{merchant.key_id}/revoke", headers=world.ops)
    assert again.status_code == 409
    assert world.client.post(keys, headers=world.ops).status_code == 201  # room again
    assert world.client.post(f"{keys}/mk_unknown/revoke", headers=world.ops).status_code == 404
    other = world.merchant("别家")
    assert world.client.post(f"/api/v1/merchants/{other.id}/keys/{second.json['key_id']}/revoke",
                             headers=world.ops).status_code == 404
    assert world.client.post("/api/v1/merchants/nope/keys", headers=world.ops).status_code == 404


def test_a_suspended_merchant_keys_do_not_verify_until_resumed(world):
    merchant = world.merchant()
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "5.00")
    world.good(merchant, sku="rice", points=10, stock=5)
    resp = world.client.post(f"/api/v1/merchants/{merchant.id}/suspend", headers=world.ops)
    assert resp.status_code == 200 and resp.json["status"] == "suspended"
    key = _key_status(world, merchant.key_id)
    assert key["status"] == "revoked" and key["merchant_status"] == "suspended" and key["key_status"] == "active"
    # defence in depth: a till that still reaches points cannot redeem
    denied = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}])
    assert denied.status_code == 403
    assert world.client.post(f"/api/v1/merchants/{merchant.id}/suspend", headers=world.ops).status_code == 409
    resumed = world.client.post(f"/api/v1/merchants/{merchant.id}/resume", headers=world.ops)
    assert resumed.status_code == 200 and resumed.json["status"] == "active"
    assert _key_status(world, merchant.key_id)["status"] == "active"
    assert world.client.post(f"/api/v1/merchants/{merchant.id}/resume", headers=world.ops).status_code == 409
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}]).status_code == 201
    assert world.client.post("/api/v1/merchants/nope/suspend", headers=world.ops).status_code == 404


def _patch(world, merchant, sku, body):
    return world.client.patch(f"/api/v1/merchant/goods/{sku}", json=body, headers=merchant.headers)


def test_a_merchant_patches_its_goods(world):
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=30, stock=5)
    resp = _patch(world, merchant, "rice", {"name": "新米", "points": 25, "stock_delta": 3})
    assert resp.status_code == 200, resp.json
    assert (resp.json["name"], resp.json["points"], resp.json["stock"]) == ("新米", 25, 8)
    assert resp.json["updated_at"]
    assert _patch(world, merchant, "rice", {"stock_delta": -8}).json["stock"] == 0
    too_many = _patch(world, merchant, "rice", {"stock_delta": -1})
    assert too_many.status_code == 409 and "stock_delta" in too_many.json["errors"]
    assert _patch(world, merchant, "rice", {"stock": 12}).json["stock"] == 12
    both = _patch(world, merchant, "rice", {"stock": 1, "stock_delta": 1})
    assert both.status_code == 400 and "stock_delta" in both.json["errors"]
    assert _patch(world, merchant, "nope", {"stock": 1}).status_code == 404
    other = world.merchant("别家")
    assert _patch(world, other, "rice", {"stock": 1}).status_code == 404
    assert world.good_stock(merchant, "rice") == 12


def test_a_bad_patch_names_the_field(world):
    merchant = world.merchant()
    world.good(merchant, sku="rice")
    for body, field in [({}, "body"), ({"points": 0}, "points"), ({"points": "5"}, "points"),
                        ({"name": ""}, "name"), ({"stock": -1}, "stock"), ({"active": "maybe"}, "active"),
                        ({"daily_limit_per_volunteer": 0}, "daily_limit_per_volunteer")]:
        resp = _patch(world, merchant, "rice", body)
        assert resp.status_code == 400 and field in resp.json["errors"], (body, resp.json)
    assert world.good_stock(merchant, "rice") == 10


def test_an_inactive_good_cannot_be_redeemed(world):
    merchant = world.merchant()
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "5.00")
    world.good(merchant, sku="rice", points=10, stock=5)
    assert _patch(world, merchant, "rice", {"active": False}).json["active"] is False
    resp = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}])
    assert resp.status_code == 409 and "rice" in resp.json["detail"] and "items" in resp.json["errors"]
    assert world.points(volunteer_id)["balance"] == 50 and world.good_stock(merchant, "rice") == 5


def test_the_daily_limit_per_volunteer_is_enforced_in_the_redemption(world):
    merchant = world.merchant()
    volunteer_id, other_id = world.volunteer(), world.volunteer("李*")
    world.confirm(volunteer_id, "10.00")
    world.confirm(other_id, "10.00")
    world.good(merchant, sku="eggs", points=5, stock=20)
    assert _patch(world, merchant, "eggs", {"daily_limit_per_volunteer": 3}).json["daily_limit_per_volunteer"] == 3
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "eggs", "quantity": 2}]).status_code == 201
    over = world.redeem(merchant, world.code(volunteer_id), [{"sku": "eggs", "quantity": 2}])
    assert over.status_code == 409 and "eggs" in over.json["detail"] and "items" in over.json["errors"]
    assert world.points(volunteer_id)["balance"] == 90 and world.good_stock(merchant, "eggs") == 18
    ok = world.redeem(merchant, world.code(volunteer_id), [{"sku": "eggs", "quantity": 1}])
    assert ok.status_code == 201
    assert world.redeem(merchant, world.code(other_id), [{"sku": "eggs", "quantity": 3}]).status_code == 201
    # a refunded unit no longer counts
    refund = world.client.post(f"/api/v1/merchant/redemptions/{ok.json['id']}/refund", headers=merchant.headers)
    assert refund.status_code == 200
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "eggs", "quantity": 1}]).status_code == 201
    assert _patch(world, merchant, "eggs", {"daily_limit_per_volunteer": None}).json["daily_limit_per_volunteer"] is None
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "eggs", "quantity": 5}]).status_code == 201


def test_concurrent_key_issuance_never_exceeds_two_active_keys(app, world):
    merchant = world.merchant()  # one active key already
    statuses = run_together(4, lambda i: app.test_client().post(f"/api/v1/merchants/{merchant.id}/keys",
                                                             headers=world.ops).status_code)
    assert sorted(statuses) == [201, 409, 409, 409]
    detail = world.client.get(f"/api/v1/merchants/{merchant.id}", headers=world.ops).json
    assert [k["status"] for k in detail["keys"]].count("active") == 2


def test_a_till_may_name_its_store(world):
    merchant, other = world.merchant(), world.merchant("别家")
    store = world.client.post(f"/api/v1/merchants/{merchant.id}/stores", json={"name": "东门店", "address": "x"},
                              headers=world.ops).json
    foreign = world.client.post(f"/api/v1/merchants/{other.id}/stores", json={"name": "别店", "address": "y"},
                                headers=world.ops).json
    own = world.client.get("/api/v1/merchant/stores", headers=merchant.headers).json
    assert [s["id"] for s in own["items"]] == [store["id"]]
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "5.00")
    world.good(merchant, sku="rice", points=10, stock=5)
    headers = dict(merchant.headers, **{"Idempotency-Key": "k-store"})
    body = {"code": world.code(volunteer_id), "items": [{"sku": "rice", "quantity": 1}], "store_id": store["id"]}
    resp = world.client.post("/api/v1/merchant/redemptions", json=body, headers=headers)
    assert resp.status_code == 201 and resp.json["store_id"] == store["id"]
    # the same key with another store is another request
    other_store = world.client.post("/api/v1/merchant/redemptions", json=dict(body, store_id="elsewhere"),
                                    headers=headers)
    assert other_store.status_code == 409
    wrong = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}])
    assert wrong.status_code == 201 and wrong.json["store_id"] is None
    resp = world.client.post("/api/v1/merchant/redemptions", headers=dict(merchant.headers, **{"Idempotency-Key": "k2"}),
                             json={"code": world.code(volunteer_id), "items": [{"sku": "rice", "quantity": 1}],
                                   "store_id": foreign["id"]})
    assert resp.status_code == 404 and "store_id" in resp.json["errors"]
    assert world.points(volunteer_id)["balance"] == 30
    report = world.client.get("/api/v1/merchant/settlement", headers=merchant.headers).json
    assert report["stores"] == [{"store_id": None, "count": 1, "points": 10},
                                {"store_id": store["id"], "count": 1, "points": 10}]
