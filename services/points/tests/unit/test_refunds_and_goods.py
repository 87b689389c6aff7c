from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from shanxing_points.domain.errors import Conflict, InvalidInput
from shanxing_points.domain.goods import (DailyLimitReached, check_daily_limit, day_bounds, local_day_bounds,
                                          stock_change)
from shanxing_points.domain.merchant_keys import may_issue_another
from shanxing_points.domain.redemption import RequestedItem
from shanxing_points.domain.refunds import refund_plan, refund_request_hash, refund_status

LINES = [dict(good_id="g-oil", sku="oil", quantity=1, refunded_quantity=0, unit_points=10),
         dict(good_id="g-rice", sku="rice", quantity=3, refunded_quantity=1, unit_points=30)]


def test_no_items_refunds_everything_left():
    plan = refund_plan(LINES, None)
    assert [(l.sku, l.quantity, l.points) for l in plan] == [("oil", 1, 10), ("rice", 2, 60)]


def test_named_items_refund_those_units_only():
    plan = refund_plan(LINES, [RequestedItem("rice", 2)])
    assert [(l.sku, l.quantity, l.points) for l in plan] == [("rice", 2, 60)]


def test_never_more_than_is_left():
    with pytest.raises(Conflict) as raised:
        refund_plan(LINES, [RequestedItem("rice", 3)])
    assert "rice" in raised.value.detail and raised.value.field == "items"
    with pytest.raises(InvalidInput):
        refund_plan(LINES, [RequestedItem("soap", 1)])
    done = [dict(l, refunded_quantity=l["quantity"]) for l in LINES]
    with pytest.raises(Conflict):
        refund_plan(done, None)


def test_status_follows_the_refunded_points():
    assert refund_status(100, 0) == "completed"
    assert refund_status(100, 30) == "partially_refunded"
    assert refund_status(100, 100) == "refunded"


def test_the_refund_hash_tells_requests_apart():
    assert refund_request_hash("r1", None) != refund_request_hash("r1", [RequestedItem("rice", 1)])
    assert refund_request_hash("r1", None) != refund_request_hash("r2", None)


def test_stock_is_set_or_adjusted_not_both():
    assert stock_change(stock=5, stock_delta=None) == ("set", 5)
    assert stock_change(stock=None, stock_delta=-2) == ("add", -2)
    assert stock_change(stock=None, stock_delta=None) is None
    with pytest.raises(InvalidInput):
        stock_change(stock=1, stock_delta=1)


def test_the_daily_limit():
    check_daily_limit("eggs", None, 100, 100)
    check_daily_limit("eggs", 3, 2, 1)
    with pytest.raises(DailyLimitReached) as raised:
        check_daily_limit("eggs", 3, 2, 2)
    assert "eggs" in raised.value.detail and raised.value.status == 409


def test_calendar_days_are_those_of_the_zone():
    shanghai = ZoneInfo("Asia/Shanghai")
    start, end = local_day_bounds(datetime(2026, 3, 1, 17, 0, tzinfo=timezone.utc), shanghai)  # 01:00 on 2 March
    assert start == datetime(2026, 3, 1, 16, 0, tzinfo=timezone.utc)
    assert end == datetime(2026, 3, 2, 16, 0, tzinfo=timezone.utc)
    assert day_bounds(date(2026, 3, 1), date(2026, 3, 31), shanghai) == (
        datetime(2026, 2, 28, 16, 0, tzinfo=timezone.utc), datetime(2026, 3, 31, 16, 0, tzinfo=timezone.utc))


def test_at_most_two_active_keys():
    assert may_issue_another(1) and not may_issue_another(2)
