"""SQLAlchemy tables of the gateway (its own database only)."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table

from shanxing_common.db import service_metadata

metadata = service_metadata()

# Nonces of signed merchant requests. The primary key is what detects a replay, across every
# gunicorn worker and every gateway process sharing this database.
merchant_nonces = Table(
    "merchant_nonces", metadata,
    Column("key_id", String(128), primary_key=True),
    Column("nonce", String(128), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False, index=True),
)

# Per-key request counts in fixed one-second windows (window_start = unix second).
merchant_rate_windows = Table(
    "merchant_rate_windows", metadata,
    Column("key_id", String(128), primary_key=True),
    Column("window_start", BigInteger, primary_key=True, autoincrement=False),
    Column("requests", Integer, nullable=False),
)
