"""SQLAlchemy tables of the activities service (its own database only)."""
from __future__ import annotations


from sqlalchemy import (JSON, Boolean, CheckConstraint, Column, Date, Float, Index, Integer,
                        PrimaryKeyConstraint, String, Table, Text, UniqueConstraint, text)

from shanxing_common.db import UTCDateTime, service_metadata

metadata = service_metadata()


# --- read model of registry's volunteers and organizations (built from its events only) ---

volunteers_view = Table(
    "volunteers_view", metadata,
    Column("volunteer_id", String(36), primary_key=True),
    Column("display_name", String(100), nullable=False),  # masked by registry, e.g. 张*明
    Column("region_code", String(12), nullable=True),
    Column("skills", JSON, nullable=False),
    Column("preferences", JSON, nullable=False),
    # occurred_at of the event the row reflects: an older event arriving late changes nothing.
    Column("source_version", UTCDateTime, nullable=False),
    # occurred_at of the transfer that set region_code: an older registration keeps its hands off.
    Column("region_changed_at", UTCDateTime, nullable=True),
    # For recommendations (volunteer_updated.v1): [{weekday 1..7, start "HH:MM", end "HH:MM"}].
    Column("availability", JSON, nullable=True),
    Column("home_latitude", Float, nullable=True),
    Column("home_longitude", Float, nullable=True),
)

organizations_view = Table(
    "organizations_view", metadata,
    Column("organization_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_id", String(36), nullable=True),
    Column("region_code", String(12), nullable=True),
    Column("status", String(20), nullable=False),
)

organization_admins_view = Table(
    "organization_admins_view", metadata,
    Column("organization_id", String(36), nullable=False),
    Column("volunteer_id", String(36), nullable=False),
    PrimaryKeyConstraint("organization_id", "volunteer_id"),
)

# --- what this service owns ---

