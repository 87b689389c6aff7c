"""Redemptions at a merchant's till, and their refunds: each one transaction, all or nothing."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shanxing_common.db import Database
from shanxing_common.messaging import new_event, record_event
from sqlalchemy.orm import Session

from ..adapters import ledger, redeem_call, repository
from ..adapters.sql import utcnow
from ..domain import codes
from ..config import calendar_timezone, expiry_days, redeem_in_database
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound, OutOfStock
from ..domain.goods import check_daily_limit, local_day_bounds
from ..domain.redemption import line_points, request_hash, requested_items
from ..domain.refunds import refund_plan, refund_request_hash, refund_status
from . import expiry, holds
from .ledger import settle_debt
from .pagination import decode_cursor, encode_cursor

PRODUCER = "points"
COMPLETED, REFUNDED = "completed", "refunded"
REDEEMED = "points.redeemed.v1"


@dataclass(frozen=True)
class RedeemOutcome:
    status_code: int
    body: dict  # JSON-ready: stored as is under the idempotency key
    replayed: bool


def redeem(db: Database, merchant_id: str, *, idempotency_key: str, code: str,
           items: list[dict], store_id: str | None = None, made_by: str | None = None,
           hold: bool = False) -> RedeemOutcome:
    """Claim the idempotency key, use the code, take the stock, move the points, record the
    redemption and its event — in one transaction. Any error rolls all of it back. With ``hold``
    the points only move to the holds account, as the first phase of a two-phase redemption
    (service.holds: capture or void follows)."""
    code = codes.normalise_code(code)
    if not codes.is_well_formed(code):
        raise InvalidInput(f"must be {codes.CODE_DIGITS} digits", field="code")
    wanted = requested_items(items)
    body_hash = request_hash(code, wanted, store_id, hold)
    if not hold and db.is_postgres and expiry_days() is None and redeem_in_database():
        body = _redeem_in_one_call(db, merchant_id, idempotency_key, body_hash, code, wanted, store_id,
                                   made_by)
        if body is not None:
            return RedeemOutcome(201, body, replayed=False)
        # Declined: nothing was written; the steps below decide, and explain, what went wrong.
    with db.transaction() as s:
        if not repository.claim_idempotency_key(s, merchant_id, idempotency_key, body_hash):
            return _replay(s, merchant_id, idempotency_key, body_hash)
        merchant = repository.merchant_status_and_account(s, merchant_id)
        if merchant is None or merchant["status"] != "active":
            raise Forbidden("this merchant is suspended")
        if store_id is not None and not repository.store_of_merchant(s, merchant_id, store_id):
            raise NotFound("this merchant has no such store", field="store_id")
        now = utcnow()
        claimed = repository.claim_code(s, codes.code_hash(code), now)
        if claimed is None:
            raise _unusable_code(s, code)
        volunteer_id = claimed["volunteer_id"]
        lines = []
        for item in wanted:  # sku order, so concurrent redemptions lock goods in one order
            good = repository.take_stock_by_sku(s, merchant_id, item.sku, item.quantity)
            if good is None:
                raise _unavailable(s, merchant_id, item.sku)
            if good["daily_limit_per_volunteer"] is not None:
                # The stock UPDATE above locked this good's row, so concurrent redemptions of it
                # count each other's units here.
                start, end = local_day_bounds(now, calendar_timezone())
                already = repository.redeemed_in_window(s, volunteer_id, good["id"], start, end)
                check_daily_limit(item.sku, good["daily_limit_per_volunteer"], already, item.quantity)
            lines.append(dict(good_id=good["id"], sku=good["sku"], name=good["name"],
                              quantity=item.quantity, unit_points=good["points"],
                              points=line_points(good["points"], item.quantity)))
        total = sum(line["points"] for line in lines)
        # The code claim and the merchant look-up brought the account ids along; open them if new.
        volunteer_account = claimed["account_id"] or ledger.ensure_account(s, ledger.VOLUNTEER, volunteer_id)
        redemption_id = str(uuid.uuid4())
        if hold:  # the first phase only: the points wait in the holds account (service.holds)
            expiry.expire_due_for_account(s, volunteer_account, now)
            body = holds.place(s, hold_id=redemption_id, merchant_id=merchant_id, volunteer_id=volunteer_id,
                               volunteer_account=volunteer_account, code_id=claimed["id"], lines=lines,
                               total=total, store_id=store_id, now=now)
            expiry.spend(s, volunteer_account, total)
            repository.store_idempotent_response(s, merchant_id, idempotency_key, 201, body)
            return RedeemOutcome(201, body, replayed=False)
        merchant_account = merchant["account_id"] or ledger.ensure_account(s, ledger.MERCHANT, merchant_id)
        redemption = dict(id=redemption_id, merchant_id=merchant_id, volunteer_id=volunteer_id,
                          code_id=claimed["id"], points=total, status=COMPLETED, created_at=now,
                          refunded_at=None, store_id=store_id, made_by=made_by)
        repository.insert_redemption(s, redemption, [dict(redemption_id=redemption_id, **line)
                                                     for line in lines])
        body = redemption_view(redemption, lines, claimed["display_name"])
        repository.store_idempotent_response(s, merchant_id, idempotency_key, 201, body)
        record_event(s, REDEEMED, {
            "redemption_id": redemption_id, "merchant_id": merchant_id, "volunteer_id": volunteer_id,
            "points": total,
            "items": [{"sku": l["sku"], "quantity": l["quantity"], "points": l["points"]} for l in lines],
        }, producer=PRODUCER)
        # The points move last: every redemption of a merchant updates its one account row, whose
        # lock (PostgreSQL) is then held only for the move and the commit, not for the inserts.
        # Insufficient points still roll everything above back.
        # Lots past their expiry go first, even if the job has not reached them yet.
        expiry.expire_due_for_account(s, volunteer_account, now)
        ledger.move(s, transfer_id=f"redeem:{redemption_id}", kind="redeem", debit=volunteer_account,
                    credit=merchant_account, amount=total, debit_counters={"redeemed": total})
        expiry.spend(s, volunteer_account, total)
    return RedeemOutcome(201, body, replayed=False)


def _redeem_in_one_call(db: Database, merchant_id: str, idempotency_key: str, body_hash: str, code: str,
                        wanted, store_id: str | None, made_by: str | None) -> dict | None:
    """The steps of redeem() on the happy path, in one database round trip (PostgreSQL; decision
    0022). The answer and the event are the same as redeem() makes: this builds them here with
    what is known before the call, and the function adds the total, the lines and the volunteer."""
    now = utcnow()
    redemption_id = str(uuid.uuid4())
    template = redemption_view(dict(id=redemption_id, points=0, created_at=now, store_id=store_id,
                                    made_by=made_by), [], None)
    for filled_in in ("points", "items", "volunteer"):
        del template[filled_in]
    event = new_event(REDEEMED, {"redemption_id": redemption_id, "merchant_id": merchant_id},
                      producer=PRODUCER)
    return redeem_call.redeem(
        db, merchant_id=merchant_id, key=idempotency_key, request_hash=body_hash, now=now,
        store_id=store_id, code_hash=codes.code_hash(code), skus=[item.sku for item in wanted],
        quantities=[item.quantity for item in wanted], redemption_id=redemption_id, made_by=made_by,
        body=template, event_id=event.id, event_type=event.type, envelope=event.as_dict())


def _replay(s: Session, merchant_id: str, key: str, body_hash: str) -> RedeemOutcome:
    record = repository.idempotency_record(s, merchant_id, key)
    if record["request_hash"] != body_hash:
        raise Conflict("this Idempotency-Key was already used with a different request body",
                       field="Idempotency-Key")
    if record["response"] is None:  # cannot be seen committed, but never answer with nothing
        raise Conflict("a request with this Idempotency-Key is still being processed",
                       field="Idempotency-Key")
    return RedeemOutcome(record["status_code"], record["response"], replayed=True)


def _unavailable(s: Session, merchant_id: str, sku: str) -> NotFound | Conflict:
    """Why the stock of ``sku`` could not be taken."""
    good = repository.good_by_sku(s, merchant_id, sku)
    if good is None:
        return NotFound(f"this merchant has no good with sku {sku}", field="items")
    if not good["active"]:
        return Conflict(f"sku {sku} is not available (inactive)", field="items")
    return OutOfStock(sku)


def _unusable_code(s: Session, code: str) -> NotFound:
    stored = repository.code_by_hash(s, codes.code_hash(code))
    if stored is None:
        return NotFound("unknown redemption code", field="code")
    if stored["used_at"] is not None:
        return NotFound("this redemption code has already been used", field="code")
    return NotFound("this redemption code has expired", field="code")


@dataclass(frozen=True)
class RefundOutcome:
    body: dict
    replayed: bool


def refund(db: Database, merchant_id: str, redemption_id: str, items: list[dict] | None = None,
           idempotency_key: str | None = None, made_by: str | None = None) -> RefundOutcome:
    """Give back ``items`` (or everything left) of a redemption: points merchant → volunteer and
    stock, in one transaction, each refund once (its own id; the Idempotency-Key when sent)."""
    wanted = requested_items(items) if items is not None else None
    body_hash = refund_request_hash(redemption_id, wanted)
    with db.transaction() as s:
        redemption = repository.redemption_for_merchant(s, redemption_id, merchant_id)
        if redemption is None:
            raise NotFound("no such redemption")
        if idempotency_key is not None:
            earlier = repository.refund_by_key(s, merchant_id, idempotency_key)
            if earlier is not None:
                return _refund_replay(s, merchant_id, earlier, body_hash)
        if redemption["settlement_id"] is not None:
            raise Conflict("this redemption is in a closed settlement statement; it can no longer "
                           "be refunded", field="status")
        lines = repository.items_of(s, [redemption_id])[redemption_id]
        plan = refund_plan(lines, wanted)
        now = utcnow()
        refund_id = str(uuid.uuid4())
        points = sum(line.points for line in plan)
        refund_items = [{"sku": l.sku, "quantity": l.quantity, "points": l.points} for l in plan]
        if not repository.claim_refund(s, dict(
                id=refund_id, redemption_id=redemption_id, merchant_id=merchant_id, points=points,
                items=refund_items, idempotency_key=idempotency_key,
                request_hash=body_hash if idempotency_key else None, created_at=now, made_by=made_by)):
            # a concurrent request with the same key committed first
            return _refund_replay(s, merchant_id, repository.refund_by_key(s, merchant_id, idempotency_key),
                                  body_hash)
        for line in plan:  # sku order, as the redemption took them
            if not repository.take_refund_quantity(s, redemption_id, line.good_id, line.quantity):
                raise Conflict(f"sku {line.sku}: more than is left to refund (refunded meanwhile)",
                               field="items")
            repository.return_stock(s, line.good_id, line.quantity)
        updated = repository.add_refunded_points(s, redemption_id, merchant_id, points, now)
        if updated is None:  # a concurrent refund or settlement got there first
            raise Conflict("this redemption is already refunded in full or settled", field="status")
        volunteer_account = ledger.ensure_account(s, ledger.VOLUNTEER, redemption["volunteer_id"])
        merchant_account = ledger.ensure_account(s, ledger.MERCHANT, merchant_id)
        ledger.move(s, transfer_id=f"refund:{refund_id}", kind="refund", debit=merchant_account,
                    credit=volunteer_account, amount=points, credit_counters={"redeemed": -points})
        # Refunded points are points the volunteer spent; if revoked hours left debt, they cover it.
        settled = settle_debt(s, volunteer_account, points, cause=f"refund:{refund_id}")
        # Refunded points come back as a new lot with a fresh expiry (README "Expiry").
        expiry.grant(s, volunteer_account, points - settled, source_transfer_id=f"refund:{refund_id}", at=now)
        record_event(s, "points.refunded.v1", {
            "redemption_id": redemption_id, "merchant_id": merchant_id,
            "volunteer_id": redemption["volunteer_id"], "points": points,
            "refund_id": refund_id, "items": refund_items,
        }, producer=PRODUCER)
        body = _redemption_with_refunds(s, updated)
        body["refund"] = {"id": refund_id, "points": points, "items": refund_items, "made_by": made_by,
                          "created_at": now.isoformat()}
        return RefundOutcome(body, replayed=False)


def _refund_replay(s: Session, merchant_id: str, earlier: dict, body_hash: str) -> RefundOutcome:
    if earlier["request_hash"] != body_hash:
        raise Conflict("this Idempotency-Key was already used with a different request",
                       field="Idempotency-Key")
    redemption = repository.redemption_for_merchant(s, earlier["redemption_id"], merchant_id)
    body = _redemption_with_refunds(s, redemption)
    body["refund"] = {"id": earlier["id"], "points": earlier["points"], "items": earlier["items"],
                      "made_by": earlier.get("made_by"), "created_at": earlier["created_at"].isoformat()}
    return RefundOutcome(body, replayed=True)


def _redemption_with_refunds(s: Session, redemption: dict) -> dict:
    lines = repository.items_of(s, [redemption["id"]])[redemption["id"]]
    return redemption_view(redemption, lines, ledger.volunteer_display_names(
        s, [redemption["volunteer_id"]]).get(redemption["volunteer_id"]))


def list_redemptions(db: Database, merchant_id: str, *, cursor: str | None, limit: int) -> dict:
    before = decode_cursor(cursor)
    if before is not None:
        try:
            before = (datetime.fromisoformat(before[0]), str(before[1]))
        except (TypeError, ValueError, IndexError, KeyError):
            raise InvalidInput("not a cursor this list gave out", field="cursor") from None
    with db.read() as s:
        rows = repository.list_redemptions(s, merchant_id, before=before, limit=limit + 1)
        page, more = rows[:limit], len(rows) > limit
        items_by_id = repository.items_of(s, [r["id"] for r in page])
        names = ledger.volunteer_display_names(s, [r["volunteer_id"] for r in page])
    items = [redemption_view(r, items_by_id[r["id"]], names.get(r["volunteer_id"])) for r in page]
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = encode_cursor([last["created_at"].isoformat(), last["id"]])
    return {"items": items, "next": next_cursor}


def redemption_view(redemption: dict, lines: list[dict], display_name: str | None) -> dict:
    """What a merchant may see: points, items and the masked name — never the volunteer's id."""
    view = {
        "id": redemption["id"],
        "points": redemption["points"],
        "status": refund_status(redemption["points"], redemption.get("refunded_points") or 0),
        "refunded_points": redemption.get("refunded_points") or 0,
        "items": [{"sku": l["sku"], "name": l["name"], "quantity": l["quantity"],
                   "unit_points": l["unit_points"], "points": l["points"],
                   "refunded_quantity": l.get("refunded_quantity") or 0} for l in lines],
        "volunteer": {"display_name": display_name},
        "store_id": redemption.get("store_id"),
        "made_by": redemption.get("made_by"),
        "created_at": redemption["created_at"].isoformat(),
    }
    if redemption.get("refunded_at") is not None:
        view["refunded_at"] = redemption["refunded_at"].isoformat()
    return view
