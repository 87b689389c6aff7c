"""Merchant staff: accounts (the merchant's key or ops), sign-in checks, roles on the merchant routes,
deactivation, and who made each redemption and refund."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from shanxing_common.testing import headers_for
from shanxing_points.adapters.sql import utcnow
from shanxing_common.login_throttle import ThrottlePolicy
from shanxing_points.service import staff as staff_service

PASSWORD = "till-pass-123"


def _store(world, merchant, name="一号店"):
    resp = world.client.post(f"/api/v1/merchants/{merchant.id}/stores", json={"name": name, "address": "幸福路 1 号"},
                             headers=world.ops)
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def _staff(world, merchant, store_id, login="xiaoli", role="cashier", password=PASSWORD, name="小李"):
    resp = world.client.post("/api/v1/merchant/staff", headers=merchant.headers,
                             json={"store_id": store_id, "login": login, "password": password, "role": role,
                                   "name": name})
    assert resp.status_code == 201, resp.json
    return resp.json


def _as_staff(merchant, staff, role=None, credentials_version=None):
    """The internal token the gateway mints for a staff token."""
    return headers_for("merchant", subject=f"staff:{staff['id']}", roles=("merchant_staff", role or staff["role"]),
                       merchant_id=merchant.id, credentials_version=credentials_version)


def _verify(world, merchant_id, login, password=PASSWORD):
    return world.client.post("/internal/merchant-staff/verify", headers=world.gateway,
                             json={"merchant_id": merchant_id, "login": login, "password": password})


@pytest.fixture
def shop(world):
    merchant = world.merchant()
    store_id = _store(world, merchant)
    world.good(merchant, sku="rice", points=30, stock=10)
    return merchant, store_id


def test_a_merchant_creates_lists_and_deactivates_staff_of_its_stores(world, shop):
    merchant, store_id = shop
    created = _staff(world, merchant, store_id, login="XiaoLi")
    assert created["login"] == "xiaoli" and created["role"] == "cashier" and created["status"] == "active"
    assert created["store_id"] == store_id and created["name"] == "小李"
    assert "password" not in created and "password_hash" not in created
    listing = world.client.get("/api/v1/merchant/staff", headers=merchant.headers).json
    assert [s["login"] for s in listing["items"]] == ["xiaoli"]
    path = f"/api/v1/merchant/staff/{created['id']}/deactivate"
    resp = world.client.post(path, headers=merchant.headers)
    assert resp.status_code == 200 and resp.json["status"] == "inactive" and resp.json["deactivated_at"]
    again = world.client.post(path, headers=merchant.headers)
    assert again.status_code == 409 and "status" in again.json["errors"]
    assert world.client.post("/api/v1/merchant/staff/nope/deactivate", headers=merchant.headers).status_code == 404
    # another merchant can neither see nor deactivate them
    other = world.merchant("另一家")
    assert world.client.get("/api/v1/merchant/staff", headers=other.headers).json["items"] == []
    assert world.client.post(path, headers=other.headers).status_code == 404


def test_bad_staff_requests_name_the_field(world, shop):
    merchant, store_id = shop
    _staff(world, merchant, store_id, login="xiaoli")
    other_store = _store(world, world.merchant("另一家"))
    cases = [
        ({"login": "XIAOLI"}, 409, "login"),  # logins are case-insensitive
        ({"store_id": other_store}, 404, "store_id"),
        ({"store_id": "nope"}, 404, "store_id"),
        ({"role": "owner"}, 400, "role"),
        ({"password": "short"}, 400, "password"),
        ({"login": "li"}, 400, "login"),
        ({"login": "小李"}, 400, "login"),
        ({"login": "-li-"}, 400, "login"),
    ]
    for change, status, field in cases:
        body = {"store_id": store_id, "login": "xiaowang", "password": PASSWORD, "role": "cashier"} | change
        resp = world.client.post("/api/v1/merchant/staff", headers=merchant.headers, json=body)
        assert resp.status_code == status, (change, resp.json)
        assert resp.content_type == "application/problem+json"
        assert field in resp.json["errors"], (change, resp.json)


def test_ops_manage_staff_of_any_merchant(world, shop):
    merchant, store_id = shop
    path = f"/api/v1/merchants/{merchant.id}/staff"
    body = {"store_id": store_id, "login": "manager1", "password": PASSWORD, "role": "manager"}
    person = headers_for("person", subject="someone")
    assert world.client.post(path, json=body, headers=person).status_code == 403
    resp = world.client.post(path, json=body, headers=world.ops)
    assert resp.status_code == 201 and resp.json["role"] == "manager"
    assert [s["login"] for s in world.client.get(path, headers=world.ops).json["items"]] == ["manager1"]
    assert world.client.post(f"{path}/{resp.json['id']}/deactivate", headers=world.ops).json["status"] == "inactive"
    assert world.client.post("/api/v1/merchants/nope/staff", json=body, headers=world.ops).status_code == 404


def test_the_gateway_checks_a_staff_password(world, shop):
    merchant, store_id = shop
    created = _staff(world, merchant, store_id, login="xiaoli", role="manager")
    resp = _verify(world, merchant.id, " XiaoLi ")
    assert resp.status_code == 200, resp.json
    assert resp.json == {"staff_id": created["id"], "merchant_id": merchant.id, "store_id": store_id,
                         "role": "manager", "login": "xiaoli", "name": "小李", "credentials_version": 0}
    for merchant_id, login, password in [(merchant.id, "xiaoli", "wrong-password"), (merchant.id, "nobody", PASSWORD),
                                         ("no-such-merchant", "xiaoli", PASSWORD)]:
        failed = _verify(world, merchant_id, login, password)
        assert failed.status_code == 401 and failed.content_type == "application/problem+json"
    # only a service may ask
    assert world.client.post("/internal/merchant-staff/verify", headers=merchant.headers, json={
        "merchant_id": merchant.id, "login": "xiaoli", "password": PASSWORD}).status_code == 403
    bad = world.client.post("/internal/merchant-staff/verify", headers=world.gateway, json={"login": "x"})
    assert bad.status_code == 400 and {"merchant_id", "password"} <= set(bad.json["errors"])
    listed = world.client.get("/api/v1/merchant/staff", headers=merchant.headers).json["items"][0]
    assert listed["last_login_at"] is not None


def test_a_password_reset_ends_earlier_sign_ins_and_role_name_and_store_can_change(world, shop, monkeypatch):
    monkeypatch.setenv("SHANXING_STAFF_LOGIN_MAX_FAILURES", "2")
    merchant, store_id = shop
    created = _staff(world, merchant, store_id, login="xiaoli")
    path = f"/api/v1/merchant/staff/{created['id']}"
    signed_in = _as_staff(merchant, created, credentials_version=0)
    assert world.client.get("/api/v1/merchant/goods", headers=signed_in).status_code == 200
    assert [_verify(world, merchant.id, "xiaoli", "forgotten-1").status_code for _ in range(2)] == [401, 401]
    assert _verify(world, merchant.id, "xiaoli").status_code == 429  # throttled: the reset clears it

    resp = world.client.patch(path, headers=merchant.headers, json={"password": "new-till-pass-9"})
    assert resp.status_code == 200, resp.json
    assert "password" not in resp.json and "credentials_version" not in resp.json
    refused = world.client.get("/api/v1/merchant/goods", headers=signed_in)  # the old sign-in ends
    assert refused.status_code == 401 and "sign in again" in refused.json["detail"]
    assert _verify(world, merchant.id, "xiaoli").status_code == 401  # the old password
    again = _verify(world, merchant.id, "xiaoli", "new-till-pass-9")
    assert again.status_code == 200 and again.json["credentials_version"] == 1
    assert world.client.get("/api/v1/merchant/goods",
                            headers=_as_staff(merchant, created, credentials_version=1)).status_code == 200

    second_store = _store(world, merchant, "二号店")
    changed = world.client.patch(path, headers=merchant.headers,
                                 json={"role": "manager", "name": None, "store_id": second_store}).json
    assert (changed["role"], changed["name"], changed["store_id"]) == ("manager", None, second_store)
    # the role and the store apply at the next request of the same sign-in
    manager = _as_staff(merchant, created, role="cashier", credentials_version=1)
    resp = world.client.patch("/api/v1/merchant/goods/rice", headers=manager, json={"stock_delta": 1})
    assert resp.status_code == 200, resp.json
    # ops may do the same for any merchant
    ops_path = f"/api/v1/merchants/{merchant.id}/staff/{created['id']}"
    assert world.client.patch(ops_path, headers=world.ops, json={"role": "cashier"}).json["role"] == "cashier"
    assert world.client.patch(ops_path, headers=headers_for("person", subject="someone"),
                              json={"role": "cashier"}).status_code == 403


def test_bad_staff_changes_name_the_field_and_change_nothing(world, shop):
    merchant, store_id = shop
    created = _staff(world, merchant, store_id, login="xiaoli")
    path = f"/api/v1/merchant/staff/{created['id']}"
    other = world.merchant("另一家")
    cases = [
        ({}, merchant.headers, path, 400, "body"),
        ({"password": "short"}, merchant.headers, path, 400, "password"),
        ({"role": "owner"}, merchant.headers, path, 400, "role"),
        ({"name": ""}, merchant.headers, path, 400, "name"),
        ({"store_id": _store(world, other)}, merchant.headers, path, 404, "store_id"),
        ({"role": "manager"}, other.headers, path, 404, None),  # another merchant's staff
        ({"role": "manager"}, merchant.headers, "/api/v1/merchant/staff/nope", 404, None),
    ]
    for body, headers, target, status, field in cases:
        resp = world.client.patch(target, headers=headers, json=body)
        assert resp.status_code == status, (body, resp.json)
        assert resp.content_type == "application/problem+json"
        if field:
            assert field in resp.json["errors"], (body, resp.json)
    # staff cannot manage staff, not even themselves
    as_staff = _as_staff(merchant, created)
    assert world.client.patch(path, headers=as_staff, json={"role": "manager"}).status_code == 403
    world.client.post(f"{path}/deactivate", headers=merchant.headers)
    inactive = world.client.patch(path, headers=merchant.headers, json={"password": "new-till-pass-9"})
    assert inactive.status_code == 409 and "status" in inactive.json["errors"]
    listed = world.client.get("/api/v1/merchant/staff", headers=merchant.headers).json["items"][0]
    assert (listed["role"], listed["name"], listed["store_id"]) == ("cashier", "小李", store_id)
    assert _verify(world, merchant.id, "xiaoli", "new-till-pass-9").status_code == 401


def test_failed_sign_ins_are_throttled_per_account(world, shop, monkeypatch):
    monkeypatch.setenv("SHANXING_STAFF_LOGIN_MAX_FAILURES", "3")
    merchant, store_id = shop
    _staff(world, merchant, store_id, login="xiaoli")
    _staff(world, merchant, store_id, login="xiaowang")
    assert [_verify(world, merchant.id, "xiaoli", "wrong-pass").status_code for _ in range(3)] == [401] * 3
    locked = _verify(world, merchant.id, "xiaoli")  # even the right password, without a check
    assert locked.status_code == 429 and 1 <= int(locked.headers["Retry-After"]) <= 900
    assert _verify(world, merchant.id, "xiaowang").status_code == 200  # per account
    # once the window has passed, the right password works and clears the count
    db = world.app.extensions["shanxing"].db
    later = utcnow() + timedelta(seconds=901)
    signed_in = staff_service.verify_credentials(db, ThrottlePolicy(3, 900), merchant_id=merchant.id,
                                                 login="xiaoli", password=PASSWORD, now=later)
    assert signed_in["login"] == "xiaoli"
    assert _verify(world, merchant.id, "xiaoli", "wrong-pass").status_code == 401


def test_an_inactive_account_or_a_suspended_merchant_cannot_sign_in(world, shop):
    merchant, store_id = shop
    created = _staff(world, merchant, store_id, login="xiaoli")
    assert world.client.post(f"/api/v1/merchants/{merchant.id}/suspend", headers=world.ops).status_code == 200
    assert _verify(world, merchant.id, "xiaoli").status_code == 401
    assert world.client.get("/api/v1/merchant/goods", headers=_as_staff(merchant, created)).status_code == 403
    assert world.client.post(f"/api/v1/merchants/{merchant.id}/resume", headers=world.ops).status_code == 200
    assert _verify(world, merchant.id, "xiaoli").status_code == 200
    world.client.post(f"/api/v1/merchant/staff/{created['id']}/deactivate", headers=merchant.headers)
    assert _verify(world, merchant.id, "xiaoli").status_code == 401


def test_a_cashier_lists_goods_redeems_and_lists_but_may_not_refund_or_manage(world, shop):
    merchant, store_id = shop
    cashier = _as_staff(merchant, _staff(world, merchant, store_id, login="xiaoli"))
    cashier_id = world.client.get("/api/v1/merchant/staff", headers=merchant.headers).json["items"][0]["id"]
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "10.00")
    assert [g["sku"] for g in world.client.get("/api/v1/merchant/goods", headers=cashier).json["items"]] == ["rice"]
    assert world.client.get("/api/v1/merchant/stores", headers=cashier).status_code == 200
    resp = world.redeem(SimpleNamespace(headers=cashier), world.code(volunteer_id),
                        [{"sku": "rice", "quantity": 2}])
    assert resp.status_code == 201, resp.json
    redemption = resp.json
    assert redemption["made_by"] == f"staff:{cashier_id}" and redemption["store_id"] == store_id
    assert "volunteer_id" not in redemption and set(redemption["volunteer"]) == {"display_name"}
    listed = world.client.get("/api/v1/merchant/redemptions", headers=cashier).json["items"]
    assert [r["made_by"] for r in listed] == [f"staff:{cashier_id}"]
    refund = world.client.post(f"/api/v1/merchant/redemptions/{redemption['id']}/refund", headers=cashier)
    assert refund.status_code == 403 and refund.content_type == "application/problem+json"
    assert world.client.post("/api/v1/merchant/goods", headers=cashier, json={
        "sku": "oil", "name": "油", "points": 5, "stock": 1}).status_code == 403
    assert world.client.patch("/api/v1/merchant/goods/rice", headers=cashier, json={"stock": 99}).status_code == 403
    assert world.client.get("/api/v1/merchant/settlement", headers=cashier).status_code == 403
    assert world.client.get("/api/v1/merchant/staff", headers=cashier).status_code == 403
    assert world.client.post("/api/v1/merchant/staff", headers=cashier, json={
        "store_id": store_id, "login": "sneaky", "password": PASSWORD, "role": "manager"}).status_code == 403
    # a token that claims a higher role changes nothing: points reads the role from the account
    claims_manager = _as_staff(merchant, {"id": cashier_id, "role": "cashier"}, role="manager")
    assert world.client.post(f"/api/v1/merchant/redemptions/{redemption['id']}/refund",
                             headers=claims_manager).status_code == 403
    assert world.points(volunteer_id)["balance"] == 40 and world.good_stock(merchant, "rice") == 8


def test_a_manager_refunds_and_manages_goods_and_both_are_recorded(world, shop):
    merchant, store_id = shop
    created = _staff(world, merchant, store_id, login="boss", role="manager")
    manager = _as_staff(merchant, created)
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "10.00")
    key_redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}]).json
    assert key_redemption["made_by"] == f"key:{merchant.key_id}" and key_redemption["store_id"] is None
    refund = world.client.post(f"/api/v1/merchant/redemptions/{key_redemption['id']}/refund", headers=manager)
    assert refund.status_code == 200, refund.json
    assert refund.json["status"] == "refunded" and refund.json["refund"]["made_by"] == f"staff:{created['id']}"
    assert refund.json["made_by"] == f"key:{merchant.key_id}"  # the redemption's own maker stays
    assert world.client.patch("/api/v1/merchant/goods/rice", headers=manager,
                              json={"stock_delta": 5}).json["stock"] == 15
    assert world.client.post("/api/v1/merchant/goods", headers=manager, json={
        "sku": "oil", "name": "油", "points": 5, "stock": 1}).status_code == 201
    assert world.points(volunteer_id)["balance"] == 100


def test_staff_redeem_only_at_their_own_store(world, shop):
    merchant, store_id = shop
    second_store = _store(world, merchant, "二号店")
    cashier = _as_staff(merchant, _staff(world, merchant, store_id))
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "10.00")
    code = world.code(volunteer_id)
    resp = world.client.post("/api/v1/merchant/redemptions", headers=cashier | {"Idempotency-Key": "k1"},
                             json={"code": code, "items": [{"sku": "rice", "quantity": 1}], "store_id": second_store})
    assert resp.status_code == 403 and "store_id" in resp.json["errors"]
    resp = world.client.post("/api/v1/merchant/redemptions", headers=cashier | {"Idempotency-Key": "k1"},
                             json={"code": code, "items": [{"sku": "rice", "quantity": 1}], "store_id": store_id})
    assert resp.status_code == 201 and resp.json["store_id"] == store_id


def test_a_deactivated_account_stops_at_once_and_staff_of_one_merchant_never_reach_another(world, shop):
    merchant, store_id = shop
    created = _staff(world, merchant, store_id)
    cashier = _as_staff(merchant, created)
    assert world.client.get("/api/v1/merchant/goods", headers=cashier).status_code == 200
    other = world.merchant("另一家")
    crossed = headers_for("merchant", subject=f"staff:{created['id']}", roles=("merchant_staff", "cashier"),
                          merchant_id=other.id)
    assert world.client.get("/api/v1/merchant/goods", headers=crossed).status_code == 401
    world.client.post(f"/api/v1/merchant/staff/{created['id']}/deactivate", headers=merchant.headers)
    resp = world.client.get("/api/v1/merchant/goods", headers=cashier)
    assert resp.status_code == 401 and resp.content_type == "application/problem+json"
    unknown = headers_for("merchant", subject="staff:nope", roles=("merchant_staff", "manager"),
                          merchant_id=merchant.id)
    assert world.client.get("/api/v1/merchant/goods", headers=unknown).status_code == 401
