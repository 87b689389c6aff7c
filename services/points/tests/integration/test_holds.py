"""Two-phase redemptions: hold (pending) → capture (posted) | void (voided), by hand or by expiry."""
import uuid
from types import SimpleNamespace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from shanxing_common.testing import headers_for, outbox_events, run_together
from shanxing_points.adapters import ledger
from shanxing_points.adapters.holds import HOLDS_ACCOUNT_ID
from shanxing_points.adapters.models import accounts, transfers
from shanxing_points.service.holds import void_expired


@pytest.fixture
def shop(world):
    """A volunteer with 100 points; a merchant with rice (30 points, 5 in stock)."""
    volunteer_id = world.volunteer("张*明")
    world.confirm(volunteer_id, "10.00")
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=30, stock=5, name="大米")
    return volunteer_id, merchant


def _hold(world, merchant, volunteer_id, quantity=2, key=None, code=None):
    headers = dict(merchant.headers, **{"Idempotency-Key": key or str(uuid.uuid4())})
    return world.client.post("/api/v1/merchant/redemptions", headers=headers, json={
        "code": code or world.code(volunteer_id), "items": [{"sku": "rice", "quantity": quantity}],
        "hold": True})


def _act(world, merchant, hold_id, action, client=None):
    return (client or world.client).post(f"/api/v1/merchant/redemptions/{hold_id}/{action}",
                                         headers=merchant.headers)


def _books(app):
    with app.extensions["shanxing"].db.read() as s:
        report = ledger.books_report(s)
    assert ledger.books_balanced(report), report
    return report


def _transfer(app, transfer_id):
    with app.extensions["shanxing"].db.read() as s:
        return s.execute(select(transfers.c.amount, transfers.c.status, transfers.c.kind)
                         .where(transfers.c.id == transfer_id)).first()


