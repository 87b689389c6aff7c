"""PostgreSQL: a redemption's happy path as one server-side call (migration 0012, decision 0022)
gives exactly what the statement-by-statement path gives, and declines leave nothing behind."""
import json
import uuid

import pytest
from sqlalchemy import select

from shanxing_common.messaging import tables as messaging_tables
from shanxing_common.testing import outbox_events, run_together
from shanxing_points.adapters import redeem_call
from shanxing_points.adapters.models import accounts, goods, idempotency_keys, postings, redemption_items, redemptions, transfers

ONE_CALL_SWITCH = "SHANXING_POINTS_REDEEM_IN_DATABASE"


@pytest.fixture(autouse=True)
def postgres_only(app):
    if not app.extensions["shanxing"].db.is_postgres:
        pytest.skip("the one-call redemption is PostgreSQL's (SQLite runs the statements in process)")


@pytest.fixture
def calls(monkeypatch):
    """What each one-call attempt returned (None: declined)."""
    seen = []
    original = redeem_call.redeem

    def spy(*args, **kwargs):
        outcome = original(*args, **kwargs)
        seen.append(outcome)
        return outcome

    monkeypatch.setattr(redeem_call, "redeem", spy)
    return seen


def _shop(world, hours="10.00"):
    volunteer_id = world.volunteer("李*华")
    world.confirm(volunteer_id, hours)
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=30, stock=5, name="大米 5kg")
    world.good(merchant, sku="oil", points=20, stock=3, name="花生油")
    return volunteer_id, merchant


def _rows(app, redemption_id):
    """Everything the redemption wrote, without the ids and times that differ from run to run."""
    db = app.extensions["shanxing"].db
    with db.read() as s:
        redemption = s.execute(select(redemptions.c.points, redemptions.c.status, redemptions.c.store_id,
                                      redemptions.c.made_by, redemptions.c.refunded_points)
                               .where(redemptions.c.id == redemption_id)).one()
        items = s.execute(select(redemption_items.c.sku, redemption_items.c.name, redemption_items.c.quantity,
                                 redemption_items.c.unit_points, redemption_items.c.points,
                                 redemption_items.c.refunded_quantity)
                          .where(redemption_items.c.redemption_id == redemption_id)
                          .order_by(redemption_items.c.sku)).all()
        transfer = s.execute(select(transfers.c.amount, transfers.c.kind, transfers.c.status,
                                    transfers.c.rule_version)
                             .where(transfers.c.id == f"redeem:{redemption_id}")).one()
        moved = s.execute(select(accounts.c.kind, postings.c.amount, postings.c.balance_after)
                          .join(accounts, accounts.c.id == postings.c.account_id)
                          .where(postings.c.transfer_id == f"redeem:{redemption_id}")
                          .order_by(postings.c.amount)).all()
    return tuple(redemption), [tuple(i) for i in items], tuple(transfer), [tuple(m) for m in moved]


