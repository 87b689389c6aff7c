"""Settlement: what a merchant took in points over calendar dates, and closing statements."""
from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from datetime import date, datetime

from shanxing_common.db import Database

from ..adapters import repository
from ..adapters.sql import utcnow
from ..config import calendar_timezone
from ..domain.errors import Conflict, NotFound
from ..domain.goods import day_bounds
from ..domain.refunds import refund_status
from ..domain.settlement import Period, closing_period, query_period


def _today() -> date:
    return utcnow().astimezone(calendar_timezone()).date()


def _summary(s, merchant_id: str, period: Period, *, settlement_id: str | None = None) -> dict:
    """Counts and points net of refunds, per sku and per day, of the period's redemptions."""
    zone = calendar_timezone()
    start, end = day_bounds(period.first, period.last, zone)
    rows = repository.redemptions_in_window(s, merchant_id, start, end, settlement_id=settlement_id)
    lines = repository.items_of(s, [r["id"] for r in rows])
    items: dict[str, dict] = {}
    days: dict[str, dict] = defaultdict(lambda: {"count": 0, "points": 0})
    by_store: dict[str, dict] = defaultdict(lambda: {"count": 0, "points": 0})
    for r in rows:
        for bucket in (days[r["created_at"].astimezone(zone).date().isoformat()], by_store[r["store_id"] or ""]):
            bucket["count"] += 1
            bucket["points"] += r["points"] - r["refunded_points"]
        for line in lines[r["id"]]:
            kept = line["quantity"] - line["refunded_quantity"]
            item = items.setdefault(line["sku"], {"sku": line["sku"], "name": line["name"], "quantity": 0,
                                                  "points": 0})
            item["quantity"] += kept
            item["points"] += kept * line["unit_points"]
    gross = sum(r["points"] for r in rows)
    refunded = sum(r["refunded_points"] for r in rows)
    return {"merchant_id": merchant_id, "from": period.first.isoformat(), "to": period.last.isoformat(),
            "count": len(rows), "points": gross - refunded, "redeemed_points": gross,
            "refunded_points": refunded, "items": sorted(items.values(), key=lambda i: i["sku"]),
            "days": [{"date": d, **figures} for d, figures in sorted(days.items())],
            "stores": [{"store_id": store or None, **figures} for store, figures in sorted(by_store.items())]}


def _merchant_or_404(s, merchant_id: str) -> dict:
    merchant = repository.merchant(s, merchant_id)
    if merchant is None:
        raise NotFound("no such merchant")
    return merchant


def report(db: Database, merchant_id: str, first: date | None, last: date | None) -> dict:
    period = query_period(first, last, _today())
    with db.read() as s:
        _merchant_or_404(s, merchant_id)
        summary = _summary(s, merchant_id, period)
        summary["statements"] = [statement_view(st) for st in
                                 repository.overlapping_settlements(s, merchant_id, period.first, period.last)]
    return summary


CSV_COLUMNS = ("date", "redemption_id", "created_at", "status", "settlement_id", "store_id", "sku", "name",
               "quantity", "refunded_quantity", "unit_points", "points")


def report_csv(db: Database, merchant_id: str, first: date | None, last: date | None) -> str:
    """One row per redemption line; ``points`` is net of refunds (what the merchant keeps)."""
    period = query_period(first, last, _today())
    zone = calendar_timezone()
    start, end = day_bounds(period.first, period.last, zone)
    with db.read() as s:
        _merchant_or_404(s, merchant_id)
        rows = repository.redemptions_in_window(s, merchant_id, start, end)
        lines = repository.items_of(s, [r["id"] for r in rows])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        for line in lines[r["id"]]:
            kept = line["quantity"] - line["refunded_quantity"]
            writer.writerow([r["created_at"].astimezone(zone).date().isoformat(), r["id"],
                             r["created_at"].isoformat(), refund_status(r["points"], r["refunded_points"]),
                             r["settlement_id"] or "", r["store_id"] or "", line["sku"], line["name"], line["quantity"],
                             line["refunded_quantity"], line["unit_points"], kept * line["unit_points"]])
    return out.getvalue()


def close(db: Database, merchant_id: str, period_start: date, period_end: date, *,
          closed_by: str | None) -> dict:
    """Close a statement: the period's redemptions are marked settled (no more refunds) and its
    figures frozen. An overlap with a closed statement is 409."""
    period = closing_period(period_start, period_end, _today())
    zone = calendar_timezone()
    start, end = day_bounds(period.first, period.last, zone)
    now = utcnow()
    settlement_id = str(uuid.uuid4())
    with db.transaction() as s:
        if repository.merchant(s, merchant_id, lock=True) is None:  # statements of one merchant take turns
            raise NotFound("no such merchant")
        clash = repository.overlapping_settlements(s, merchant_id, period.first, period.last)
        if clash:
            raise Conflict(f"overlaps the closed statement {clash[0]['period_start'].isoformat()} – "
                           f"{clash[0]['period_end'].isoformat()}", field="period_start")
        # Tag first (this locks the rows against a concurrent refund), then total what was tagged.
        repository.mark_settled(s, merchant_id, settlement_id, start, end)
        summary = _summary(s, merchant_id, period, settlement_id=settlement_id)
        statement = dict(id=settlement_id, merchant_id=merchant_id, period_start=period.first,
                         period_end=period.last, redemption_count=summary["count"], points=summary["points"],
                         items=summary["items"], closed_by=closed_by, created_at=now)
        repository.insert_settlement(s, statement)
    return statement_view(statement)


def statement_view(statement: dict) -> dict:
    def _iso(value):
        return value.isoformat() if isinstance(value, (date, datetime)) else value

    return {"id": statement["id"], "merchant_id": statement["merchant_id"],
            "period_start": _iso(statement["period_start"]), "period_end": _iso(statement["period_end"]),
            "count": statement["redemption_count"], "points": statement["points"],
            "items": statement["items"], "created_at": _iso(statement["created_at"])}
