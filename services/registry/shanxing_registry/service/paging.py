"""Opaque keyset cursors for lists ordered by (moment, id)."""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timezone

from shanxing_common.problems import field_error

from ..adapters.repository import as_utc


def encode_cursor(moment: datetime, row_id: str) -> str:
    raw = json.dumps([as_utc(moment).isoformat(), row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, row_id = json.loads(raw)
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or not isinstance(row_id, str):
            raise ValueError("incomplete cursor")
        return parsed.astimezone(timezone.utc), row_id
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise field_error("cursor", "is not a cursor this service issued") from None


def page(rows: list, limit: int, view, moment_of, id_of) -> dict:
    """``rows`` were fetched with limit + 1: the extra one says whether a next page exists."""
    shown = rows[:limit]
    more = len(rows) > limit
    return {"items": [view(row) for row in shown],
            "next": encode_cursor(moment_of(shown[-1]), id_of(shown[-1])) if more and shown else None}
