"""Settlement reports, CSV export and closing statements."""
import csv
import io
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from shanxing_points.adapters.models import redemptions

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _today():
    return datetime.now(timezone.utc).astimezone(SHANGHAI).date()


def _move_to(app, redemption_id, day, hour=10):
    """Pretend a redemption was made at ``hour`` o'clock Shanghai time on ``day``."""
    at = datetime.combine(day, time(hour), tzinfo=SHANGHAI).astimezone(timezone.utc)
    with app.extensions["shanxing"].db.transaction() as s:
        s.execute(update(redemptions).where(redemptions.c.id == redemption_id).values(created_at=at))


@pytest.fixture
def history(app, world):
    """Three redemptions: two on day A (one partly refunded), one on day B; A < B < today."""
    volunteer_id = world.volunteer()
    world.confirm(volunteer_id, "50.00")
    merchant = world.merchant()
    world.good(merchant, sku="rice", points=30, stock=50, name="大米")
    world.good(merchant, sku="oil", points=10, stock=50, name="油")
    day_a, day_b = _today() - timedelta(days=5), _today() - timedelta(days=2)
    ids = []
    for items, day in [([{"sku": "rice", "quantity": 2}, {"sku": "oil", "quantity": 1}], day_a),
                       ([{"sku": "oil", "quantity": 3}], day_a),
                       ([{"sku": "rice", "quantity": 1}], day_b)]:
        resp = world.redeem(merchant, world.code(volunteer_id), items)
        assert resp.status_code == 201
        ids.append(resp.json["id"])
        _move_to(app, resp.json["id"], day)
    refund = world.client.post(f"/api/v1/merchant/redemptions/{ids[1]}/refund",
                               json={"items": [{"sku": "oil", "quantity": 1}]}, headers=merchant.headers)
    assert refund.status_code == 200
    return volunteer_id, merchant, ids, day_a, day_b


def _report(world, merchant, first, last, own=False):
    query = f"from={first.isoformat()}&to={last.isoformat()}"
    if own:
        return world.client.get(f"/api/v1/merchant/settlement?{query}", headers=merchant.headers)
    return world.client.get(f"/api/v1/merchants/{merchant.id}/settlements?{query}", headers=world.ops)


def test_the_report_counts_points_and_items_net_of_refunds(world, history):
    _, merchant, _, day_a, day_b = history
    resp = _report(world, merchant, day_a, day_b)
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert (body["count"], body["redeemed_points"], body["refunded_points"], body["points"]) == (3, 130, 10, 120)
    assert body["items"] == [{"sku": "oil", "name": "油", "quantity": 3, "points": 30},
                             {"sku": "rice", "name": "大米", "quantity": 3, "points": 90}]
    assert body["days"] == [{"date": day_a.isoformat(), "count": 2, "points": 90},
                            {"date": day_b.isoformat(), "count": 1, "points": 30}]
    assert body["from"] == day_a.isoformat() and body["statements"] == []
    only_a = _report(world, merchant, day_a, day_a).json
    assert (only_a["count"], only_a["points"]) == (2, 90)
    assert _report(world, merchant, day_a, day_b, own=True).json == body


def test_a_merchant_sees_only_its_own_settlement(world, history):
    _, merchant, _, day_a, day_b = history
    other = world.merchant("别家")
    assert _report(world, other, day_a, day_b, own=True).json["count"] == 0
    assert world.client.get(f"/api/v1/merchants/{merchant.id}/settlements",
                            headers=other.headers).status_code == 403
    assert world.client.get("/api/v1/merchants/nope/settlements", headers=world.ops).status_code == 404


def test_the_csv_export_has_a_row_per_line(world, history):
    _, merchant, ids, day_a, day_b = history
    resp = world.client.get(f"/api/v1/merchants/{merchant.id}/settlements.csv?from={day_a}&to={day_b}",
                            headers=world.ops)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert len(rows) == 4
    partly = [r for r in rows if r["redemption_id"] == ids[1]][0]
    assert (partly["status"], partly["quantity"], partly["refunded_quantity"], partly["points"]) == (
        "partially_refunded", "3", "1", "20")
    assert sum(int(r["points"]) for r in rows) == 120
    own = world.client.get(f"/api/v1/merchant/settlement.csv?from={day_a}&to={day_b}", headers=merchant.headers)
    assert own.status_code == 200 and own.get_data(as_text=True) == resp.get_data(as_text=True)


