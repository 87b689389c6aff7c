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

# Request counts of the people-facing limits in fixed windows: scope "address" (registration and
# login per client address) or "person" (authenticated requests per subject); window_start is the
# window's first unix second.
rate_windows = Table(
    "rate_windows", metadata,
    Column("scope", String(16), primary_key=True),
    Column("subject", String(128), primary_key=True),
    Column("window_start", BigInteger, primary_key=True, autoincrement=False, index=True),
    Column("requests", Integer, nullable=False),
)
