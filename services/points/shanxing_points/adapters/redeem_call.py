"""A redemption in one round trip on PostgreSQL: the function of migration 0012 (decision 0022).

Called with autocommit, so the function's statements are one transaction of their own — no BEGIN
and COMMIT round trips, and the merchant account's row lock is held only while the server runs
the function. SQLSTATE SX001 means "declined": nothing was written and the caller runs the
Python path, which decides and explains.
"""
from __future__ import annotations

import json
from datetime import datetime

from shanxing_common.db import Database
from sqlalchemy.exc import DBAPIError

DECLINED = "SX001"
_SQL = ("SELECT points_redeem_v1(%(merchant_id)s, %(key)s, %(request_hash)s, %(now)s, %(store_id)s, "
        "%(code_hash)s, %(skus)s::text[], %(quantities)s::integer[], %(redemption_id)s, %(made_by)s, "
        "%(body)s::jsonb, %(event_id)s, %(event_type)s, %(envelope)s::jsonb)")


def redeem(db: Database, *, merchant_id: str, key: str, request_hash: str, now: datetime,
           store_id: str | None, code_hash: str, skus: list[str], quantities: list[int],
           redemption_id: str, made_by: str | None, body: dict, event_id: str, event_type: str,
           envelope: dict) -> dict | None:
    """The stored answer of a completed redemption, or None when the function declined."""
    params = dict(merchant_id=merchant_id, key=key, request_hash=request_hash, now=now,
                  store_id=store_id, code_hash=code_hash, skus=skus, quantities=quantities,
                  redemption_id=redemption_id, made_by=made_by,
                  body=json.dumps(body, ensure_ascii=False), event_id=event_id, event_type=event_type,
                  envelope=json.dumps(envelope, ensure_ascii=False))
    error = db.engine.dialect.loaded_dbapi.Error
    with db.autocommit_connection() as connection, connection.cursor() as cursor:
        try:
            cursor.execute(_SQL, params, prepare=True)
            return cursor.fetchone()[0]
        except error as exc:
            if getattr(exc, "sqlstate", None) == DECLINED:
                return None
            raise DBAPIError.instance(_SQL, params, exc, error) from exc