def test_bad_periods_name_the_field(world):
    merchant = world.merchant()
    for query, field in [("from=2026-13-01", "from"), ("to=yesterday", "to"),
                         ("from=2026-03-10&to=2026-03-01", "to"), ("from=2024-01-01&to=2026-01-01", "to")]:
        for path, headers in [(f"/api/v1/merchants/{merchant.id}/settlements", world.ops),
                              (f"/api/v1/merchants/{merchant.id}/settlements.csv", world.ops),
                              ("/api/v1/merchant/settlement", merchant.headers)]:
            resp = world.client.get(f"{path}?{query}", headers=headers)
            assert resp.status_code == 400 and field in resp.json["errors"], (path, resp.json)


def _close(world, merchant, first, last):
    return world.client.post(f"/api/v1/merchants/{merchant.id}/settlements",
                             json={"period_start": first.isoformat(), "period_end": last.isoformat()},
                             headers=world.ops)


def test_closing_a_statement_freezes_it_and_ends_refunds(world, history):
    volunteer_id, merchant, ids, day_a, day_b = history
    resp = _close(world, merchant, day_a, day_a)
    assert resp.status_code == 201, resp.json
    statement = resp.json
    assert (statement["count"], statement["points"], statement["period_start"]) == (2, 90, day_a.isoformat())
    refund = world.client.post(f"/api/v1/merchant/redemptions/{ids[0]}/refund", headers=merchant.headers)
    assert refund.status_code == 409 and "status" in refund.json["errors"]
    assert world.points(volunteer_id)["redeemed"] == 120
    # day B is not in it and can still be refunded
    assert world.client.post(f"/api/v1/merchant/redemptions/{ids[2]}/refund",
                             headers=merchant.headers).status_code == 200
    overlapping = _close(world, merchant, day_a - timedelta(days=1), day_b)
    assert overlapping.status_code == 409 and "period_start" in overlapping.json["errors"]
    report = _report(world, merchant, day_a, day_b).json
    assert [s["id"] for s in report["statements"]] == [statement["id"]]
    assert _close(world, merchant, day_a + timedelta(days=1), day_b).status_code == 201
    listed = world.client.get("/api/v1/merchant/redemptions", headers=merchant.headers).json["items"]
    assert len(listed) == 3


def test_a_statement_closes_only_days_that_are_over(world):
    merchant = world.merchant()
    today = _today()
    for first, last, field in [(today, today, "period_end"), (today, today - timedelta(days=1), "period_end")]:
        resp = _close(world, merchant, first, last)
        assert resp.status_code == 400 and field in resp.json["errors"]
    bad = world.client.post(f"/api/v1/merchants/{merchant.id}/settlements", json={"period_start": "x"},
                            headers=world.ops)
    assert bad.status_code == 400 and {"period_start", "period_end"} <= set(bad.json["errors"])
    assert world.client.post("/api/v1/merchants/nope/settlements",
                             json={"period_start": "2025-01-01", "period_end": "2025-01-02"},
                             headers=world.ops).status_code == 404
    assert world.client.post(f"/api/v1/merchants/{merchant.id}/settlements",
                             json={"period_start": "2025-01-01", "period_end": "2025-01-02"},
                             headers=merchant.headers).status_code == 403


def test_concurrent_overlapping_closes_make_one_statement(app, world, history):
    import threading

    _, merchant, _, day_a, day_b = history
    barrier = threading.Barrier(3)
    statuses = []

    def run():
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(f"/api/v1/merchants/{merchant.id}/settlements",
                                    json={"period_start": day_a.isoformat(), "period_end": day_b.isoformat()},
                                    headers=world.ops).status_code)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409, 409]
    assert len(_report(world, merchant, day_a, day_b).json["statements"]) == 1
