"""Redemptions in two phases (README "Holds"): a hold takes the code, the stock and the points
(volunteer → holds, transfer hold:<id> pending); capture posts it (holds → merchant as the
redemption <id>, the same as a one-step redemption from then on); void — by the merchant, or the
job once the hold expires — gives the points (release:<id>) and the stock back. Each phase is one
transaction and happens once: the hold row moves out of `pending` by a conditional UPDATE."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shanxing_common.db import Database
from shanxing_common.messaging import record_event
from sqlalchemy.orm import Session

from ..adapters import holds as store
from ..adapters import ledger, repository
from ..adapters.sql import utcnow
from ..config import hold_ttl_seconds
from ..domain.errors import Conflict, InvalidInput, NotFound
from . import expiry
from .ledger import settle_debt
from .pagination import decode_cursor, encode_cursor

log = logging.getLogger(__name__)
PRODUCER = "points"


def place(s: Session, *, hold_id: str, merchant_id: str, volunteer_id: str, volunteer_account: str,
          code_id: str, lines: list[dict], total: int, store_id: str | None, now: datetime) -> dict:
    """The first phase, inside the redemption's transaction (code claimed, stock taken): the
    points leave the volunteer for the holds account. Returns the hold as the merchant sees it."""
    transfer_id = store.hold_transfer_id(hold_id)
    ledger.move(s, transfer_id=transfer_id, kind="hold", debit=volunteer_account,
                credit=store.HOLDS_ACCOUNT_ID, amount=total, debit_counters={"redeemed": total})
    store.set_transfer_status(s, transfer_id, "pending")
    hold = dict(id=hold_id, merchant_id=merchant_id, volunteer_id=volunteer_id, code_id=code_id,
                points=total, store_id=store_id, status=store.PENDING, created_at=now,
                expires_at=now + timedelta(seconds=hold_ttl_seconds()), resolved_at=None, void_reason=None)
    store.insert_hold(s, hold, [dict(hold_id=hold_id, good_id=l["good_id"], sku=l["sku"], name=l["name"],
                                     quantity=l["quantity"], unit_points=l["unit_points"], points=l["points"])
                                for l in lines])
    return hold_view(hold, lines, ledger.display_name(s, volunteer_account))


def capture(db: Database, merchant_id: str, hold_id: str, made_by: str | None = None) -> dict:
    """Post a pending hold: it becomes the redemption ``hold_id`` (event points.redeemed.v1).
    Capturing a captured hold answers the redemption again and moves nothing."""
    from .redemptions import redemption_view  # the one view of a redemption

    with db.transaction() as s:
        now = utcnow()
        hold = store.resolve(s, hold_id, merchant_id, to=store.CAPTURED, now=now, unexpired=True)
        if hold is None:
            current = _existing(s, hold_id, merchant_id)
            if current["status"] == store.CAPTURED:
                redemption = repository.redemption_for_merchant(s, hold_id, merchant_id)
                return redemption_view(redemption, repository.items_of(s, [hold_id])[hold_id],
                                       _name(s, current["volunteer_id"]))
            if current["status"] == store.VOIDED:
                raise Conflict(f"this hold was voided ({current['void_reason']})", field="status")
            raise Conflict("this hold has expired; the points and stock go back", field="status")
        lines = store.items_of(s, hold_id)
        merchant_account = ledger.ensure_account(s, ledger.MERCHANT, merchant_id)
        ledger.move(s, transfer_id=f"redeem:{hold_id}", kind="redeem", debit=store.HOLDS_ACCOUNT_ID,
                    credit=merchant_account, amount=hold["points"])
        store.set_transfer_status(s, store.hold_transfer_id(hold_id), "posted")
        redemption = dict(id=hold_id, merchant_id=merchant_id, volunteer_id=hold["volunteer_id"],
                          code_id=hold["code_id"], points=hold["points"], status="completed", created_at=now,
                          refunded_at=None, store_id=hold["store_id"], made_by=made_by)
        repository.insert_redemption(s, redemption, [
            dict(redemption_id=hold_id, good_id=l["good_id"], sku=l["sku"], name=l["name"],
                 quantity=l["quantity"], unit_points=l["unit_points"], points=l["points"]) for l in lines])
        record_event(s, "points.redeemed.v1", {
            "redemption_id": hold_id, "merchant_id": merchant_id, "volunteer_id": hold["volunteer_id"],
            "points": hold["points"],
            "items": [{"sku": l["sku"], "quantity": l["quantity"], "points": l["points"]} for l in lines],
        }, producer=PRODUCER)
        return redemption_view(redemption, lines, _name(s, hold["volunteer_id"]))


def void(db: Database, merchant_id: str, hold_id: str) -> dict:
    """The merchant cancels a pending hold. Voiding a voided hold answers it again; a captured
    one is a redemption now and is refunded instead (409)."""
    with db.transaction() as s:
        hold = _release(s, hold_id, merchant_id, reason="merchant")
        if hold is None:
            current = _existing(s, hold_id, merchant_id)
            if current["status"] == store.CAPTURED:
                raise Conflict("this hold was captured: refund the redemption instead", field="status")
            hold = current
        return hold_view(hold, store.items_of(s, hold_id), _name(s, hold["volunteer_id"]))


def void_expired(db: Database, now: datetime | None = None, batch: int = 200) -> int:
    """The worker's job: void every pending hold past its expiry, each in its own transaction."""
    now = now or utcnow()
    with db.read() as s:
        due = store.due(s, now, batch)
    voided = 0
    for hold_id in due:
        with db.transaction() as s:
            if _release(s, hold_id, None, reason="expired", now=now) is not None:
                voided += 1
    if voided:
        log.info("voided %d expired redemption hold(s)", voided)
    return voided