def test_a_hold_reserves_points_and_stock_without_paying_the_merchant(app, world, shop):
    volunteer_id, merchant = shop
    resp = _hold(world, merchant, volunteer_id)
    assert resp.status_code == 201, resp.json
    hold = resp.json
    assert hold["status"] == "pending" and hold["points"] == 60
    assert hold["volunteer"] == {"display_name": "张*明"} and volunteer_id not in resp.get_data(as_text=True)
    expires = datetime.fromisoformat(hold["hold_expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(timezone.utc) <= timedelta(minutes=15)
    assert world.points(volunteer_id) == {"balance": 40, "earned": 100, "redeemed": 60, "debt": 0}
    assert world.good_stock(merchant, "rice") == 3
    assert tuple(_transfer(app, f"hold:{hold['id']}")) == (60, "pending", "hold")
    assert outbox_events(app, "points.redeemed.v1") == []
    # the merchant's list of redemptions has only completed ones; its holds list has this one
    assert world.client.get("/api/v1/merchant/redemptions", headers=merchant.headers).json["items"] == []
    pending = world.client.get("/api/v1/merchant/redemption-holds", headers=merchant.headers).json
    assert [h["id"] for h in pending["items"]] == [hold["id"]]
    mine = world.client.get("/api/v1/points/me/holds", headers=world.person(volunteer_id)).json
    assert [(h["id"], h["merchant_name"], h["points"]) for h in mine["items"]] == [(hold["id"], "爱心超市", 60)]
    entry = world.client.get("/api/v1/points/me/entries", headers=world.person(volunteer_id)).json["items"][0]
    assert (entry["kind"], entry["points"], entry["transfer_id"]) == ("hold", -60, f"hold:{hold['id']}")
    _books(app)


def test_capture_posts_the_hold_once_as_a_redemption(app, world, shop):
    volunteer_id, merchant = shop
    hold = _hold(world, merchant, volunteer_id).json
    first = _act(world, merchant, hold["id"], "capture")
    assert first.status_code == 200, first.json
    assert first.json["id"] == hold["id"] and first.json["status"] == "completed"
    again = _act(world, merchant, hold["id"], "capture")
    assert again.status_code == 200 and again.json == first.json
    assert tuple(_transfer(app, f"hold:{hold['id']}"))[:2] == (60, "posted")
    assert _transfer(app, f"redeem:{hold['id']}").amount == 60
    [event] = outbox_events(app, "points.redeemed.v1")
    assert event["data"]["redemption_id"] == hold["id"] and event["data"]["points"] == 60
    assert world.points(volunteer_id) == {"balance": 40, "earned": 100, "redeemed": 60, "debt": 0}
    listed = world.client.get("/api/v1/merchant/redemptions", headers=merchant.headers).json["items"]
    assert [r["id"] for r in listed] == [hold["id"]]
    assert world.client.get("/api/v1/points/me/holds", headers=world.person(volunteer_id)).json["items"] == []
    # from now on it is a redemption like any other: refundable, not voidable
    void = _act(world, merchant, hold["id"], "void")
    assert void.status_code == 409 and "status" in void.json["errors"]
    refund = world.client.post(f"/api/v1/merchant/redemptions/{hold['id']}/refund", headers=merchant.headers)
    assert refund.status_code == 200 and refund.json["status"] == "refunded"
    assert world.points(volunteer_id)["balance"] == 100 and world.good_stock(merchant, "rice") == 5
    _books(app)


def test_void_gives_points_and_stock_back_once(app, world, shop):
    volunteer_id, merchant = shop
    hold = _hold(world, merchant, volunteer_id).json
    first = _act(world, merchant, hold["id"], "void")
    assert first.status_code == 200 and first.json["status"] == "voided"
    assert _act(world, merchant, hold["id"], "void").json == first.json
    assert world.points(volunteer_id) == {"balance": 100, "earned": 100, "redeemed": 0, "debt": 0}
    assert world.good_stock(merchant, "rice") == 5
    assert tuple(_transfer(app, f"hold:{hold['id']}"))[:2] == (60, "voided")
    assert tuple(_transfer(app, f"release:{hold['id']}")) == (60, None, "release")
    capture = _act(world, merchant, hold["id"], "capture")
    assert capture.status_code == 409 and "status" in capture.json["errors"]
    assert outbox_events(app, "points.redeemed.v1") == []
    _books(app)


def test_an_expired_hold_cannot_be_captured_and_the_job_voids_it(app, world, shop):
    volunteer_id, merchant = shop
    hold = _hold(world, merchant, volunteer_id).json
    db = app.extensions["shanxing"].db
    later = datetime.fromisoformat(hold["hold_expires_at"]) + timedelta(seconds=1)
    assert void_expired(db, later - timedelta(seconds=2)) == 0  # not due yet
    with db.transaction() as s:  # the hold's time is up (the job has not run yet)
        from shanxing_points.adapters.models import redemption_holds

        s.execute(update(redemption_holds).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    late = _act(world, merchant, hold["id"], "capture")
    assert late.status_code == 409 and "expired" in late.json["detail"]
    assert void_expired(db) == 1
    assert void_expired(db) == 0
    listed = world.client.get("/api/v1/merchant/redemption-holds", headers=merchant.headers).json["items"]
    assert listed == []
    assert world.points(volunteer_id)["balance"] == 100 and world.good_stock(merchant, "rice") == 5
    void = _act(world, merchant, hold["id"], "void")
    assert void.status_code == 200 and void.json["status"] == "voided"
    _books(app)


def test_capture_and_void_racing_resolve_the_hold_exactly_once(app, world, shop):
    volunteer_id, merchant = shop
    hold = _hold(world, merchant, volunteer_id).json
    actions = ["capture", "void"] * 3
    results = run_together(len(actions), lambda i: _act(world, merchant, hold["id"], actions[i],
                                                        client=app.test_client()))
    finals = {r.json.get("status") for r in results if r.status_code == 200}
    assert len(finals) == 1, [(r.status_code, r.json) for r in results]
    final = finals.pop()
    losers = {actions[i] for i, r in enumerate(results) if r.status_code == 409}
    assert losers == ({"void"} if final == "completed" else {"capture"})
    expected_balance = 40 if final == "completed" else 100
    assert world.points(volunteer_id)["balance"] == expected_balance
    assert len(outbox_events(app, "points.redeemed.v1")) == (1 if final == "completed" else 0)
    _books(app)


def test_another_merchant_can_neither_see_nor_resolve_a_hold(world, shop):
    volunteer_id, merchant = shop
    hold = _hold(world, merchant, volunteer_id).json
    other = world.merchant("别家超市")
    for action in ("capture", "void"):
        assert _act(world, other, hold["id"], action).status_code == 404
    assert world.client.get("/api/v1/merchant/redemption-holds", headers=other.headers).json["items"] == []
    assert world.points(volunteer_id)["balance"] == 40


def test_the_idempotency_key_covers_the_hold_flag(world, shop):
    volunteer_id, merchant = shop
    code = world.code(volunteer_id)
    first = _hold(world, merchant, volunteer_id, key="till-7", code=code)
    replay = _hold(world, merchant, volunteer_id, key="till-7", code=code)
    assert replay.status_code == 201 and replay.json == first.json
    assert replay.headers.get("Idempotent-Replayed") == "true"
    one_step = world.redeem(merchant, code, [{"sku": "rice", "quantity": 2}], key="till-7")
    assert one_step.status_code == 409 and "Idempotency-Key" in one_step.json["errors"]
    assert world.points(volunteer_id)["balance"] == 40


def test_a_hold_needs_the_points_and_counts_against_a_daily_limit(world, shop):
    volunteer_id, merchant = shop
    poor = _hold(world, merchant, volunteer_id, quantity=4)  # 120 points > 100
    assert poor.status_code == 409
    world.client.patch("/api/v1/merchant/goods/rice", headers=merchant.headers,
                       json={"daily_limit_per_volunteer": 2})
    assert _hold(world, merchant, volunteer_id, quantity=2).status_code == 201
    beyond = world.redeem(merchant, world.code(volunteer_id), [{"sku": "rice", "quantity": 1}])
    assert beyond.status_code == 409 and "items" in beyond.json["errors"]


def test_reconciliation_finds_a_holds_account_out_of_step(app, world, shop):
    volunteer_id, merchant = shop
    hold = _hold(world, merchant, volunteer_id).json
    db = app.extensions["shanxing"].db
    with db.transaction() as s:  # someone "fixes" a transfer's status by hand
        s.execute(update(transfers).where(transfers.c.id == f"hold:{hold['id']}").values(status="posted"))
    with db.read() as s:
        report = ledger.books_report(s)
    assert not ledger.books_balanced(report)
    assert report["holds_account_not_matching_pending"] == [{"balance": 60, "pending": 0}]
    assert report["holds_not_moved_as_their_status"] == [{"hold_id": hold["id"], "status": "pending", "points": 60}]
    with db.read() as s:
        assert s.execute(select(accounts.c.balance).where(accounts.c.id == HOLDS_ACCOUNT_ID)).scalar() == 60


def test_a_cashier_holds_at_their_store_and_captures_and_is_recorded(world, shop):
    volunteer_id, merchant = shop
    store = world.client.post(f"/api/v1/merchants/{merchant.id}/stores", json={"name": "一号店", "address": "x"},
                              headers=world.ops).json["id"]
    staff = world.client.post("/api/v1/merchant/staff", headers=merchant.headers, json={
        "store_id": store, "login": "xiaoli", "password": "till-pass-123", "role": "cashier"}).json
    cashier = SimpleNamespace(headers=headers_for("merchant", subject=f"staff:{staff['id']}",
                                                  roles=("merchant_staff", "cashier"), merchant_id=merchant.id))
    hold = _hold(world, cashier, volunteer_id).json
    assert hold["status"] == "pending" and hold["store_id"] == store
    captured = _act(world, cashier, hold["id"], "capture").json
    assert captured["made_by"] == f"staff:{staff['id']}" and captured["store_id"] == store
