"""SQLAlchemy tables of the registry (its own database only)."""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text)

from shanxing_common.db import service_metadata

metadata = service_metadata()

# Login credentials of every person (volunteers and staff).
accounts = Table(
    "accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("phone", String(11), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("kind", String(20), nullable=False),  # volunteer | staff
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Failed-login window (domain.login_throttle): failures counted since the window opened.
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("failed_window_opened_at", DateTime(timezone=True), nullable=True),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
)

# A volunteer's profile; id = the account id.
volunteers = Table(
    "volunteers", metadata,
    Column("id", String(36), ForeignKey("accounts.id"), primary_key=True),
    Column("name", String(60), nullable=False),
    Column("id_number_encrypted", Text, nullable=False),
    Column("id_number_hash", String(64), nullable=False, unique=True),  # keyed HMAC-SHA256, hex
    Column("region_code", String(12), nullable=False),
    Column("skills", JSON, nullable=False),
    Column("preferences", JSON, nullable=False),
    Column("total_hours", BigInteger, nullable=False, default=0),  # hundredths of an hour
    Column("star_level", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

organizations = Table(
    "organizations", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(20), nullable=False),  # regional | specialised
    Column("parent_id", String(36), ForeignKey("organizations.id"), nullable=True, index=True),
    Column("region_code", String(12), nullable=False),
    Column("status", String(20), nullable=False),  # pending | approved | rejected | suspended
    Column("applicant_id", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("reviewed_by", String(36), nullable=True),
    Column("reason", Text, nullable=True),
    Index("ix_organizations_status_created_at", "status", "created_at"),
)

organization_admins = Table(
    "organization_admins", metadata,
    # The pair is the primary key: a volunteer is an admin of an organization at most once.
    Column("organization_id", String(36), ForeignKey("organizations.id"), primary_key=True),
    Column("volunteer_id", String(36), ForeignKey("volunteers.id"), primary_key=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Hours credited from activities.hours_confirmed.v1, by record, so that a revoke subtracts exactly
# what was added, once; a revoke that arrives first leaves a row that makes the late credit a no-op.
hours_credits = Table(
    "hours_credits", metadata,
    Column("record_id", String(64), primary_key=True),
    Column("volunteer_id", String(36), nullable=False, index=True),
    Column("hundredths", BigInteger, nullable=False),
    Column("credited_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