def _release(s: Session, hold_id: str, merchant_id: str | None, *, reason: str,
             now: datetime | None = None) -> dict | None:
    """Void a pending hold: points back to the volunteer (paying debt first, as a refund does),
    stock back. None when it was not pending (someone else resolved it)."""
    now = now or utcnow()
    hold = store.resolve(s, hold_id, merchant_id, to=store.VOIDED, now=now, reason=reason)
    if hold is None:
        return None
    volunteer_account = ledger.ensure_account(s, ledger.VOLUNTEER, hold["volunteer_id"])
    transfer_id = store.release_transfer_id(hold_id)
    ledger.move(s, transfer_id=transfer_id, kind="release", debit=store.HOLDS_ACCOUNT_ID,
                credit=volunteer_account, amount=hold["points"], credit_counters={"redeemed": -hold["points"]})
    store.set_transfer_status(s, store.hold_transfer_id(hold_id), "voided")
    for line in store.items_of(s, hold_id):
        repository.return_stock(s, line["good_id"], line["quantity"])
    settled = settle_debt(s, volunteer_account, hold["points"], cause=transfer_id)
    expiry.grant(s, volunteer_account, hold["points"] - settled, source_transfer_id=transfer_id, at=now)
    return hold


def list_pending(db: Database, merchant_id: str, *, cursor: str | None, limit: int) -> dict:
    """A merchant's pending holds, as the merchant sees them."""
    with db.read() as s:
        page, next_cursor = _pending_page(s, cursor, limit, merchant_id=merchant_id)
        names = ledger.volunteer_display_names(s, [r["volunteer_id"] for r in page])
        items = [hold_view(r, store.items_of(s, r["id"]), names.get(r["volunteer_id"])) for r in page]
    return {"items": items, "next": next_cursor}


def volunteer_pending(db: Database, volunteer_id: str, *, cursor: str | None, limit: int) -> dict:
    """The volunteer's pending holds: where, how many points, until when."""
    with db.read() as s:
        page, next_cursor = _pending_page(s, cursor, limit, volunteer_id=volunteer_id)
    return {"items": [{"id": r["id"], "merchant_name": r["merchant_name"], "points": r["points"],
                       "created_at": r["created_at"], "expires_at": r["expires_at"]} for r in page],
            "next": next_cursor}


def _pending_page(s: Session, cursor: str | None, limit: int, **owner) -> tuple[list[dict], str | None]:
    after = decode_cursor(cursor)
    if after is not None:
        try:
            after = (datetime.fromisoformat(after[0]), str(after[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput("not a cursor this list gave out", field="cursor") from None
    rows = store.list_pending(s, after=after, limit=limit + 1, **owner)
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    return page, encode_cursor([page[-1]["created_at"].isoformat(), page[-1]["id"]])


def _existing(s: Session, hold_id: str, merchant_id: str) -> dict:
    hold = store.hold_for_merchant(s, hold_id, merchant_id)
    if hold is None:
        raise NotFound("no such pending redemption")
    return hold


def _name(s: Session, volunteer_id: str) -> str | None:
    return ledger.volunteer_display_names(s, [volunteer_id]).get(volunteer_id)


def hold_view(hold: dict, lines: list[dict], display_name: str | None) -> dict:
    """What the merchant sees of a hold: the redemption's shape with status pending or voided."""
    return {
        "id": hold["id"],
        "points": hold["points"],
        "status": hold["status"],
        "refunded_points": 0,
        "items": [{"sku": l["sku"], "name": l["name"], "quantity": l["quantity"],
                   "unit_points": l["unit_points"], "points": l["points"], "refunded_quantity": 0}
                  for l in lines],
        "volunteer": {"display_name": display_name},
        "store_id": hold["store_id"],
        "created_at": hold["created_at"].isoformat(),
        "hold_expires_at": hold["expires_at"].isoformat(),
    }