def _redeem_twice_over(world, app, monkeypatch, one_call: bool):
    monkeypatch.setenv(ONE_CALL_SWITCH, "1" if one_call else "0")
    volunteer_id, merchant = _shop(world)
    key = str(uuid.uuid4())
    code = world.code(volunteer_id)
    items = [{"sku": "rice", "quantity": 2}, {"sku": "oil", "quantity": 1}]
    first = world.redeem(merchant, code, items, key=key)
    assert first.status_code == 201, first.json
    replay = world.redeem(merchant, code, items, key=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == first.json
    event = next(e for e in outbox_events(app, "points.redeemed.v1")
                 if e["data"]["redemption_id"] == first.json["id"])
    return first.json, event, _rows(app, first.json["id"]), world.points(volunteer_id), volunteer_id, merchant


def test_the_one_call_gives_the_same_answer_rows_and_event_as_the_statements(app, world, monkeypatch, calls):
    by_statements = _redeem_twice_over(world, app, monkeypatch, one_call=False)
    assert calls == []
    in_one_call = _redeem_twice_over(world, app, monkeypatch, one_call=True)
    assert len(calls) == 2 and calls[0] is not None and calls[1] is None  # the replay was declined

    def comparable(body):
        return {k: v for k, v in body.items() if k not in ("id", "created_at", "made_by")}

    assert comparable(in_one_call[0]) == comparable(by_statements[0])
    assert in_one_call[0]["volunteer"] == {"display_name": "李*华"} and in_one_call[0]["points"] == 80
    for run in (by_statements, in_one_call):
        body, event, _, _, volunteer_id, merchant = run
        assert event["data"] == {"redemption_id": body["id"], "merchant_id": merchant.id,
                                 "volunteer_id": volunteer_id, "points": 80,
                                 "items": [{"sku": "oil", "quantity": 1, "points": 20},
                                           {"sku": "rice", "quantity": 2, "points": 60}]}
        assert event["type"] == "points.redeemed.v1" and event["producer"] == "points"
    for body, _, rows, _, _, merchant in (by_statements, in_one_call):
        assert body["made_by"] == rows[0][3] == f"key:{merchant.key_id}"
    assert [r for i, r in enumerate(in_one_call[2][0]) if i != 3] == [
        r for i, r in enumerate(by_statements[2][0]) if i != 3]
    assert in_one_call[2][1:] == by_statements[2][1:]
    assert in_one_call[3]["balance"] == by_statements[3]["balance"] == 20


def test_the_stored_answer_is_the_answer_and_the_outbox_row_is_a_plain_event(app, world, calls):
    volunteer_id, merchant = _shop(world)
    key = str(uuid.uuid4())
    resp = world.redeem(merchant, world.code(volunteer_id), [{"sku": "oil", "quantity": 2}], key=key)
    assert resp.status_code == 201 and calls[-1] is not None
    outbox = messaging_tables().outbox
    with app.extensions["shanxing"].db.read() as s:
        stored = s.execute(select(idempotency_keys.c.status_code, idempotency_keys.c.response)
                           .where(idempotency_keys.c.merchant_id == merchant.id,
                                  idempotency_keys.c.key == key)).one()
        row = s.execute(select(outbox.c.type, outbox.c.attempts, outbox.c.position, outbox.c.sent_at,
                               outbox.c.envelope).where(outbox.c.type == "points.redeemed.v1")).all()[-1]
    assert stored.status_code == 201 and json.loads(stored.response) == resp.json
    assert row.attempts == 0 and row.position is None and row.sent_at is None
    assert json.loads(row.envelope)["data"]["redemption_id"] == resp.json["id"]


def test_a_declined_call_leaves_nothing_and_the_statements_explain(app, world, calls):
    volunteer_id, merchant = _shop(world, hours="3.00")  # 30 points
    code = world.code(volunteer_id)
    # The first good's stock is taken inside the function before the second is found short.
    resp = world.redeem(merchant, code, [{"sku": "oil", "quantity": 1}, {"sku": "rice", "quantity": 9}])
    assert resp.status_code == 409, resp.json
    assert calls == [None]
    assert world.good_stock(merchant, "oil") == 3 and world.good_stock(merchant, "rice") == 5
    # Too few points: declined after the stock, the redemption and the transfer were written.
    resp = world.redeem(merchant, code, [{"sku": "oil", "quantity": 2}])
    assert resp.status_code in (409, 422) and calls[-1] is None, resp.json
    assert world.good_stock(merchant, "oil") == 3
    assert world.points(volunteer_id)["balance"] == 30
    # the code was not spent by either: it still redeems
    resp = world.redeem(merchant, code, [{"sku": "oil", "quantity": 1}])
    assert resp.status_code == 201 and calls[-1] is not None
    assert world.points(volunteer_id)["balance"] == 10


def test_goods_with_a_daily_limit_go_the_statement_way(app, world, calls):
    volunteer_id, merchant = _shop(world)
    world.client.patch("/api/v1/merchant/goods/oil", headers=merchant.headers,
                       json={"daily_limit_per_volunteer": 1})
    ok = world.redeem(merchant, world.code(volunteer_id), [{"sku": "oil", "quantity": 1}])
    over = world.redeem(merchant, world.code(volunteer_id), [{"sku": "oil", "quantity": 1}])
    assert ok.status_code == 201 and over.status_code == 409, over.json
    assert calls == [None, None]


def test_concurrent_one_call_redemptions_never_overdraw(app, world, calls):
    volunteer_id, merchant = _shop(world, hours="10.00")  # 100 points; oil is 20
    world.client.patch("/api/v1/merchant/goods/oil", headers=merchant.headers, json={"stock": 50})
    codes = [world.code(volunteer_id) for _ in range(8)]
    clients = [app.test_client() for _ in codes]
    results = run_together(len(codes), lambda i: world.redeem(
        merchant, codes[i], [{"sku": "oil", "quantity": 1}], client=clients[i]).status_code)
    assert sorted(results).count(201) == 5
    assert world.points(volunteer_id)["balance"] == 0
    with app.extensions["shanxing"].db.read() as s:
        stock = s.execute(select(goods.c.stock).where(goods.c.merchant_id == merchant.id,
                                                      goods.c.sku == "oil")).scalar_one()
    assert stock == 45
