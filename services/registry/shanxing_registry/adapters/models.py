"""SQLAlchemy tables of the registry (its own database only)."""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, Text,
                        text)

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
    # Failed-login window (shanxing_common.login_throttle): failures counted since the window opened.
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("failed_window_opened_at", DateTime(timezone=True), nullable=True),
    Column("last_login_at", DateTime(timezone=True), nullable=True),
    # False for bulk-imported volunteers until they activate (password_hash is empty until then).
    Column("password_set", Boolean, nullable=False, server_default=text("true")),
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
    # Profile (PATCH /volunteers/me): [{weekday, start, end}], {latitude, longitude} or NULL, [tag].
    Column("availability", JSON, nullable=False, server_default=text("'[]'")),
    Column("home_location", JSON, nullable=True),
    Column("tags", JSON, nullable=False, server_default=text("'[]'")),
    Column("updated_at", DateTime(timezone=True), nullable=True),
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
    Column("level", String(20), nullable=False),  # domain.organizations.LEVELS of its kind
    Column("total_hours", BigInteger, nullable=False, server_default=text("0")),  # hundredths, rolled up
    # Review with a deadline (domain.organizations): while pending, the admins of
    # reviewer_organization_id (NULL: ops only) are responsible until review_due_at; each escalation
    # moves it one ancestor up and adds one to escalation_level.
    Column("review_due_at", DateTime(timezone=True), nullable=True),
    Column("escalation_level", Integer, nullable=False, server_default=text("0")),
    Column("reviewer_organization_id", String(36), nullable=True),
    Index("ix_organizations_status_created_at", "status", "created_at"),
    Index("ix_organizations_status_review_due_at", "status", "review_due_at", "id"),
    Index("ix_organizations_reviewer_due", "reviewer_organization_id", "review_due_at", "id"),
    Index("ix_organizations_created_at_id", "created_at", "id"),
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
    # Where the hours were rolled up when credited, so that a revoke subtracts from the same places
    # even after the trees changed (NULL on credits made before the roll-up existed).
    Column("team_id", String(36), nullable=True),
    Column("organization_ids", JSON, nullable=True),
    # What the event tells of the record, printed on certificates (NULL on credits from before 0010).
    Column("activity_id", String(64), nullable=True),
    Column("organization_id", String(36), nullable=True),
    Column("served_on", Date, nullable=True),
    Column("confirmed_by", String(36), nullable=True),
    # The activity's title and address as the event told them (NULL on credits from before 0011).
    Column("activity_title", Text, nullable=True),
    Column("address", Text, nullable=True),
)

# A team (基层服务队) under one regional (street/community) and one specialised (squad) organization.
teams = Table(
    "teams", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("regional_parent_id", String(36), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("specialised_parent_id", String(36), ForeignKey("organizations.id"), nullable=False, index=True),
    Column("region_code", String(12), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("total_hours", BigInteger, nullable=False, server_default=text("0")),  # hundredths
    Column("star_level", Integer, nullable=False, server_default=text("0")),
)

team_members = Table(
    "team_members", metadata,
    Column("team_id", String(36), ForeignKey("teams.id"), primary_key=True),
    Column("volunteer_id", String(36), ForeignKey("volunteers.id"), primary_key=True, index=True),
    Column("role", String(20), nullable=False),  # member | admin
    Column("status", String(20), nullable=False),  # pending | active
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("approved_by", String(36), nullable=True),
)

region_transfers = Table(
    "region_transfers", metadata,
    Column("id", String(36), primary_key=True),
    Column("volunteer_id", String(36), ForeignKey("volunteers.id"), nullable=False),
    Column("from_region_code", String(12), nullable=False),
    Column("to_region_code", String(12), nullable=False),
    Column("reason", Text, nullable=False),
    Column("transferred_at", DateTime(timezone=True), nullable=False),
    Index("ix_region_transfers_volunteer_at", "volunteer_id", "transferred_at", "id"),
)

commendations = Table(
    "commendations", metadata,
    Column("id", String(36), primary_key=True),
    Column("volunteer_id", String(36), ForeignKey("volunteers.id"), nullable=False),
    Column("title", String(120), nullable=False),
    Column("level", String(20), nullable=False),  # domain.commendations.LEVELS
    Column("reason", Text, nullable=False),
    Column("granted_by", String(36), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    Index("ix_commendations_volunteer_at", "volunteer_id", "granted_at", "id"),
)

# Service-record certificates: a snapshot at issue time, identity masked; the code is public.
certificates = Table(
    "certificates", metadata,
    Column("id", String(36), primary_key=True),
    Column("verification_code", String(16), nullable=False, unique=True),
    Column("volunteer_id", String(36), ForeignKey("volunteers.id"), nullable=False),
    Column("display_name", String(60), nullable=False),  # masked
    Column("id_number_masked", String(18), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("total_hours", BigInteger, nullable=False),  # hundredths
    Column("star_level", Integer, nullable=False),
    Column("record_count", Integer, nullable=False),  # confirmed, not revoked hours records
    Column("purpose", String(200), nullable=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Index("ix_certificates_volunteer_at", "volunteer_id", "issued_at", "id"),
)

# Bulk imports (`shanxing-registry import-volunteers`): how far each file (by content) got, so that a
# re-run continues after the last committed batch.
import_checkpoints = Table(
    "import_checkpoints", metadata,
    Column("file_sha256", String(64), primary_key=True),
    Column("last_line", Integer, nullable=False),  # last line of the last committed batch
    Column("imported", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
