"""POST /merchant/redemptions, GET /merchant/redemptions, POST .../refund."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from shanxing_common.testing import outbox_events, run_together
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import idempotency_keys, redemption_codes, transfers
from shanxing_points.domain.codes import code_hash


@pytest.fixture
def shop(world):
    """A volunteer with 100 points, a merchant with two goods and a fresh code."""
    volunteer_id = world.volunteer("张*明")
    world.confirm(volunteer_id, "10.00")
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=30, stock=5, name="大米")
    world.good(merchant, sku="oil", points=20, stock=1, name="油")
    return volunteer_id, merchant


def _count(app, table, *where):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(func.count()).select_from(table).where(*where)).scalar()


def test_a_redemption_moves_points_and_stock_and_shows_only_the_masked_name(app, world, shop):
    volunteer_id, merchant = shop
    resp = world.redeem(merchant, world.code(volunteer_id),
                        [{"sku": "rice", "quantity": 2}, {"sku": "oil", "quantity": 1}])
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["points"] == 80 and body["status"] == "completed"
    assert body["items"] == [
        {"sku": "oil", "name": "油", "quantity": 1, "unit_points": 20, "points": 20, "refunded_quantity": 0},
        {"sku": "rice", "name": "大米", "quantity": 2, "unit_points": 30, "points": 60, "refunded_quantity": 0}]
    assert body["refunded_points"] == 0
    assert body["volunteer"] == {"display_name": "张*明"}
    assert volunteer_id not in resp.get_data(as_text=True)
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert world.points(volunteer_id) == {"balance": 20, "earned": 100, "redeemed": 80, "debt": 0}
    assert world.good_stock(merchant, "rice") == 3 and world.good_stock(merchant, "oil") == 0
    [event] = outbox_events(app, "points.redeemed.v1")
    assert event["data"] == {"redemption_id": body["id"], "merchant_id": merchant.id,
                             "volunteer_id": volunteer_id, "points": 80,
                             "items": [{"sku": "oil", "quantity": 1, "points": 20},
                                       {"sku": "rice", "quantity": 2, "points": 60}]}
    entries = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json
    assert entries["items"][0] | {"id": None, "created_at": None} == {
        "id": None, "created_at": None, "kind": "redeem", "points": -80, "balance_after": 20,
        "transfer_id": f"redeem:{body['id']}", "rule_version": None,
        "organizer_factor": None}


def test_a_grouped_code_is_accepted(world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    grouped = f"{code[:4]} {code[4:8]}-{code[8:]}"
    assert world.redeem(merchant, grouped, [{"sku": "rice", "quantity": 1}]).status_code == 201


def test_the_idempotency_key_is_required(world, shop):
    volunteer_id, merchant = shop
    body = {"code": world.code(volunteer_id), "items": [{"sku": "rice", "quantity": 1}]}
    resp = world.client.post("/api/v1/merchant/redemptions", headers=merchant.headers, json=body)
    assert resp.status_code == 400 and "Idempotency-Key" in resp.json["errors"]
    headers = dict(merchant.headers, **{"Idempotency-Key": "k" * 256})
    resp = world.client.post("/api/v1/merchant/redemptions", headers=headers, json=body)
    assert resp.status_code == 400 and "Idempotency-Key" in resp.json["errors"]


def test_the_same_key_and_body_replays_the_first_answer_without_a_second_debit(app, world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    items = [{"sku": "rice", "quantity": 1}, {"sku": "oil", "quantity": 1}]
    first = world.redeem(merchant, code, items, key="till-1-0001")
    again = world.redeem(merchant, code, list(reversed(items)), key="till-1-0001")
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert world.points(volunteer_id)["balance"] == 50
    assert _count(app, transfers, transfers.c.kind == "redeem") == 1
    assert len(outbox_events(app, "points.redeemed.v1")) == 1


def test_the_same_key_with_another_body_is_409(world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    assert world.redeem(merchant, code, [{"sku": "rice", "quantity": 1}], key="k1").status_code == 201
    resp = world.redeem(merchant, code, [{"sku": "rice", "quantity": 2}], key="k1")
    assert resp.status_code == 409 and "Idempotency-Key" in resp.json["errors"]


def test_keys_are_per_merchant(world, shop):
    volunteer_id, merchant = shop
    other = world.merchant("第二家")
    world.good(other, sku="rice", points=10, stock=5)
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}], key="k").status_code == 201
    resp = world.redeem(other, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}], key="k")
    assert resp.status_code == 201 and resp.json["points"] == 10


@pytest.mark.parametrize("code", ["12345", "abcdefghijkl", "1234567890123", ""])
def test_a_malformed_code_is_400(world, shop, code):
    _, merchant = shop
    resp = world.redeem(merchant, code, [{"sku": "rice", "quantity": 1}])
    assert resp.status_code == 400 and "code" in resp.json["errors"]


def test_unknown_used_and_expired_codes_are_404_saying_which(app, world, shop):
    volunteer_id, merchant = shop
    items = [{"sku": "rice", "quantity": 1}]
    resp = world.redeem(merchant, "000000000000", items)
    assert resp.status_code == 404 and "unknown" in resp.json["detail"]
    code = world.code(volunteer_id)
    assert world.redeem(merchant, code, items).status_code == 201
    resp = world.redeem(merchant, code, items)
    assert resp.status_code == 404 and "already been used" in resp.json["detail"]
    expired = world.code(volunteer_id)
    with app.extensions["shanxing"].db.transaction() as s:
        s.execute(update(redemption_codes).where(redemption_codes.c.code_hash == code_hash(expired))
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    resp = world.redeem(merchant, expired, items)
    assert resp.status_code == 404 and "expired" in resp.json["detail"] and "code" in resp.json["errors"]


def _nothing_written(app, world, volunteer_id, merchant, code):
    assert world.points(volunteer_id) == {"balance": 100, "earned": 100, "redeemed": 0, "debt": 0}
    assert world.good_stock(merchant, "rice") == 5 and world.good_stock(merchant, "oil") == 1
    assert _count(app, idempotency_keys) == 0
    assert outbox_events(app, "points.redeemed.v1") == []
    # and the code is still good
    assert world.redeem(merchant, code, [{"sku": "rice", "quantity": 1}]).status_code == 201


def test_insufficient_stock_is_409_naming_the_sku_and_writes_nothing(app, world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    resp = world.redeem(merchant, code, [{"sku": "rice", "quantity": 1}, {"sku": "oil", "quantity": 2}])
    assert resp.status_code == 409 and "oil" in resp.json["detail"]
    _nothing_written(app, world, volunteer_id, merchant, code)


def test_insufficient_points_is_409_and_writes_nothing(app, world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    resp = world.redeem(merchant, code, [{"sku": "rice", "quantity": 4}])  # 120 > 100
    assert resp.status_code == 409 and "insufficient points" in resp.json["detail"]
    _nothing_written(app, world, volunteer_id, merchant, code)


def test_a_volunteer_without_an_account_has_no_points(world, shop):
    _, merchant = shop
    resp = world.redeem(merchant, world.code("never-registered"), [{"sku": "oil", "quantity": 1}])
    assert resp.status_code == 409


def test_an_unknown_sku_is_404_and_writes_nothing(app, world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    resp = world.redeem(merchant, code, [{"sku": "rice", "quantity": 1}, {"sku": "caviar", "quantity": 1}])
    assert resp.status_code == 404 and "caviar" in resp.json["detail"] and "items" in resp.json["errors"]
    _nothing_written(app, world, volunteer_id, merchant, code)


def test_another_merchants_goods_cannot_be_redeemed(world, shop):
    volunteer_id, merchant = shop
    other = world.merchant("第二家")
    world.good(other, sku="tea", points=1, stock=5)
    assert world.redeem(merchant, world.code(volunteer_id), [{"sku": "tea", "quantity": 1}]).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"items": [{"sku": "rice", "quantity": 1}]}, "code"),
    ({"code": 123456789012, "items": [{"sku": "rice", "quantity": 1}]}, "code"),
    ({"code": "123456789012"}, "items"),
    ({"code": "123456789012", "items": []}, "items"),
    ({"code": "123456789012", "items": [{"sku": f"s{i}", "quantity": 1} for i in range(51)]}, "items"),
    ({"code": "123456789012", "items": [{"sku": "rice", "quantity": 0}]}, "items.0.quantity"),
    ({"code": "123456789012", "items": [{"sku": "rice", "quantity": 1001}]}, "items.0.quantity"),
    ({"code": "123456789012", "items": [{"sku": "rice"}]}, "items.0.quantity"),
    ({"code": "123456789012", "items": [{"sku": "rice", "quantity": 1}, {"sku": "rice", "quantity": 1}]}, "items"),
])
def test_redemption_bodies_are_validated(world, shop, body, field):
    _, merchant = shop
    headers = dict(merchant.headers, **{"Idempotency-Key": str(uuid.uuid4())})
    resp = world.client.post("/api/v1/merchant/redemptions", headers=headers, json=body)
    assert resp.status_code == 400 and field in resp.json["errors"], resp.json


def test_a_merchant_lists_only_its_own_redemptions_newest_first(world, shop):
    volunteer_id, merchant = shop
    other = world.merchant("第二家")
    world.good(other, sku="tea", points=1, stock=5)
    ids = [world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}]).json["id"]
           for _ in range(3)]
    world.redeem(other, world.code(volunteer_id), [{"sku": "tea", "quantity": 1}])
    page = world.client.get("/api/v1/merchant/redemptions?limit=2", headers=merchant.headers).json
    rest = world.client.get(f"/api/v1/merchant/redemptions?limit=2&cursor={page['next']}",
                            headers=merchant.headers).json
    assert [r["id"] for r in page["items"] + rest["items"]] == list(reversed(ids))
    assert rest["next"] is None
    assert page["items"][0]["volunteer"] == {"display_name": "张*明"}
    assert volunteer_id not in str(page)
    bad = world.client.get("/api/v1/merchant/redemptions?cursor=WzFd", headers=merchant.headers)
    assert bad.status_code == 400 and "cursor" in bad.json["errors"]


def test_a_refund_returns_points_and_stock_exactly_once(app, world, shop):
    volunteer_id, merchant = shop
    redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 2}]).json
    path = f"/api/v1/merchant/redemptions/{redemption['id']}/refund"
    resp = world.client.post(path, headers=merchant.headers)
    assert resp.status_code == 200
    assert resp.json["status"] == "refunded" and resp.json["points"] == 60 and resp.json["refunded_at"]
    assert resp.json["items"] == [item | {"refunded_quantity": item["quantity"]} for item in redemption["items"]]
    assert resp.json["refund"]["points"] == 60 and resp.json["refunded_points"] == 60
    assert world.points(volunteer_id) == {"balance": 100, "earned": 100, "redeemed": 0, "debt": 0}
    assert world.good_stock(merchant, "rice") == 5
    again = world.client.post(path, headers=merchant.headers)
    assert again.status_code == 409
    assert world.points(volunteer_id)["balance"] == 100 and world.good_stock(merchant, "rice") == 5
    [event] = outbox_events(app, "points.refunded.v1")
    assert event["data"] == {"redemption_id": redemption["id"], "merchant_id": merchant.id,
                             "volunteer_id": volunteer_id, "points": 60,
                             "refund_id": resp.json["refund"]["id"],
                             "items": [{"sku": "rice", "quantity": 2, "points": 60}]}
    listed = world.client.get("/api/v1/merchant/redemptions", headers=merchant.headers).json
    assert listed["items"][0]["status"] == "refunded"


def test_a_merchant_cannot_refund_another_merchants_redemption(world, shop):
    volunteer_id, merchant = shop
    other = world.merchant("第二家")
    redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}]).json
    resp = world.client.post(f"/api/v1/merchant/redemptions/{redemption['id']}/refund", headers=other.headers)
    assert resp.status_code == 404
    assert world.client.post("/api/v1/merchant/redemptions/nope/refund", headers=merchant.headers).status_code == 404
    assert world.points(volunteer_id)["balance"] == 70


def test_one_code_redeemed_concurrently_succeeds_exactly_once(app, world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    statuses = run_together(6, lambda i: world.redeem(
        merchant, code, [{"sku": "rice", "quantity": 1}], client=app.test_client()).status_code)
    assert sorted(statuses) == [201, 404, 404, 404, 404, 404]
    assert world.points(volunteer_id)["balance"] == 70
    assert world.good_stock(merchant, "rice") == 4


def test_one_key_sent_concurrently_debits_once_and_all_get_the_same_answer(app, world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    responses = run_together(4, lambda i: world.redeem(
        merchant, code, [{"sku": "rice", "quantity": 1}], key="same-key", client=app.test_client()))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json["id"] for r in responses}) == 1
    assert world.points(volunteer_id)["balance"] == 70


def test_concurrent_codes_of_one_volunteer_never_overdraw(app, world, shop):
    volunteer_id, merchant = shop  # 100 points; each redemption costs 30
    codes = [world.code(volunteer_id) for _ in range(5)]
    statuses = run_together(5, lambda i: world.redeem(
        merchant, codes[i], [{"sku": "rice", "quantity": 1}], client=app.test_client()).status_code)
    assert sorted(statuses) == [201, 201, 201, 409, 409]
    assert world.points(volunteer_id)["balance"] == 10
    with app.extensions["shanxing"].db.read() as s:
        assert ledger.books_balanced(ledger.books_report(s))


def test_concurrent_refunds_refund_once(app, world, shop):
    volunteer_id, merchant = shop
    redemption = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}]).json
    path = f"/api/v1/merchant/redemptions/{redemption['id']}/refund"
    statuses = run_together(4, lambda i: app.test_client().post(path, headers=merchant.headers).status_code)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert world.points(volunteer_id)["balance"] == 100
