"""Rules of a refund: which units of a redemption go back, never more than were redeemed."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .errors import Conflict, InvalidInput
from .redemption import RequestedItem, line_points

COMPLETED, PARTIALLY_REFUNDED, REFUNDED = "completed", "partially_refunded", "refunded"


@dataclass(frozen=True)
class RefundLine:
    good_id: str
    sku: str
    quantity: int
    points: int


def refund_plan(lines: list[dict], wanted: list[RequestedItem] | None) -> list[RefundLine]:
    """The units to refund: ``wanted`` (sku, quantity), or everything not yet refunded when None.

    ``lines`` are the redemption's items with ``quantity``, ``refunded_quantity`` and ``unit_points``."""
    by_sku = {line["sku"]: line for line in lines}
    if wanted is None:
        plan = [RefundLine(l["good_id"], l["sku"], l["quantity"] - l["refunded_quantity"],
                           line_points(l["unit_points"], l["quantity"] - l["refunded_quantity"]))
                for l in lines if l["quantity"] > l["refunded_quantity"]]
        if not plan:
            raise Conflict("this redemption is already refunded in full", field="status")
        return plan
    plan = []
    for item in wanted:
        line = by_sku.get(item.sku)
        if line is None:
            raise InvalidInput(f"sku {item.sku} is not in this redemption", field="items")
        left = line["quantity"] - line["refunded_quantity"]
        if item.quantity > left:
            raise Conflict(f"sku {item.sku}: {item.quantity} asked, only {left} left to refund",
                           field="items")
        plan.append(RefundLine(line["good_id"], item.sku, item.quantity,
                               line_points(line["unit_points"], item.quantity)))
    return plan


def refund_status(points: int, refunded_points: int) -> str:
    if refunded_points <= 0:
        return COMPLETED
    return REFUNDED if refunded_points >= points else PARTIALLY_REFUNDED


def refund_request_hash(redemption_id: str, wanted: list[RequestedItem] | None) -> str:
    canonical = json.dumps({"redemption_id": redemption_id,
                            "items": None if wanted is None else [[i.sku, i.quantity] for i in wanted]},
                           sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