activities = Table(
    "activities", metadata,
    Column("id", String(36), primary_key=True),
    Column("organization_id", String(36), nullable=False),
    Column("title", String(100), nullable=False),
    Column("category", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("region_code", String(12), nullable=True),
    Column("status", String(20), nullable=False),
    Column("signed_up", Integer, nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("reviewed_by", String(36), nullable=True),
    # Review with a deadline (domain/review.py): the scope is a region-code prefix.
    Column("review_due_at", UTCDateTime, nullable=True),
    Column("escalation_level", Integer, nullable=False, server_default="0"),
    Column("review_scope", String(12), nullable=True),
    Column("rejection_reason", String(500), nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    Column("cancelled_by", String(36), nullable=True),
    Column("cancel_reason", String(500), nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    # Key of the rotating check-in code (domain/checkin.py); created when first needed.
    Column("checkin_secret", String(64), nullable=True),
    Column("team_id", String(36), nullable=True),  # optional registry team running it
    # The database, not Python, guarantees confirmed sign-ups never exceed capacity.
    CheckConstraint("signed_up >= 0 AND signed_up <= capacity", name="signed_up_within_capacity"),
    CheckConstraint("capacity >= 1", name="capacity_positive"),
    CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    CheckConstraint("status IN ('pending_review', 'published', 'rejected', 'cancelled', 'completed')",
                    name="status_known"),
    Index("ix_activities_status_starts_at", "status", "starts_at", "id"),
    Index("ix_activities_organization_starts_at", "organization_id", "starts_at", "id"),
    Index("ix_activities_status_review_due_at", "status", "review_due_at", "id"),
)

signups = Table(
    "signups", metadata,
    Column("id", String(36), primary_key=True),
    Column("activity_id", String(36), nullable=False),
    Column("volunteer_id", String(36), nullable=False, index=True),
    Column("status", String(20), nullable=False),
    # When the volunteer (re)joined: the waitlist is served in this order.
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime, nullable=True),
    Column("added_by", String(36), nullable=True),  # the organizer, for an on-site sign-up
    Column("checked_in_at", UTCDateTime, nullable=True),
    Column("checked_out_at", UTCDateTime, nullable=True),
    # One row per (activity, volunteer), reused when a volunteer rejoins after cancelling.
    UniqueConstraint("activity_id", "volunteer_id", name="uq_signups_activity_volunteer"),
    CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status_known"),
    Index("ix_signups_activity_status_created_at", "activity_id", "status", "created_at"),
)

hours_records = Table(
    "hours_records", metadata,
    Column("id", String(36), primary_key=True),
    Column("activity_id", String(36), nullable=False),
    Column("volunteer_id", String(36), nullable=False, index=True),
    Column("hours", Integer, nullable=False),  # hundredths of an hour
    Column("served_on", Date, nullable=False),
    Column("confirmed_by", String(36), nullable=False),
    Column("confirmed_at", UTCDateTime, nullable=False),
    Column("verified", Boolean, nullable=False),
    # A revoked record stays (the history is the organizer's responsibility), marked here.
    Column("revoked_at", UTCDateTime, nullable=True),
    Column("revoked_by", String(36), nullable=True),
    Column("revoke_reason", String(500), nullable=True),
    Column("team_id", String(36), nullable=True),  # the activity's team, for the team totals
    CheckConstraint("hours > 0", name="hours_positive"),
    # Hours are confirmed once per (activity, volunteer) – once again only after a revocation.
    Index("uq_hours_records_active_activity_volunteer", "activity_id", "volunteer_id", unique=True,
          sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
)

# Leaderboards read this pre-aggregated table, updated in the same transaction as the hours.
hours_totals = Table(
    "hours_totals", metadata,
    Column("period_kind", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("scope", String(20), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("hours", Integer, nullable=False),  # hundredths of an hour
    PrimaryKeyConstraint("period_kind", "period_start", "scope", "subject_id"),
    # In the board's exact order (hours DESC, subject_id) and covering it: the top 100 are the
    # index's first 100 entries (migration 0006 replaced the former (…, hours) index).
    Index("ix_hours_totals_ranking", "period_kind", "period_start", "scope", text("hours DESC"), "subject_id"),
)


# --- leaderboards by scope and "my rank" (migration 0006) ---

# How many subjects of a scope hold each total in a period: "my rank" = 1 + the subjects above
# mine, a sum over distinct totals (thousands of rows) instead of a count over millions of totals.
hours_distribution = Table(
    "hours_distribution", metadata,
    Column("period_kind", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("scope", String(20), nullable=False),
    Column("hours", Integer, nullable=False),  # hundredths of an hour, > 0
    Column("subjects", Integer, nullable=False),
    PrimaryKeyConstraint("period_kind", "period_start", "scope", "hours"),
)

# --- five-order loop (domain/demands.py) and project library (domain/projects.py) ---

demands = Table(
    "demands", metadata,
    Column("id", String(36), primary_key=True),
    Column("resident_id", String(36), nullable=False, index=True),
    Column("category", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("address", String(200), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("wanted_from", UTCDateTime, nullable=False),
    Column("wanted_until", UTCDateTime, nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("organization_id", String(36), nullable=True, index=True),
    Column("dispatched_by", String(36), nullable=True),
    Column("dispatched_at", UTCDateTime, nullable=True),
    Column("amount_cents", Integer, nullable=True),
    Column("funding_source", String(100), nullable=True),
    Column("funded_by", String(36), nullable=True),
    Column("funded_at", UTCDateTime, nullable=True),
    Column("accepted_by", String(36), nullable=True),
    Column("accepted_at", UTCDateTime, nullable=True),
    Column("activity_id", String(36), nullable=True, unique=True),
    Column("served_at", UTCDateTime, nullable=True),
    Column("score", Integer, nullable=True),
    Column("rating_comment", String(500), nullable=True),
    Column("rated_at", UTCDateTime, nullable=True),
    Column("cancelled_at", UTCDateTime, nullable=True),
    CheckConstraint("status IN ('ordered', 'dispatched', 'funded', 'accepted', 'in_service', 'served', "
                    "'rated', 'cancelled')", name="demand_status_known"),
    CheckConstraint("amount_cents IS NULL OR amount_cents > 0", name="demand_amount_positive"),
    CheckConstraint("score IS NULL OR (score >= 1 AND score <= 5)", name="demand_score_range"),
    Index("ix_demands_region_created", "region_code", "created_at", "id"),
)

projects = Table(
    "projects", metadata,
    Column("id", String(36), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("category", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("level", String(20), nullable=False),
    Column("region_code", String(12), nullable=False),
    Column("declarer_organization_id", String(36), nullable=True),
    Column("declared_by", String(36), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("reviewed_by", String(36), nullable=True),
    Column("reviewed_at", UTCDateTime, nullable=True),
    Column("rejection_reason", String(500), nullable=True),
    Column("claimed_by_organization_id", String(36), nullable=True),
    Column("claimed_by", String(36), nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("grade", String(20), nullable=True),
    Column("evaluation_comment", String(1000), nullable=True),
    Column("evaluated_by", String(36), nullable=True),
    Column("evaluated_at", UTCDateTime, nullable=True),
    CheckConstraint("status IN ('declared', 'published', 'rejected', 'claimed', 'evaluated')",
                    name="project_status_known"),
    CheckConstraint("level IN ('city', 'district', 'street', 'community')", name="project_level_known"),
    Index("ix_projects_status_created", "status", "created_at", "id"),
)

# Which activities a project groups (an activity belongs to at most one project).
project_activities = Table(
    "project_activities", metadata,
    Column("activity_id", String(36), primary_key=True),
    Column("project_id", String(36), nullable=False, index=True),
)

# Statistics per month and year of organizations and regions (each enclosing region too), kept in
# the hours transaction. A member row (a volunteer or an activity with hours in that subject and
# period) makes participants and activities distinct counts that a revocation can undo.
statistics_totals = Table(
    "statistics_totals", metadata,
    Column("period_kind", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("scope", String(20), nullable=False),  # organization | region
    Column("subject_id", String(36), nullable=False),
    Column("activities", Integer, nullable=False),
    Column("participants", Integer, nullable=False),
    Column("hours", Integer, nullable=False),  # hundredths of an hour
    PrimaryKeyConstraint("period_kind", "period_start", "scope", "subject_id"),
)

statistics_members = Table(
    "statistics_members", metadata,
    Column("period_kind", String(10), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("scope", String(20), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("member_kind", String(10), nullable=False),  # volunteer | activity
    Column("member_id", String(36), nullable=False),
    Column("hours", Integer, nullable=False),  # hundredths; 0 once revoked
    PrimaryKeyConstraint("period_kind", "period_start", "scope", "subject_id", "member_kind", "member_id"),
)

Index("ix_volunteers_view_region_code", volunteers_view.c.region_code)
