"""Rules of a redemption request: its items, its canonical form and its total."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from .errors import InvalidInput


@dataclass(frozen=True)
class RequestedItem:
    sku: str
    quantity: int


def requested_items(raw_items: list[dict]) -> list[RequestedItem]:
    """Items in a stable order (by sku), refusing a sku named twice."""
    seen: set[str] = set()
    items = []
    for raw in raw_items:
        if raw["sku"] in seen:
            raise InvalidInput(f"sku {raw['sku']} appears more than once", field="items")
        seen.add(raw["sku"])
        items.append(RequestedItem(sku=raw["sku"], quantity=int(raw["quantity"])))
    return sorted(items, key=lambda item: item.sku)


def request_hash(code: str, items: list[RequestedItem], store_id: str | None = None,
                 hold: bool = False) -> str:
    """SHA-256 of the canonical body: the same request in another item order hashes the same.
    ``store_id`` and ``hold`` join the hash only when sent (true), so hashes stored before they
    existed still match."""
    body = {"code": code, "items": [[i.sku, i.quantity] for i in items]}
    if store_id is not None:
        body["store_id"] = store_id
    if hold:
        body["hold"] = True
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def line_points(unit_points: int, quantity: int) -> int:
    return unit_points * quantity
