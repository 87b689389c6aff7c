"""POST /merchant/redemptions/{id}/refund with items: partial refunds, each once, never too many."""
import threading

import pytest
from sqlalchemy import select

from shanxing_common.testing import outbox_events
from shanxing_points.adapters import ledger
from shanxing_points.adapters.models import refunds


@pytest.fixture
def sale(world):
    """A volunteer (100 points) who redeemed 3 rice (30 each) and 1 oil (10): 100 → 0."""
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "10.00")
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=30, stock=5)
    world.good(merchant, sku="oil", points=10, stock=5)
    resp = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 3},
                                                             {"sku": "oil", "quantity": 1}])
    assert resp.status_code == 201
    return volunteer_id, merchant, resp.json["id"]


def _refund(world, merchant, redemption_id, items=None, key=None, client=None):
    headers = dict(merchant.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    body = None if items is None else {"items": items}
    return (client or world.client).post(f"/api/v1/merchant/redemptions/{redemption_id}/refund",
                                         headers=headers, json=body)


def test_partial_refunds_until_everything_is_back(app, world, sale):
    volunteer_id, merchant, redemption_id = sale
    first = _refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 1}])
    assert first.status_code == 200, first.json
    assert first.json["status"] == "partially_refunded" and first.json["refunded_points"] == 30
    assert first.json["refund"]["points"] == 30
    assert first.json["refund"]["items"] == [{"sku": "rice", "quantity": 1, "points": 30}]
    assert "refunded_at" not in first.json
    assert world.points(volunteer_id) == {"balance": 30, "earned": 100, "redeemed": 70, "debt": 0}
    assert world.good_stock(merchant, "rice") == 3
    too_many = _refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 3}])
    assert too_many.status_code == 409 and "rice" in too_many.json["detail"] and "items" in too_many.json["errors"]
    second = _refund(world, merchant, redemption_id, [{"sku": "oil", "quantity": 1}, {"sku": "rice", "quantity": 1}])
    assert second.json["status"] == "partially_refunded" and second.json["refunded_points"] == 70
    rest = _refund(world, merchant, redemption_id)  # no body: everything left
    assert rest.status_code == 200
    assert rest.json["status"] == "refunded" and rest.json["refunded_at"]
    assert rest.json["refund"]["items"] == [{"sku": "rice", "quantity": 1, "points": 30}]
    assert [i["refunded_quantity"] for i in rest.json["items"]] == [1, 3]
    assert world.points(volunteer_id) == {"balance": 100, "earned": 100, "redeemed": 0, "debt": 0}
    assert world.good_stock(merchant, "rice") == 5 and world.good_stock(merchant, "oil") == 5
    assert _refund(world, merchant, redemption_id).status_code == 409
    assert _refund(world, merchant, redemption_id, [{"sku": "oil", "quantity": 1}]).status_code == 409
    events = outbox_events(app, "points.refunded.v1")
    assert [e["data"]["points"] for e in events] == [30, 40, 30]
    assert len({e["data"]["refund_id"] for e in events}) == 3
    with app.extensions["shanxing"].db.read() as s:
        assert ledger.books_balanced(ledger.books_report(s))
        ids = s.execute(select(refunds.c.id).where(refunds.c.redemption_id == redemption_id)).scalars().all()
    assert sorted(ids) == sorted(e["data"]["refund_id"] for e in events)


def test_the_redemption_list_shows_partial_refunds(world, sale):
    _, merchant, redemption_id = sale
    _refund(world, merchant, redemption_id, [{"sku": "oil", "quantity": 1}])
    listed = world.client.get("/api/v1/merchant/redemptions", headers=merchant.headers).json["items"][0]
    assert listed["status"] == "partially_refunded" and listed["refunded_points"] == 10


def test_a_bad_refund_names_the_field_and_moves_nothing(world, sale):
    volunteer_id, merchant, redemption_id = sale
    for body, field in [
        ({"items": []}, "items"),
        ({"items": [{"sku": "rice", "quantity": 0}]}, "items"),
        ({"items": [{"sku": "rice"}]}, "items"),
        ({"items": [{"sku": "rice", "quantity": 1}, {"sku": "rice", "quantity": 1}]}, "items"),
        ({"items": [{"sku": "soap", "quantity": 1}]}, "items"),
        ({"items": "rice"}, "items"),
    ]:
        resp = world.client.post(f"/api/v1/merchant/redemptions/{redemption_id}/refund", json=body,
                                 headers=merchant.headers)
        assert resp.status_code == 400, (body, resp.json)
        assert any(name.startswith(field) for name in resp.json["errors"]), (body, resp.json)
    assert world.points(volunteer_id)["balance"] == 0 and world.good_stock(merchant, "rice") == 2


def test_an_idempotency_key_makes_a_retry_refund_once(world, sale):
    volunteer_id, merchant, redemption_id = sale
    first = _refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 1}], key="r-1")
    retry = _refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 1}], key="r-1")
    assert retry.status_code == 200 and retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.json["refund"] == first.json["refund"]
    assert world.points(volunteer_id)["balance"] == 30
    other_body = _refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 2}], key="r-1")
    assert other_body.status_code == 409 and "Idempotency-Key" in other_body.json["errors"]
    empty = _refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 1}], key="")
    assert empty.status_code == 400 and "Idempotency-Key" in empty.json["errors"]
    assert world.points(volunteer_id)["balance"] == 30


def test_concurrent_partial_refunds_never_refund_more_than_was_redeemed(app, world, sale):
    volunteer_id, merchant, redemption_id = sale
    barrier = threading.Barrier(4)
    statuses = []

    def run():
        client = app.test_client()
        barrier.wait()
        statuses.append(_refund(world, merchant, redemption_id, [{"sku": "rice", "quantity": 2}],
                                client=client).status_code)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert world.points(volunteer_id)["balance"] == 60 and world.good_stock(merchant, "rice") == 4
    with app.extensions["shanxing"].db.read() as s:
        assert ledger.books_balanced(ledger.books_report(s))


def test_concurrent_codes_respect_the_daily_limit(app, world):
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "10.00")
    merchant = world.merchant()
    world.good(merchant, sku="eggs", points=5, stock=20)
    world.client.patch("/api/v1/merchant/goods/eggs", json={"daily_limit_per_volunteer": 2},
                       headers=merchant.headers)
    codes = [world.code(volunteer_id) for _ in range(4)]
    barrier = threading.Barrier(4)
    statuses = []

    def run(code):
        client = app.test_client()
        barrier.wait()
        statuses.append(world.redeem(merchant, code, [{"sku": "eggs", "quantity": 1}], client=client).status_code)

    threads = [threading.Thread(target=run, args=(c,)) for c in codes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 201, 409, 409]
    assert world.good_stock(merchant, "eggs") == 18


def test_an_empty_or_empty_object_body_refunds_everything(world):
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "5.00")
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=10, stock=5)
    first, second = (world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 2}]).json["id"]
                     for _ in range(2))
    empty = world.client.post(f"/api/v1/merchant/redemptions/{first}/refund", data=b"",
                              headers=dict(merchant.headers, **{"Content-Type": "application/json"}))
    assert empty.status_code == 200 and empty.json["status"] == "refunded"
    braces = world.client.post(f"/api/v1/merchant/redemptions/{second}/refund", json={}, headers=merchant.headers)
    assert braces.status_code == 200 and braces.json["status"] == "refunded"
    assert world.points(volunteer_id)["balance"] == 50 and world.good_stock(merchant, "rice") == 5
